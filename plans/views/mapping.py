"""The needs and services mapping: staff and the people of the ambito's entities record them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from plans import forms, services
from plans.permissions import mapping_entity_id, plan_policy
from plans.views.common import form_page


def _mapping_create(
    request: HttpRequest, pk: int, form_class, service, heading: str, success: str
) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    plan = plan_policy.get_for_mapping(request.user, pk)
    form = form_class(request.POST or None, plan=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        service(
            plan=plan, form=form, user=request.user, entity_id=mapping_entity_id(request.user, plan)
        )
        messages.success(request, success)
        return redirect(f"{plan.get_absolute_url()}#mappatura")
    return form_page(
        request,
        plan,
        form,
        heading=heading,
    )


def need_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _mapping_create(
        request,
        pk,
        forms.NeedForm,
        services.need_create,
        _("Segnala un bisogno"),
        _("Bisogno registrato."),
    )


def service_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _mapping_create(
        request,
        pk,
        forms.ServiceForm,
        services.service_create,
        _("Registra un servizio attivo"),
        _("Servizio attivo registrato."),
    )

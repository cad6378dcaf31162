"""The public directory, an entity's profile, registration and edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambito import routing
from ambito.permissions import is_staff_of, is_ufficio_di_piano
from core import audit
from core.http import AuthenticatedHttpRequest, query_without_page
from entities import selectors, services
from entities.filters import DirectoryFilter, active_filters
from entities.forms import (
    EntityForm,
    StatusDecisionForm,
)
from entities.models import Entity
from entities.permissions import entity_policy
from entities.views.common import PAGE_SIZE, crumbs


def directory(request: HttpRequest) -> HttpResponse:
    searching = filtered = False
    sources = DirectoryFilter.sources()
    if request.GET.keys() - {"page"}:
        filterset = DirectoryFilter(
            request.GET,
            queryset=selectors.directory_entities(prefetch=False),
            request=request,
            sources=sources,
        )
        searching = filterset.form.is_valid() and filterset.form.cleaned_data["q"]
        filtered = active_filters(filterset)
        rows = filterset.qs
    else:  # as first opened, and its pages
        rows = DirectoryFilter.unfiltered_rows(routing.place().pk)
    paginator = (selectors.CountingPaginator if searching else Paginator)(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.with_badges(list(page.object_list))
    return render(
        request,
        "entities/directory.html",
        {
            "filter_form": DirectoryFilter.form_html(request.GET, sources),
            "page_obj": page,
            "entities": page.object_list,
            "querystring": query_without_page(request),
            "filtered": filtered,
            "can_export": is_staff_of(request.user),
            "can_import": is_ufficio_di_piano(request.user),
            "crumbs": crumbs()[:1],
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = entity_policy.visible(request.user)
    entity = entity_policy.get(request.user, pk=pk, queryset=selectors.entity_detail(pk, visible))
    context = {
        "entity": entity,
        "crumbs": crumbs(entity=entity),
        **selectors.entity_profile(request.user, entity),
        "next_statuses": services.TRANSITIONS.get(entity.status, set()),
        "decision_form": StatusDecisionForm(),
    }
    return render(request, "entities/detail.html", context)


# --- registration and edit -------------------------------------------------------------------
@login_required
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EntityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        entity = services.entity_register(
            user=request.user,
            entity=form.save(commit=False),
            m2m=form.m2m_data(),
            logo=form.new_logo(),
        )
        messages.success(
            request,
            _(
                "Registrazione inviata. L'Ufficio di Piano verificherà i dati: riceverai l'esito per e-mail."
            ),
        )
        return redirect(entity)
    claim_url = None
    if form.has_error("tax_code", "unique"):  # someone registered it: its representative claims it
        claim_url = (
            reverse("entities:claim")
            + "?"
            + urlencode({"codice_fiscale": form["tax_code"].value()})
        )
    return render(
        request,
        "entities/entity_form.html",
        {
            "form": form,
            "entity": None,
            "claim_url": claim_url,
            "crumbs": crumbs(_("Registra un ente")),
            "heading": _("Registra un ente"),
            "submit_label": _("Invia la registrazione"),
            "cancel_url": reverse("core:my_area"),
        },
    )


@login_required
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entity = entity_policy.get(request.user, pk=pk, write=True)
    before = audit.snapshot(entity, Entity.EDITABLE_FIELDS)
    form = EntityForm(request.POST or None, request.FILES or None, instance=entity)
    if request.method == "POST" and form.is_valid():
        was_verified = entity.is_verified
        changes = services.entity_update(
            user=request.user,
            entity=form.save(commit=False),
            before=before,
            m2m=form.m2m_data(),
            logo=form.new_logo(),
            clear_logo=form.cleaned_data.get("logo") is False,
        )
        if changes:
            messages.success(
                request,
                ngettext(
                    "Dati salvati: %(n)d campo modificato.",
                    "Dati salvati: %(n)d campi modificati.",
                    len(changes),
                )
                % {"n": len(changes)},
            )
        else:
            messages.info(request, _("Nessuna modifica da salvare."))
        if was_verified and entity.status == Entity.Status.PENDING:
            messages.warning(
                request,
                _(
                    "Hai modificato dati che identificano l'ente: è di nuovo in verifica presso l'Ufficio di Piano e, fino alla verifica, non compare nell'elenco pubblico."
                ),
            )
        return redirect(entity)
    return render(
        request,
        "entities/entity_form.html",
        {
            "form": form,
            "entity": entity,
            "crumbs": crumbs(_("Modifica"), entity=entity),
            "heading": _("Modifica %(name)s") % {"name": entity.name},
            "submit_label": _("Salva le modifiche"),
            "cancel_url": entity.get_absolute_url(),
        },
    )

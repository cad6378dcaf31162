"""What the plan views share: the guard of the views that change a plan, the form page."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from plans import selectors, services
from plans.models import Plan
from plans.permissions import plan_policy


def editing(view):
    """For views that change a plan: Ufficio di Piano only (403 otherwise); an approved plan is
    refused with a clear message and the reader goes back to the plan."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        plan = plan_policy.get(request.user, pk=pk, write=True)
        try:
            services.ensure_editable(plan)
        except services.PlanLocked as exc:
            messages.error(request, exc.messages[0])
            return redirect(plan)
        return view(request, plan, *args, **kwargs)

    return wrapper


def form_page(
    request: HttpRequest,
    plan: Plan | None,
    *,
    heading: str,
    current: str = "",
    cancel_url: str = "",
    template: str = "plans/form_page.html",
    **extra,
) -> HttpResponse:
    """A form page of plans (core/form_page.html, with the plan's name under the heading):
    crumbs to the list, the plan and `current` (default: the heading); "Annulla" back to the
    plan, or to the list without one."""
    crumbs = [(_("Piani di zona"), reverse("plans:list"))]
    if plan is not None:
        crumbs.append((str(plan), plan.get_absolute_url()))
    context = {
        "heading": heading,
        "crumbs": [*crumbs, (current or heading, "")],
        "cancel_url": cancel_url or (plan.get_absolute_url() if plan else reverse("plans:list")),
        **extra,
    }
    if plan is not None:
        context = selectors.plan_context(request.user, plan, **context)
    return render(request, template, context)

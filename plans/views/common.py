"""What the plan views share: the guard of the views that change a plan, the form page."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from plans import selectors, services
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


def form_page(request: HttpRequest, plan, form, **context) -> HttpResponse:
    """A plan's page holding one form (plans/form_page.html): `heading`, and optionally
    `intro`, `submit_label`, `cancel_url`."""
    return render(
        request,
        "plans/form_page.html",
        selectors.plan_context(request.user, plan, form=form, **context),
    )

"""The evaluation commission: members, declarations, scores."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_action
from core.http import AuthenticatedHttpRequest
from processes import services
from processes.forms import (
    CommissionMemberForm,
    ScoreForm,
)
from processes.models import (
    CommissionMember,
)
from processes.permissions import (
    application_policy,
    declared_member,
    procedure_policy,
)
from processes.selectors.commission_page import commission_members, commission_page
from processes.views.common import _application, _form_page


# --- commission -----------------------------------------------------------------------------
@login_required
def commission(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    can_change = procedure_policy.can_change(request.user, procedure)
    members = commission_members(procedure)
    member = next((m for m in members if m.user_id == request.user.pk), None)
    if not procedure_policy.can_open_commission(request.user, procedure, seat=member):
        raise PermissionDenied
    form = CommissionMemberForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.commission_member_add(
                    procedure=procedure,
                    actor=request.user,
                    user=form.user,
                    role=form.cleaned_data["role"],
                )
            except ValidationError as exc:
                form.add_error("email", exc.messages)
            else:
                messages.success(request, _("Commissario nominato."))
                return redirect("processes:commission", pk=procedure.pk)
    context = commission_page(procedure, request.user, members=members, member=member)
    return render(
        request,
        "processes/commission.html",
        {**context, "form": form, "can_change": can_change},
    )


@login_required
@require_POST
def commission_declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    member = procedure.commission.filter(user=request.user).first()
    if member is None:
        raise PermissionDenied
    if request.POST.get("no_conflict") != "1":
        messages.error(request, _("Per procedere spunta la dichiarazione."))
        return redirect("processes:commission", pk=procedure.pk)
    services.commission_declare(member=member, actor=request.user)
    messages.success(request, _("Dichiarazione registrata: ora puoi vedere e valutare le domande."))
    return redirect("processes:commission", pk=procedure.pk)


@login_required
@require_POST
def commission_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = CommissionMember.objects.filter(pk=pk).first()
    if member is None:
        raise Http404
    procedure = procedure_policy.get(request.user, pk=member.procedure_id, write=True)
    try:
        services.commission_member_remove(member=member, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("processes:commission", pk=procedure.pk)


@login_required
def application_score(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    procedure = application.procedure
    member = declared_member(request.user, procedure)
    if not application_policy.can_score(request.user, application):
        raise PermissionDenied  # not a scoring commissioner, or tied to the applicant
    criteria = list(procedure.current_notice.criteria.all()) if procedure.current_notice else []
    existing = {s.criterion_id: s for s in application.scores.filter(member=member)}
    form = ScoreForm(request.POST or None, criteria=criteria, existing=existing)
    return form_action(
        request,
        form,
        lambda data: services.scores_save(
            member=member, application=application, values=form.values(criteria)
        ),
        success=_("Punteggi salvati."),
        redirect_to=reverse("processes:commission", args=[procedure.pk]),
    ) or _form_page(
        request,
        title=_("Valuta la domanda di %(e)s") % {"e": application.entity.name},
        procedure=procedure,
        form=form,
        submit=_("Salva i punteggi"),
        intro=_("Punteggio da 0 a 10 per ciascun criterio: il totale pesato è su 100."),
        back=application.get_absolute_url(),
    )

"""Public proposals of an ambito: the list (filters by area and state), a citizen's new proposal,
the moderation of the Ufficio di Piano (hide with a reason, restore; proposals and comments) and
the ambito's participation settings. The page of one proposal is views.proposals.proposal_detail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.models import Ambito
from ambito.permissions import is_ufficio_di_piano
from core.http import page_prefix
from participation import permissions, selectors
from participation.filters import PublicProposalFilter
from participation.forms import CitizenProposalForm, ModerationForm, ParticipationSettingsForm
from participation.models import Proposal, ProposalComment
from participation.permissions import proposal_policy
from participation.services import moderation
from participation.services.settings import settings_save
from participation.views.proposals import submit_proposal

PAGE_SIZE = 20


def _ambito(code: str) -> Ambito:
    ambito = Ambito.objects.filter(code=code).first()
    if ambito is None:
        raise Http404
    return ambito


def _list_crumbs(ambito: Ambito) -> list[tuple[str, str]]:
    return [
        (ambito.name, ambito.get_absolute_url()),
        (
            _("Proposte dei cittadini"),
            reverse("participation:public_proposals", args=[ambito.code]),
        ),
    ]


def public_proposals(request: HttpRequest, code: str) -> HttpResponse:
    """The public proposals of the ambito, hidden ones included (shown with the reason)."""
    ambito = _ambito(code)
    proposals = selectors.public_proposals(ambito=ambito)
    filterset = PublicProposalFilter(request.GET or None, queryset=proposals, ambito=ambito)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else proposals
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/public_proposal_list.html",
        {
            "ambito": ambito,
            "filter": filterset,
            "page_obj": page,
            "querystring": page_prefix(request),
            "open_to_citizens": permissions.citizens_may_propose(ambito),
            "can_configure": is_ufficio_di_piano(request.user, ambito),
            "crumbs": _list_crumbs(ambito)[:1] + [(_("Proposte dei cittadini"), "")],
        },
    )


def citizen_proposal_create(request: HttpRequest, code: str) -> HttpResponse:
    ambito = _ambito(code)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = permissions.citizen_proposal_refusal(request.user, ambito)
    form = None
    if not refusal:
        form = CitizenProposalForm(
            request.POST or None,
            ambito=ambito,
            tables=permissions.citizen_tables(ambito),
            initial={"is_public": True},
        )
    if request.method == "POST" and form is not None and form.is_valid():
        proposal = submit_proposal(
            request,
            form,
            ambito=ambito,
            table=form.cleaned_data["table"],
            public=form.cleaned_data["is_public"],
        )
        if proposal is not None:
            return redirect(proposal)
    return render(
        request,
        "participation/citizen_proposal_form.html",
        {
            "ambito": ambito,
            "form": form,
            "refusal": refusal,
            "crumbs": [*_list_crumbs(ambito), (_("Nuova proposta"), "")],
        },
        status=403 if refusal else (400 if request.method == "POST" else 200),
    )


def _moderated(request: HttpRequest, pk: int) -> Proposal:
    proposal = proposal_policy.get(request.user, pk=pk)
    if not permissions.can_moderate(request.user, proposal):
        raise PermissionDenied
    return proposal


def _comment(proposal: Proposal, comment_pk: int) -> ProposalComment:
    comment = proposal.comments.filter(pk=comment_pk).first()
    if comment is None:
        raise Http404
    return comment


def _reason(request: HttpRequest, target: str) -> str | None:
    form = ModerationForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["reason"]
    messages.error(request, _("Scrivi il motivo per nascondere %(what)s.") % {"what": target})
    return None


@login_required
@require_POST
def proposal_hide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _moderated(request, pk)
    if (reason := _reason(request, _("la proposta"))) is not None:
        moderation.proposal_hide(proposal=proposal, by=request.user, reason=reason)
        messages.success(request, _("Proposta nascosta: l'autore riceve una notifica."))
    return redirect(proposal)


@login_required
@require_POST
def proposal_restore(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _moderated(request, pk)
    moderation.proposal_restore(proposal=proposal, by=request.user)
    messages.success(request, _("Proposta di nuovo visibile."))
    return redirect(proposal)


@login_required
@require_POST
def comment_hide(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    proposal = _moderated(request, pk)
    comment = _comment(proposal, comment_pk)
    if (reason := _reason(request, _("il commento"))) is not None:
        moderation.comment_hide(comment=comment, by=request.user, reason=reason)
        messages.success(request, _("Commento nascosto: l'autore riceve una notifica."))
    return redirect(f"{proposal.get_absolute_url()}#commento-{comment.pk}")


@login_required
@require_POST
def comment_restore(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    proposal = _moderated(request, pk)
    comment = _comment(proposal, comment_pk)
    moderation.comment_restore(comment=comment, by=request.user)
    messages.success(request, _("Commento di nuovo visibile."))
    return redirect(f"{proposal.get_absolute_url()}#commento-{comment.pk}")


def participation_settings(request: HttpRequest, code: str) -> HttpResponse:
    """The ambito's Ufficio di Piano opens (or closes) proposals to citizens."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ambito = _ambito(code)
    if not is_ufficio_di_piano(request.user, ambito):
        raise PermissionDenied
    form = ParticipationSettingsForm(
        request.POST or None, instance=permissions.citizen_settings(ambito)
    )
    if request.method == "POST" and form.is_valid():
        settings_save(
            ambito=ambito,
            by=request.user,
            citizen_proposals=form.cleaned_data["citizen_proposals"],
            need_spid=form.cleaned_data["citizen_proposals_need_spid"],
        )
        messages.success(request, _("Impostazioni salvate."))
        return redirect("participation:public_proposals", code=ambito.code)
    return render(
        request,
        "participation/participation_settings.html",
        {
            "ambito": ambito,
            "form": form,
            "crumbs": [*_list_crumbs(ambito), (_("Impostazioni"), "")],
        },
    )

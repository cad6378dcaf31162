from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import file_response, page_prefix, query_without_page
from core.spreadsheets import requested_format, spreadsheet_response
from participation import permissions, selectors
from participation.filters import ProposalFilter
from participation.forms import AnswerForm, CommentForm, ModerationForm, ProposalForm
from participation.models import Proposal
from participation.permissions import proposal_policy
from participation.resources import proposals_dataset
from participation.services import proposals as services
from processes.models import Procedure
from tables.models import Table

PAGE_SIZE = 25


def _filtered_proposals(request: HttpRequest) -> tuple[ProposalFilter, QuerySet[Proposal]]:
    proposals = selectors.proposals_for_user(user=request.user)
    filterset = ProposalFilter(request.GET or None, queryset=proposals)
    return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else proposals)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    filterset, qs = _filtered_proposals(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/proposal_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "querystring": page_prefix(request),
            "can_export": permissions.can_export_proposals(request.user),
            "export_querystring": query_without_page(request),
            "crumbs": [(_("Proposte"), "")],
        },
    )


@login_required
def proposal_export(request: HttpRequest) -> HttpResponse:
    """The proposals of the list, its filters applied, as a spreadsheet: for the staff of an
    ambito and the members of a table (each gets only the proposals they may read)."""
    if not permissions.can_export_proposals(request.user):
        raise PermissionDenied
    _filterset, qs = _filtered_proposals(request)
    stamp = timezone.localdate().isoformat()
    return spreadsheet_response(
        proposals_dataset(qs), requested_format(request), filename=f"proposte-{stamp}"
    )


def _proposal_context(request: HttpRequest) -> tuple[Table | None, Procedure | None]:
    """The table or procedure a new proposal goes to (?table= or ?procedure=)."""
    table_id, procedure_id = request.GET.get("table"), request.GET.get("procedure")
    try:
        if table_id:
            table = Table.objects.select_related("ambito").filter(pk=int(table_id)).first()
            if table is None:
                raise Http404
            return table, None
        if procedure_id:
            procedure = (
                Procedure.objects.select_related("ambito").filter(pk=int(procedure_id)).first()
            )
            if procedure is None:
                raise Http404
            return None, procedure
    except ValueError as exc:
        raise Http404 from exc
    raise Http404


def submit_proposal(request: HttpRequest, form, **where) -> Proposal | None:
    """Submit the proposal a valid `form` (member's or citizen's) describes, placed by `where`
    (table, procedure, ambito, public, files) and say so; None with the service's errors added
    to the form."""
    data = form.cleaned_data
    try:
        proposal = services.proposal_submit(
            author=request.user,
            title=data["title"],
            text=data["text"],
            area=data["area"],
            target_groups=data["target_groups"],
            comuni=data["comuni"],
            **where,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(
        request,
        _("Proposta presentata. Riceverai una notifica quando l'Ufficio di Piano risponderà."),
    )
    return proposal


@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    table, procedure = _proposal_context(request)
    if not permissions.can_propose(request.user, table=table, procedure=procedure):
        raise PermissionDenied
    context_obj = table or procedure
    form = ProposalForm(request.POST or None, request.FILES or None, ambito=context_obj.ambito)
    if request.method == "POST" and form.is_valid():
        proposal = submit_proposal(
            request,
            form,
            table=table,
            procedure=procedure,
            files=form.cleaned_data["attachments"],
        )
        if proposal is not None:
            return redirect(proposal)
    return render(
        request,
        "participation/proposal_form.html",
        {"form": form, "table": table, "procedure": procedure},
    )


def _detail(
    request: HttpRequest, pk: int, *, comment_form=None, answer_form=None, status: int = 200
) -> HttpResponse:
    proposal = selectors.proposal_detail(user=request.user, pk=pk)
    can_answer = proposal_policy.can_change(request.user, proposal)
    ctx = {
        "proposal": proposal,
        "can_moderate": permissions.can_moderate(request.user, proposal),
        "moderation_form": ModerationForm(),
        "can_support": proposal_policy.can_support(request.user, proposal),
        "can_comment": proposal_policy.can_comment(request.user, proposal),
        "can_answer": can_answer,
        "comment_form": comment_form or CommentForm(),
        "answer_form": answer_form
        or (
            AnswerForm(initial={"status": proposal.status, "answer": proposal.answer})
            if can_answer
            else None
        ),
        **selectors.proposal_parts(proposal),
    }
    return render(request, "participation/proposal_detail.html", ctx, status=status)


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Public proposals are read by everyone; the others by their people (anonymous visitors
    are asked to log in first)."""
    try:
        return _detail(request, pk)
    except Http404:
        if request.user.is_authenticated:
            raise
        return redirect_to_login(request.get_full_path())


@login_required
@require_POST
def proposal_support(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_policy.get(request.user, pk=pk)
    if not proposal_policy.can_support(request.user, proposal):
        raise PermissionDenied
    supported = services.proposal_support(
        proposal=proposal, user=request.user, support=request.POST.get("support") != "0"
    )
    messages.success(
        request,
        _("Hai sostenuto la proposta.") if supported else _("Hai ritirato il tuo sostegno."),
    )
    return redirect(proposal)


@login_required
@require_POST
def proposal_comment(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_policy.get(request.user, pk=pk)
    if not proposal_policy.can_comment(request.user, proposal):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, comment_form=form, status=400)
    comment = services.proposal_comment(
        proposal=proposal, author=request.user, text=form.cleaned_data["text"]
    )
    messages.success(request, _("Commento pubblicato."))
    return redirect(f"{proposal.get_absolute_url()}#commento-{comment.pk}")


@login_required
@require_POST
def proposal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_policy.get(request.user, pk=pk, write=True)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, answer_form=form, status=400)
    services.proposal_answer(
        proposal=proposal,
        by=request.user,
        status=form.cleaned_data["status"],
        answer=form.cleaned_data["answer"],
    )
    messages.success(request, _("Risposta registrata: il proponente riceve una notifica."))
    return redirect(proposal)


@login_required
def proposal_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    proposal = proposal_policy.get(request.user, pk=pk)
    attachment = proposal.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return file_response(attachment.file, filename=attachment.name)

"""Pages of the entity registry. Views parse input, check permission, call a service or selector."""

from __future__ import annotations

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ambito.models import Ambito
from ambito.permissions import is_staff_of, is_ufficio_di_piano, managed_ambito_ids
from core import audit, identity, invitations, jobs
from core.models import FileJob
from core.permissions import user_passes
from core.spreadsheets import requested_format, spreadsheet_response
from core.storage import file_basename
from entities import selectors, services
from entities.filters import DirectoryFilter, active_filters
from entities.forms import (
    ClaimDecisionForm,
    ClaimForm,
    EntityForm,
    ImportForm,
    InvitationForm,
    RoleForm,
    StatusDecisionForm,
)
from entities.invitations import KIND
from entities.models import Entity, EntityInvitation, EntityMembership
from entities.permissions import claim_policy, entity_policy, member_entity_ids
from entities.resources import EntityResource
from entities.services import claims, imports

PAGE_SIZE = 20
CLAIMS_SHOWN = 50  # the verification queue lists the oldest pending claims
ACTION_LABELS = {
    "entity.registered": _lazy("Registrazione"),
    "entity.updated": _lazy("Modifica dei dati"),
    "entity.status.verified": _lazy("Verificato"),
    "entity.status.rejected": _lazy("Respinto"),
    "entity.status.suspended": _lazy("Sospeso"),
    "entity.status.pending": _lazy("Di nuovo in verifica"),
    "entity.imported": _lazy("Importato da file"),
    "entity.import_updated": _lazy("Aggiornato da file"),
    "entity.invitation.sent": _lazy("Invito inviato"),
    "entity.invitation.revoked": _lazy("Invito ritirato"),
    "entity.member.joined": _lazy("Nuova persona"),
    "entity.member.role": _lazy("Ruolo cambiato"),
    "entity.member.removed": _lazy("Persona rimossa"),
    "entity.claim.submitted": _lazy("Richiesta di amministrazione"),
    "entity.claim.accepted": _lazy("Richiesta di amministrazione accolta"),
    "entity.claim.rejected": _lazy("Richiesta di amministrazione respinta"),
    "entity.claim.withdrawn": _lazy("Richiesta di amministrazione ritirata"),
}
STATUS_ACTIONS = {
    "verifica": Entity.Status.VERIFIED,
    "respingi": Entity.Status.REJECTED,
    "sospendi": Entity.Status.SUSPENDED,
    "riattiva": Entity.Status.VERIFIED,
}


# --- public directory and profile ------------------------------------------------------------
def _crumbs(*extra, entity: Entity | None = None) -> list[tuple[str, str]]:
    crumbs = [(_("Enti del Terzo settore"), reverse("entities:directory"))]
    if entity is not None:
        crumbs.append((entity.name, entity.get_absolute_url()))
    crumbs.extend((label, "") for label in extra)
    return crumbs


def directory(request: HttpRequest) -> HttpResponse:
    filterset = DirectoryFilter(
        request.GET or None, queryset=selectors.directory_entities(prefetch=False), request=request
    )
    searching = (
        filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data["q"]
    )
    paginator = (selectors.CountingPaginator if searching else Paginator)(filterset.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = _with_badges(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "entities/directory.html",
        {
            "filter": filterset,
            "page_obj": page,
            "entities": page.object_list,
            "querystring": query.urlencode(),
            "filtered": filterset.is_bound and active_filters(filterset),
            "can_export": is_staff_of(request.user),
            "can_import": is_ufficio_di_piano(request.user),
            "crumbs": _crumbs()[:1],
        },
    )


def _with_badges(entities: list[Entity]) -> list[Entity]:
    """Set `badges` on each entity of a directory page: its activities' and target groups'
    badges, rendered here once per page rather than by a template loop per entity."""
    activities, groups = selectors.activities_and_groups([e.pk for e in entities])
    for entity in entities:
        activity_badges = format_html_join(
            "",
            '<span class="badge bg-light text-dark border me-1" title="{}">{}) {}</span>',
            ((name, code, Truncator(name).chars(40)) for code, name in activities[entity.pk]),
        )
        group_badges = format_html_join(
            "", '<span class="badge bg-primary me-1">{}</span>', ((n,) for n in groups[entity.pk])
        )
        # the space between the two runs as the template had it
        entity.badges = format_html("{}\n            {}", activity_badges, group_badges)
    return entities


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = entity_policy.visible(request.user)
    entity = entity_policy.get(request.user, pk=pk, queryset=selectors.entity_detail(pk, visible))
    user = request.user
    is_staff = selectors.is_staff_for(user, entity)
    membership = selectors.my_membership(user, entity)
    history = list(selectors.status_history(entity)[:100]) if is_staff else []
    for event in history:
        event.label = ACTION_LABELS.get(event.action, event.action)
    context = {
        "entity": entity,
        "crumbs": _crumbs(entity=entity),
        "is_staff": is_staff,
        "membership": membership,
        "can_change": entity_policy.can_change(user, entity),
        "can_verify": entity_policy.can_verify(user, entity),
        "show_private": is_staff or membership is not None,
        "next_statuses": services.TRANSITIONS.get(entity.status, set()),
        "decision_form": StatusDecisionForm(),
        "history": history,
        "identity_changes": (
            selectors.identity_changes([entity]).get(entity.pk)
            if is_staff and not entity.is_verified
            else None
        ),
        "pending_claims": (
            selectors.pending_claims_of(entity) if entity_policy.can_verify(user, entity) else ()
        ),
    }
    return render(request, "entities/detail.html", context)


# --- registration and edit -------------------------------------------------------------------
@login_required
def register(request: HttpRequest) -> HttpResponse:
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
            "crumbs": _crumbs(_("Registra un ente")),
        },
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
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
        {"form": form, "entity": entity, "crumbs": _crumbs(_("Modifica"), entity=entity)},
    )


# --- verification ----------------------------------------------------------------------------
@user_passes(is_ufficio_di_piano)
def verification_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("stato", Entity.Status.PENDING)
    if status not in Entity.Status.values:
        status = Entity.Status.PENDING
    counts = selectors.queue_counts(request.user)
    paginator = Paginator(selectors.verification_queue(request.user, status), PAGE_SIZE)
    paginator.count = counts[status]  # known from the tabs' counts: no COUNT(*) of its own
    page = paginator.get_page(request.GET.get("page"))
    changes = selectors.identity_changes(page.object_list)
    for entity in page.object_list:
        entity.identity_changes = changes.get(entity.pk)
    return render(
        request,
        "entities/verification_queue.html",
        {
            "page_obj": page,
            "status": status,
            "status_label": Entity.Status(status).label,
            "counts": counts,
            "statuses": Entity.Status.choices,
            "querystring": urlencode({"stato": status}),
            "claims": selectors.pending_claims(request.user)[:CLAIMS_SHOWN],
            "crumbs": _crumbs(_("Verifica degli enti")),
        },
    )


@login_required
@require_POST
def set_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entity = entity_policy.get(request.user, pk=pk)
    if not entity_policy.can_verify(request.user, entity):
        raise PermissionDenied
    if action not in STATUS_ACTIONS:
        raise PermissionDenied
    form = StatusDecisionForm(request.POST)
    form.is_valid()
    try:
        services.entity_set_status(
            user=request.user,
            entity=entity,
            status=STATUS_ACTIONS[action],
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(entity)
    entity.refresh_from_db()
    messages.success(
        request,
        _("%(name)s ora è nello stato «%(status)s». L'ente ne riceve comunicazione per e-mail.")
        % {"name": entity.name, "status": entity.get_status_display()},
    )
    return (
        redirect("entities:verification_queue")
        if action in ("verifica", "respingi")
        else redirect(entity)
    )


# --- members and invitations -----------------------------------------------------------------
def _members_entity(request: HttpRequest, pk: int, *, manage: bool) -> Entity:
    entity = entity_policy.get(request.user, pk=pk)
    if manage:
        if not entity_policy.can_change(request.user, entity):
            raise PermissionDenied
    elif entity.pk not in member_entity_ids(request.user) and not selectors.is_staff_for(
        request.user, entity
    ):
        raise PermissionDenied
    return entity


@login_required
def members(request: HttpRequest, pk: int) -> HttpResponse:
    manage = request.method == "POST"
    entity = _members_entity(request, pk, manage=manage)
    can_manage = entity_policy.can_change(request.user, entity)
    form = InvitationForm(request.POST or None)
    if manage and form.is_valid():
        try:
            services.invitation_create(
                entity=entity,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    for e in errors:
                        form.add_error(field if field in form.fields else None, e)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request, _("Invito inviato a %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("entities:members", pk=entity.pk)
    return render(
        request,
        "entities/members.html",
        {
            "entity": entity,
            "members": selectors.members_of(entity),
            "past_members": selectors.past_members_of(entity)[:50],
            "invitations": selectors.open_invitations(entity) if can_manage else [],
            "can_manage": can_manage,
            "form": form,
            "role_choices": EntityMembership.Role.choices,
            "now": timezone.now(),
            "crumbs": _crumbs(_("Persone"), entity=entity),
        },
    )


@login_required
@require_POST
def invitation_action(
    request: HttpRequest, pk: int, invitation_pk: int, action: str
) -> HttpResponse:
    entity = _members_entity(request, pk, manage=True)
    invitation = get_object_or_404(entity.invitations, pk=invitation_pk)
    try:
        if action == "reinvia":
            services.invitation_resend(invitation=invitation, user=request.user)
            messages.success(
                request, _("Invito inviato di nuovo a %(email)s.") % {"email": invitation.email}
            )
        elif action == "ritira":
            services.invitation_revoke(invitation=invitation, user=request.user)
            messages.success(
                request, _("Invito a %(email)s ritirato.") % {"email": invitation.email}
            )
        else:
            raise PermissionDenied
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("entities:members", pk=entity.pk)


@login_required
@require_POST
def membership_action(
    request: HttpRequest, pk: int, membership_pk: int, action: str
) -> HttpResponse:
    entity = _members_entity(request, pk, manage=True)
    membership = get_object_or_404(
        entity.memberships.current().select_related("user"), pk=membership_pk
    )
    try:
        if action == "ruolo":
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Scegli un ruolo valido."))
            services.membership_set_role(
                membership=membership, role=form.cleaned_data["role"], user=request.user
            )
            messages.success(request, _("Ruolo aggiornato."))
        elif action == "rimuovi":
            services.membership_end(membership=membership, user=request.user)
            messages.success(
                request,
                _("%(person)s non fa più parte dell'ente.")
                % {"person": membership.user.display_name},
            )
        else:
            raise PermissionDenied
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("entities:members", pk=entity.pk)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail. Without an account: the token waits in the session
    while the person signs up (the address is taken as verified) or logs in; then
    entities.invitations accepts it and the person lands on the entity's page."""
    invitation = get_object_or_404(
        EntityInvitation.objects.select_related("entity", "invited_by"), token=token
    )
    user = request.user if request.user.is_authenticated else None
    if user is not None and invitation.accepted_by_id == user.pk:
        messages.success(
            request, _("Fai parte di %(entity)s.") % {"entity": invitation.entity.name}
        )
        return redirect(invitation.entity)
    problem = services.invitation_problem(invitation, user)
    if request.method == "POST" and user is not None and not problem:
        services.invitation_accept(invitation=invitation, user=user)
        messages.success(
            request, _("Ti diamo il benvenuto in %(entity)s.") % {"entity": invitation.entity.name}
        )
        return redirect(invitation.entity)
    context = {"invitation": invitation, "problem": problem}
    if user is None and not problem:
        invitations.remember(request, kind=KIND, token=invitation.token, email=invitation.email)
        next_url = invitation.get_absolute_url()
        context["signup_url"] = (
            reverse("account_signup")
            + "?"
            + urlencode({"email": invitation.email, "next": next_url})
        )
        context["login_url"] = reverse("account_login") + "?" + urlencode({"next": next_url})
    return render(request, "entities/invitation.html", context)


# --- claims of a disputed tax code ------------------------------------------------------------
def _service_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form, next to its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def claim(request: HttpRequest) -> HttpResponse:
    """Ask to administer an entity already registered under one's body's tax code; the list of
    one's own requests with their outcome."""
    initial = {"tax_code": (request.GET.get("codice_fiscale") or "")[:20]}
    form = ClaimForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            claim = claims.claim_create(
                user=request.user,
                tax_code=form.cleaned_data["tax_code"],
                role=form.cleaned_data["role"],
                statement=form.cleaned_data["statement"],
                document=form.cleaned_data["document"],
                proven_fiscal_code=identity.proven_fiscal_code(request),
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            if claim.status == claim.Status.ACCEPTED:
                messages.success(
                    request,
                    _(
                        "Richiesta accolta: con SPID o CIE hai dimostrato di essere il legale rappresentante registrato per l'ente. Ora lo amministri."
                    ),
                )
                return redirect(claim.entity.get_absolute_url())
            messages.success(
                request,
                _("Richiesta inviata all'Ufficio di Piano: riceverai l'esito per e-mail."),
            )
            return redirect("entities:claim")
    return render(
        request,
        "entities/claim.html",
        {
            "form": form,
            "claims": selectors.claims_of(request.user),
            "crumbs": _crumbs(_("Richiedi l'amministrazione di un ente")),
        },
    )


@login_required
@require_POST
def take_over(request: HttpRequest, pk: int) -> HttpResponse:
    """The legal representative named on the entity's record becomes its administrator, once
    SPID/CIE proved their fiscal code in this session (entities.services.claims)."""
    entity = get_object_or_404(selectors.represented_entities(request.user), pk=pk)
    try:
        claims.legal_representative_take_over(
            user=request.user,
            entity=entity,
            proven_fiscal_code=identity.proven_fiscal_code(request),
        )
    except PermissionDenied:
        messages.warning(
            request,
            _("Per diventare amministratore dell'ente entra con SPID o CIE, poi riprova."),
        )
        return redirect("core:my_area")
    messages.success(
        request,
        _("Ora amministri %(name)s. Gli altri amministratori sono stati avvisati.")
        % {"name": entity.name},
    )
    return redirect(entity.get_absolute_url())


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim, for its claimant and for the Ufficio di Piano that decides it (POST)."""
    claim = claim_policy.get(
        request.user,
        pk=pk,
        queryset=claim_policy.visible(request.user).select_related(
            "entity", "entity__seat_comune", "claimant", "decided_by"
        ),
    )
    can_decide = claim_policy.can_decide(request.user, claim)
    form = ClaimDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                claims.claim_decide(
                    user=request.user,
                    claim=claim,
                    accept=form.cleaned_data["decision"] == "accept",
                    previous_admins=form.cleaned_data["previous_admins"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                claim.refresh_from_db()
                messages.success(
                    request,
                    _(
                        "Richiesta %(status)s: il richiedente e gli amministratori ne ricevono comunicazione per e-mail."
                    )
                    % {"status": claim.get_status_display().lower()},
                )
                return redirect("entities:verification_queue")
    context = {
        "claim": claim,
        "can_decide": can_decide,
        "decision_form": form,
        "crumbs": _crumbs(_("Richiesta di amministrazione")),
    }
    if can_decide:
        context.update(
            admins=selectors.members_of(claim.entity),
            other_claims=selectors.pending_claims_of(claim.entity).exclude(pk=claim.pk),
        )
    return render(request, "entities/claim_detail.html", context)


@login_required
def claim_document(request: HttpRequest, pk: int) -> FileResponse:
    claim = claim_policy.get(request.user, pk=pk)
    try:
        handle = claim.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=file_basename(claim.document))


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_policy.get(request.user, pk=pk)
    try:
        claims.claim_withdraw(user=request.user, claim=claim)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Richiesta ritirata."))
    return redirect("entities:claim")


# --- import and export -----------------------------------------------------------------------
def _import_ambiti(user):
    return Ambito.objects.filter(pk__in=managed_ambito_ids(user)).order_by("name")


def _chosen_ambito(request: HttpRequest, ambiti: list[Ambito]) -> Ambito | None:
    """The ambito the new entities go to: the one named in the POST, which must be one the user
    manages (403 otherwise), or the user's first when none is named."""
    value = request.POST.get("ambito")
    if not value:
        return ambiti[0] if ambiti else None
    ambito = next((a for a in ambiti if str(a.pk) == value), None)
    if ambito is None:
        raise PermissionDenied
    return ambito


def _import_context(request: HttpRequest, job: FileJob | None, **extra) -> dict:
    """The import page's context: the upload form, and the job with its outcome once done."""
    context: dict = {
        "ambiti": list(_import_ambiti(request.user)),
        "crumbs": _crumbs(_("Importa")),
        "job": jobs.live(job) if job is not None else None,
        **extra,
    }
    context.setdefault("form", ImportForm())
    if job is not None and job.status == FileJob.Status.DONE:
        result = job.result
        context.update(
            rows=result.get("rows", []),
            totals=result.get("totals", {}),
            base_errors=result.get("base_errors", []),
            ok=result.get("ok", False),
            dry_run=result.get("dry_run", False),
            row_count=result.get("row_count", 0),
            wrong_count=result.get("wrong_count", 0),
        )
    elif job is not None and job.status == FileJob.Status.FAILED:
        context["file_errors"] = [job.error]
    return context


@user_passes(is_ufficio_di_piano)
def import_entities(request: HttpRequest) -> HttpResponse:
    """The upload: checked at once (kind, size), then stored and imported in the background."""
    ambiti = list(_import_ambiti(request.user))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ambito = _chosen_ambito(request, ambiti)
        if ambito is None:
            raise PermissionDenied
        try:
            job = imports.import_start(
                user=request.user,
                ambito=ambito,
                upload=form.cleaned_data["file"],
                fmt=form.format,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("entities:import_job", pk=job.pk)
    latest = imports.latest_job(request.user)
    context = _import_context(request, None, form=form)
    if latest is not None and latest.is_active:
        context["running"] = latest
    return render(request, "entities/import.html", context)


@user_passes(is_ufficio_di_piano)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """One import of the user's: its progress, then what came of it."""
    job = imports.job_for_user(request.user, pk)
    return render(request, "entities/import.html", _import_context(request, job))


@user_passes(is_ufficio_di_piano)
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's block alone, polled by the page (htmx) until the import ends."""
    job = imports.job_for_user(request.user, pk)
    return render(request, "entities/partials/import_job.html", _import_context(request, job))


@user_passes(is_ufficio_di_piano)
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Import for real the file of a dry run that found no error."""
    job = imports.job_for_user(request.user, pk)
    try:
        new = imports.import_confirm(user=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("entities:import")
    return redirect("entities:import_job", pk=new.pk)


@user_passes(is_ufficio_di_piano)
def import_template(request: HttpRequest) -> HttpResponse:
    resource = EntityResource()
    dataset = tablib.Dataset(headers=[f.column_name for f in resource.get_export_fields()])
    dataset.append(
        [
            "Associazione Esempio ODV", "90012340417", "", "odv", "a", "iscritto", "12345", "15/03/2023",
            "Via Roma 1", "61032", "041013", "", "info@esempio.org", "", "", "Mario Rossi",
            "RSSMRA80A01H501U", "a, u", "famiglia-minori", "041013, 041029", "12", "0",
            "Breve descrizione",
        ]
    )  # fmt: skip
    return spreadsheet_response(
        dataset, requested_format(request, default="xlsx"), filename="modello-import-enti"
    )


@user_passes(is_staff_of)
def export(request: HttpRequest) -> HttpResponse:
    filterset = DirectoryFilter(
        request.GET or None, queryset=selectors.exportable_entities(request.user), request=request
    )
    queryset = filterset.qs.prefetch_related("operating_comuni").select_related("seat_comune")
    dataset = EntityResource().export(queryset=queryset)
    stamp = timezone.localdate().isoformat()
    return spreadsheet_response(dataset, requested_format(request), filename=f"enti-{stamp}")

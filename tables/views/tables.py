"""Pages of tables and their seats: list, detail, create, update, archive; members, requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito import routing
from ambito import selectors as ambito_selectors
from ambito.models import Ambito
from ambito.permissions import comune_staff_pairs, managed_ambito_ids
from core.forms import add_service_errors, flash_errors, form_action, posted_text
from core.http import AuthenticatedHttpRequest
from core.queries import select_related_only
from core.spreadsheets import requested_format, spreadsheet_response
from entities.models import Entity
from entities.permissions import administered_entity_ids
from tables import forms, resources, selectors, services
from tables.models import (
    Table,
    TableMembership,
)
from tables.permissions import (
    can_join,
    can_manage_table,
    creatable_comuni,
    is_member,
    membership_policy,
    table_form_comuni,
    table_policy,
)


def table_list(request: HttpRequest) -> HttpResponse:
    ambiti = ambito_selectors.ambiti_named()
    code = request.GET.get("ambito") or routing.place().code  # inside an ambito: its tables
    ambito = next((a for a in ambiti if a.code == code), None)
    page: Page[Table] = Paginator(selectors.tables_rows(ambito=ambito), 20).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_card_details(list(page.object_list))
    user = request.user
    can_create = user.is_authenticated and bool(
        managed_ambito_ids(user) or comune_staff_pairs(user)
    )
    return render(
        request,
        "tables/table_list.html",
        {
            "page_obj": page,
            "ambiti": ambiti if routing.place().pk is None else [],  # no filter inside one
            "ambito": ambito,
            "can_create": can_create,
            "querystring_prefix": f"ambito={ambito.code}&" if ambito else "",
        },
    )


@login_required
def table_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Ufficio di Piano creates any table of its ambiti; a comune's staff the concertation
    tables of their comune (tables.permissions.creatable_comuni)."""
    user = request.user
    ambito_ids = managed_ambito_ids(user) | {a for a, _c in comune_staff_pairs(user)}
    ambiti = list(Ambito.objects.filter(pk__in=ambito_ids).order_by("name"))
    if not ambiti:
        raise PermissionDenied
    chosen = request.GET.get("ambito") or str(routing.place().pk)  # default: the visitor's ambito
    ambito = next((a for a in ambiti if str(a.pk) == chosen), ambiti[0])
    comuni = creatable_comuni(user, ambito)
    initial = {}
    if comuni is not None:
        wanted = request.GET.get("comune", "")
        initial["comune"] = int(wanted) if wanted.isdigit() and int(wanted) in comuni else None
    form = forms.TableForm(request.POST or None, ambito=ambito, comuni=comuni, initial=initial)
    if request.method == "POST" and form.is_valid():
        table = services.table_save(form=form, actor=request.user, ambito=ambito)
        messages.success(request, _("Tavolo creato."))
        return redirect(table)
    return render(
        request,
        "tables/table_form.html",
        {"form": form, "ambito": ambito, "ambiti": ambiti, "table": None},
    )


@login_required
def table_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk, write=True)
    form = forms.TableForm(
        request.POST or None,
        instance=table,
        ambito=table.ambito,
        comuni=table_form_comuni(request.user, table),
    )
    if request.method == "POST" and form.is_valid():
        services.table_save(form=form, actor=request.user)
        messages.success(request, _("Modifiche salvate."))
        return redirect(table)
    return render(
        request, "tables/table_form.html", {"form": form, "ambito": table.ambito, "table": table}
    )


@login_required
@require_POST
def table_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk, write=True)
    archived = table.archived_at is None
    services.table_archive(table=table, actor=request.user, archived=archived)
    messages.success(request, _("Tavolo archiviato.") if archived else _("Tavolo riattivato."))
    return redirect(table)


def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    table = table_policy.get(
        user,
        pk=pk,
        queryset=table_policy.visible(user)
        .select_related("ambito", "comune")
        .prefetch_related("themes", "coordinators"),
    )
    manager = can_manage_table(user, table)
    person = ("first_name", "last_name", "email")  # what display_name reads
    members = list(
        select_related_only(
            selectors.active_members().select_related(None).filter(table=table),
            entity=("name",),
            comune=("name",),
            delegate=person,
            substitute=person,
        )
    )
    upcoming, past = selectors.table_meetings(table, user, manager=manager)
    member = is_member(user, table)
    my_requests = []
    if user.is_authenticated:
        entity_ids = administered_entity_ids(user)
        my_requests = [m for m in members if m.entity_id in entity_ids]
        my_requests += list(
            table.memberships.filter(
                entity_id__in=entity_ids, status=TableMembership.Status.REQUESTED
            ).select_related("entity")
        )
    context = {
        "table": table,
        "manager": manager,
        "member": member,
        "members": members,
        "upcoming": upcoming,
        "past": past,
        "pending_count": table.memberships.filter(status=TableMembership.Status.REQUESTED).count()
        if manager
        else 0,
        "can_join": can_join(user, table),
        "my_requests": my_requests,
        "feed_url": request.build_absolute_uri(
            reverse("tables:table_feed", kwargs={"pk": table.pk})
        ),
    }
    return render(request, "tables/table_detail.html", context)


@login_required
def table_members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk, write=True)
    add_form = forms.MemberAddForm(request.POST or None, ambito=table.ambito)
    if request.method == "POST" and add_form.is_valid():
        data = add_form.cleaned_data
        try:
            if data["kind"] == TableMembership.Kind.EXPERT:
                person = services.expert_user(
                    email=data["email"], first_name=data["first_name"], last_name=data["last_name"]
                )
            else:
                person = data["person"]
            services.membership_add(
                table=table,
                kind=data["kind"],
                person=person,
                comune=data.get("comune"),
                motivation=data.get("motivation", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(add_form, exc)
        else:
            messages.success(request, _("Membro aggiunto."))
            return redirect("tables:members", pk=table.pk)
    members = list(selectors.active_members().filter(table=table))
    for member in members:  # named with their table ("Rimuovi" says which seat): the page's own
        member.table = table
    context = {
        "table": table,
        "members": members,
        "requests": list(
            table.memberships.filter(status=TableMembership.Status.REQUESTED).select_related(
                "entity", "delegate", "substitute"
            )
        ),
        "history": list(
            selectors.table_history(table).filter(status__in=["refused", "left"])[:100]
        ),
        "add_form": add_form,
        "decision_form": forms.DecisionForm(),
    }
    return render(request, "tables/table_members.html", context)


@login_required
def members_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The members and their attendance as a spreadsheet: for who manages the table (as its
    members page)."""
    table = table_policy.get(request.user, pk=pk, write=True)
    return spreadsheet_response(
        resources.members_attendance_dataset(table),
        requested_format(request),
        filename=f"membri-presenze-{table.slug or table.pk}",
    )


@login_required
def table_join(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk)
    if not can_join(request.user, table):
        raise PermissionDenied
    entities = Entity.objects.filter(
        pk__in=administered_entity_ids(request.user),
        ambito_id=table.ambito_id,
        status=Entity.Status.VERIFIED,
    ).order_by("name")
    if not entities.exists():
        messages.error(
            request,
            _(
                "Solo un ente verificato può chiedere di partecipare: il tuo ente è in attesa di verifica."
            ),
        )
        return redirect(table)
    form = forms.JoinForm(request.POST or None, entities=entities)
    return form_action(
        request,
        form,
        lambda data: services.membership_request(
            table=table,
            entity=data["entity"],
            delegate=data["delegate"],
            substitute=data["substitute"],
            motivation=data["motivation"],
            actor=request.user,
        ),
        success=_("Richiesta inviata: riceverai una e-mail quando l'Ufficio di Piano avrà deciso."),
        redirect_to=table,
    ) or render(request, "tables/table_join.html", {"table": table, "form": form})


@login_required
@require_POST
def membership_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = membership_policy.get(request.user, pk=pk, write=True)
    form = forms.DecisionForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    try:
        services.membership_decide(
            membership=membership,
            approve=approve,
            reason=form.cleaned_data.get("reason", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Richiesta accolta.") if approve else _("Richiesta respinta."))
    return redirect("tables:members", pk=membership.table_id)


@login_required
@require_POST
def membership_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = membership_policy.get(request.user, pk=pk)
    if not membership_policy.can_leave(request.user, membership):
        raise PermissionDenied
    try:
        services.membership_leave(
            membership=membership,
            actor=request.user,
            reason=posted_text(request.POST.get("reason")),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Partecipazione chiusa: resta nello storico del tavolo."))
    if can_manage_table(request.user, membership.table):
        return redirect("tables:members", pk=membership.table_id)
    return redirect(membership.table)

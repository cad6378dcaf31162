"""Page assembly for the entity views: what a page shows beyond one query, put together here so
that the views only parse the request, check permission and render."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _lazy

from ambito.models import Ambito
from ambito.permissions import managed_ambito_ids
from core import jobs
from core.models import FileJob
from entities.models import Entity
from entities.permissions import entity_policy
from entities.selectors.directory import activities_and_groups
from entities.selectors.records import (
    identity_changes,
    is_staff_for,
    my_membership,
    pending_claims_of,
    queue_counts,
    status_history,
    verification_queue,
)

ACTION_LABELS = {
    "entities.entity.registered": _lazy("Registrazione"),
    "entities.entity.updated": _lazy("Modifica dei dati"),
    "entities.entity.verified": _lazy("Verificato"),
    "entities.entity.rejected": _lazy("Respinto"),
    "entities.entity.suspended": _lazy("Sospeso"),
    "entities.entity.pending": _lazy("Di nuovo in verifica"),
    "entities.entity.imported": _lazy("Importato da file"),
    "entities.entity.import_updated": _lazy("Aggiornato da file"),
    "entities.invitation.sent": _lazy("Invito inviato"),
    "entities.invitation.revoked": _lazy("Invito ritirato"),
    "entities.member.joined": _lazy("Nuova persona"),
    "entities.member.role_changed": _lazy("Ruolo cambiato"),
    "entities.member.removed": _lazy("Persona rimossa"),
    "entities.claim.submitted": _lazy("Richiesta di amministrazione"),
    "entities.claim.accepted": _lazy("Richiesta di amministrazione accolta"),
    "entities.claim.rejected": _lazy("Richiesta di amministrazione respinta"),
    "entities.claim.withdrawn": _lazy("Richiesta di amministrazione ritirata"),
}
HISTORY_SHOWN = 100


@dataclass(frozen=True, slots=True)
class Badges:
    """A directory card's activity and target group badges, as plain values: rendered only when
    the card is (the directory memoises its cards by their content: on a kept card, never)."""

    activities: tuple[tuple[str, str], ...]  # (code, name)
    groups: tuple[str, ...]

    def __html__(self) -> str:
        activity_badges = format_html_join(
            "",
            '<span class="badge bg-light text-dark border me-1" title="{}">{}) {}</span>',
            ((name, code, Truncator(name).chars(40)) for code, name in self.activities),
        )
        group_badges = format_html_join(
            "", '<span class="badge bg-primary me-1">{}</span>', ((n,) for n in self.groups)
        )
        # the space between the two runs as the template had it
        return format_html("{}\n            {}", activity_badges, group_badges)

    def __str__(self) -> str:
        return self.__html__()


def with_badges(entities: list[Entity]) -> list[Entity]:
    """Set `badges` on each entity of a directory page: its activities' and target groups'
    badges (Badges), read for the whole page in two queries."""
    activities, groups = activities_and_groups([e.pk for e in entities])
    for entity in entities:
        entity.badges = Badges(tuple(activities[entity.pk]), tuple(groups[entity.pk]))
    return entities


def entity_profile(user, entity: Entity) -> dict:
    """What the profile page shows of `entity` to `user`: their role towards it, and for the
    staff of its ambito the history, the changes of identifying data and pending claims."""
    is_staff = is_staff_for(user, entity)
    membership = my_membership(user, entity)
    can_verify = entity_policy.can_verify(user, entity)
    history = list(status_history(entity)[:HISTORY_SHOWN]) if is_staff else []
    for event in history:
        event.label = ACTION_LABELS.get(event.action, event.action)
    return {
        "is_staff": is_staff,
        "membership": membership,
        "can_change": entity_policy.can_change(user, entity),
        "can_verify": can_verify,
        "show_private": is_staff or membership is not None,
        "history": history,
        "identity_changes": (
            identity_changes([entity]).get(entity.pk)
            if is_staff and not entity.is_verified
            else None
        ),
        "pending_claims": pending_claims_of(entity) if can_verify else (),
    }


def verification_page(user, status: str, page_number, *, per_page: int) -> dict:
    """The verification queue's tab of `status` (pending when unknown), one page of it with
    each entity's changes of identifying data, and the count of every tab."""
    if status not in Entity.Status.values:
        status = Entity.Status.PENDING
    counts = queue_counts(user)
    paginator = Paginator(verification_queue(user, status), per_page)
    paginator.count = counts[status]  # known from the tabs' counts: no COUNT(*) of its own
    page: Page = paginator.get_page(page_number)
    changes = identity_changes(page.object_list)
    for entity in page.object_list:
        entity.identity_changes = changes.get(entity.pk)
    return {
        "page_obj": page,
        "status": status,
        "status_label": Entity.Status(status).label,
        "counts": counts,
        "statuses": Entity.Status.choices,
    }


def import_ambiti(user) -> list[Ambito]:
    """The ambiti whose new entities `user` may import, by name."""
    return list(Ambito.objects.filter(pk__in=managed_ambito_ids(user)).order_by("name"))


def import_job_outcome(job: FileJob | None) -> dict:
    """The import page's part about a job: the job while it runs, what came of it once done."""
    context: dict = {"job": jobs.live(job) if job is not None else None}
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

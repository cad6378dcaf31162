"""Reads used by participation's views, blocks and feeds: scoped to the user, pre-fetched."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from core.models import User
from core.queries import FirstPerGroup, count_of, select_related_only
from participation.models import (
    Booking,
    Event,
    EventSession,
    LibraryItem,
    News,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Registration,
)
from participation.permissions import event_policy, library_policy, news_policy, proposal_policy

# What proposal pages show of the rows a proposal points at.
_NAME = ("name",)
PROPOSAL_RELATED = {
    "table": _NAME,
    "procedure": ("title",),
    "author": User.DISPLAY_FIELDS,
    "entity": _NAME,
    "area": _NAME,
}


def _listed(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return (
        select_related_only(proposals, **PROPOSAL_RELATED)
        .annotate(
            support_count=count_of(ProposalSupport.objects, "proposal"),
            comment_count=count_of(ProposalComment.objects, "proposal"),
        )
        .order_by("-created_at", "-id")
    )


def proposals_for_user(*, user) -> QuerySet[Proposal]:
    """The logged-in list: what the user reads as author, participant or staff."""
    return _listed(proposal_policy.participant_visible(user))


def public_proposals(*, ambito) -> QuerySet[Proposal]:
    """The public proposals of `ambito`, those hidden by the moderation included (their page
    and the list show the reason in place of the text)."""
    return _listed(Proposal.objects.filter(ambito=ambito, is_public=True))


def proposals_of_author(*, user) -> QuerySet[Proposal]:
    """The user's own proposals, newest first (an author always sees them: no visibility
    lookups, no counts)."""
    return (
        Proposal.objects.filter(author=user)
        .only("id", "title", "status", "created_at")
        .order_by("-created_at", "-id")
    )


def proposal_detail(*, user, pk: int) -> Proposal:
    """A proposal the user may read (a 404 otherwise), with what its page shows."""
    qs = select_related_only(
        Proposal.objects,
        **PROPOSAL_RELATED,
        ambito=("name", "code"),
        answered_by=User.DISPLAY_FIELDS,
        hidden_by=User.DISPLAY_FIELDS,
    ).annotate(support_count=count_of(ProposalSupport.objects, "proposal"))
    if getattr(user, "is_authenticated", False):
        qs = qs.annotate(
            supported_by_me=Exists(
                ProposalSupport.objects.filter(proposal=OuterRef("pk"), user=user)
            )
        )
    return proposal_policy.get(user, pk=pk, queryset=qs)


PROPOSAL_PARTS_TIMEOUT = 10 * 60


def _parts_key(proposal_id: int) -> str:
    return f"participation:proposal-parts:{proposal_id}"


def proposal_parts(proposal: Proposal) -> dict:
    """What a proposal's page lists: the names of its target groups and comuni, its attachments
    (cached: they are fixed when it is submitted; forget_proposal_parts drops them when the
    admin changes them; a renamed target group or comune shows within ten minutes), and its
    comments with their authors."""
    key = _parts_key(proposal.pk)
    fixed = cache.get(key)
    if fixed is None:
        fixed = {
            "target_groups": list(proposal.target_groups.values_list("name", flat=True)),
            "comuni": list(proposal.comuni.values_list("name", flat=True)),
            "attachments": [
                {"pk": pk, "name": name, "size": size}
                for pk, name, size in proposal.attachments.values_list("pk", "name", "size")
            ],
        }
        cache.set(key, fixed, PROPOSAL_PARTS_TIMEOUT)
    comments = select_related_only(
        proposal.comments.all(), author=User.DISPLAY_FIELDS, hidden_by=User.DISPLAY_FIELDS
    )
    return {**fixed, "comments": list(comments.order_by("created_at", "id"))}


def forget_proposal_parts(*, instance, **signal_kwargs) -> None:
    """A signal receiver (participation.apps): a proposal, its target groups or comuni, or one
    of its attachments changed. Now and again at commit, as forget_directory_choices does."""
    if signal_kwargs.get("reverse"):  # changed from the target group's or comune's side
        ids = signal_kwargs.get("pk_set") or ()
    else:
        ids = [getattr(instance, "proposal_id", None) or instance.pk]
    keys = [_parts_key(pk) for pk in ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def proposals_of(*, user, table=None, procedure=None) -> QuerySet[Proposal]:
    qs = _listed(proposal_policy.visible(user))
    if table is not None:
        qs = qs.filter(table=table)
    if procedure is not None:
        qs = qs.filter(procedure=procedure)
    return qs


def _session_counts() -> dict:
    """Per session: confirmed seats, seats held for an address still to confirm (while the hold
    lasts), the seats taken (the two), the waiting list, those present."""
    held = Q(
        bookings__status=Booking.Status.HELD,
        bookings__registration__hold_expires_at__gt=timezone.now(),
    )
    confirmed = Q(bookings__status=Booking.Status.CONFIRMED)
    return {
        "confirmed_count": Count("bookings", filter=confirmed, distinct=True),
        "held_count": Count("bookings", filter=held, distinct=True),
        "taken_count": Count("bookings", filter=confirmed | held, distinct=True),
        "waiting_count": Count(
            "bookings", filter=Q(bookings__status=Booking.Status.WAITING), distinct=True
        ),
        "attended_count": Count(
            "bookings", filter=Q(bookings__attended_at__isnull=False), distinct=True
        ),
    }


def sessions_with_counts(event: Event) -> list[EventSession]:
    return list(
        event.sessions.select_related("table")
        .annotate(**_session_counts())
        .order_by("starts_at", "title")
    )


def events_for_user(*, user, past: bool = False) -> QuerySet[Event]:
    """Events visible to the user with `session_count`, what the list's cards show: the fields
    they print and the ambito's name only (the other columns are neither read nor part of the
    memoised cards' keys), the sessions counted per row as a subquery (no join and GROUP BY,
    in the page's count too)."""
    shown = ("title", "summary", "place", "starts_at", "status", "ambito__name")
    qs = (
        event_policy.visible(user)
        .select_related("ambito")
        .only(*shown)
        .annotate(session_count=count_of(EventSession.objects.all(), "event"))
    )
    now = timezone.now()
    return (
        qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
        if past
        else qs.filter(ends_at__gte=now).order_by("starts_at", "pk")
    )


def next_public_event(*, ambito_id: int | None = None) -> Event | None:
    qs = Event.objects.published().upcoming().select_related("ambito")
    if ambito_id is not None:
        qs = qs.filter(ambito_id=ambito_id)
    return qs.order_by("starts_at").first()


CARD_EVENTS = 3  # events named on each ambito's card of the region's home
_UPCOMING_BY_AMBITO = FirstPerGroup(
    lambda ambito_ids, now: (
        Event.objects.published()
        .upcoming(now)
        .filter(ambito_id__in=ambito_ids)
        .only("pk", "ambito_id", "title", "starts_at")
    ),
    model=Event,
    group="ambito",
    order=[F("starts_at").asc(), F("pk").asc()],
    n=CARD_EVENTS,
    count_as="to_come",
)


def upcoming_events_by_ambito(ambito_ids: list[int]) -> dict:
    """{ambito pk: (its next CARD_EVENTS public events, how many are to come)}: one query for
    all the ambiti (the region's home)."""
    rows = _UPCOMING_BY_AMBITO.run(ambito_ids=tuple(ambito_ids), now=timezone.now())
    found: dict[int, tuple[list[Event], int]] = {}
    for event in rows:
        found.setdefault(event.ambito_id, ([], event.to_come))[0].append(event)
    return found


def news_for_user(*, user) -> QuerySet[News]:
    return news_policy.visible(user).select_related("ambito").order_by("-published_at", "-id")


def latest_news(limit: int = 3, *, ambito_id: int | None = None) -> list[News]:
    qs = News.objects.published().select_related("ambito")
    if ambito_id is not None:
        qs = qs.filter(ambito_id=ambito_id)
    return list(qs.order_by("-published_at", "-id")[:limit])


def library_for_user(*, user) -> QuerySet[LibraryItem]:
    return (
        library_policy.visible(user)
        .select_related("ambito")
        .prefetch_related("tags", "target_groups")
        .order_by("-published_at", "-id")
    )


def registrations_of_user(*, user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(
            Q(user=user) | Q(email__iexact=user.email),
            cancelled_at__isnull=True,
            confirmed_at__isnull=False,
        )
        .select_related("event")
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.exclude(status=Booking.Status.CANCELLED).select_related(
                    "session"
                ),
            )
        )
        .filter(event__ends_at__gte=timezone.now())
        .order_by("event__starts_at")
    )


def bookings_for_export(event: Event) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(session__event=event)
        .select_related("registration", "session")
        .order_by("session__starts_at", "session__title", "status", "created_at", "id")
    )

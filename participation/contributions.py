"""Blocks participation adds to other layers' pages (core.registry), and the personal data
it contributes to the user's download."""

from __future__ import annotations

from django.db.models import BooleanField, Value
from django.utils.translation import gettext_lazy

from ambito import routing
from ambito.permissions import is_staff_of, is_ufficio_di_piano
from ambito.selectors import current_ambito
from core import registry
from core.search import Hit, SearchProvider, day, excerpt, matching
from participation import permissions, selectors
from participation.models import (
    Event,
    LibraryItem,
    News,
    ParticipationSettings,
    Proposal,
)
from participation.services import personal_data

BLOCK_ROWS = 10


def _home_event(request):
    ambito = current_ambito(request)
    if ambito is None:  # a regional portal's home: each ambito's card lists its own (below)
        return None
    event = selectors.next_public_event(ambito_id=ambito.pk)
    if event is None:
        return None
    return "participation/sections/home_event.html", {
        "event": event,
        "sessions": selectors.sessions_with_counts(event),
    }


def _home_news(request):
    ambito = current_ambito(request)
    if ambito is None:
        return None
    news = selectors.latest_news(ambito_id=ambito.pk)
    if not news:
        return None
    return "participation/sections/home_news.html", {"news": news}


def _ambito_cards(request, ambiti):
    found = selectors.upcoming_events_by_ambito([a.pk for a in ambiti])
    return {
        pk: ("participation/sections/ambito_card.html", {"events": rows, "count": count})
        for pk, (rows, count) in found.items()
    }


def _my_proposals(request):
    if not request.user.is_authenticated:
        return None
    mine = list(selectors.proposals_of_author(user=request.user)[:BLOCK_ROWS])
    registrations = list(selectors.registrations_of_user(user=request.user)[:BLOCK_ROWS])
    if not mine and not registrations:
        return None
    return "participation/sections/my_area.html", {
        "proposals": mine,
        "registrations": registrations,
    }


def _proposals_block(request, *, table=None, procedure=None):
    user = request.user
    if not user.is_authenticated:
        # proposals are read by the people of their table or procedure only, and only they may
        # propose: nothing to show, and no query to build (its annotations cost ~2 ms)
        return None
    proposals = list(
        selectors.proposals_of(user=user, table=table, procedure=procedure)[:BLOCK_ROWS]
    )
    can_propose = permissions.can_propose(user, table=table, procedure=procedure)
    if not proposals and not can_propose:
        return None
    return "participation/sections/proposals.html", {
        "proposals": proposals,
        "can_propose": can_propose,
        "table": table,
        "procedure": procedure,
        "query": f"table={table.pk}" if table is not None else f"procedure={procedure.pk}",
    }


def _table_page(request, table):
    return _proposals_block(request, table=table)


def _procedure_page(request, procedure):
    return _proposals_block(request, procedure=procedure)


def _search_proposals(user, term: str):
    # a hidden proposal is not found by its words: its page shows the reason in their place
    visible = (
        permissions.proposal_policy.visible(user)
        .filter(hidden_at__isnull=True)
        .select_related("table", "procedure")
    )
    return matching(routing.scoped(visible), term, ["title", "text"])


def _proposal_hit(proposal: Proposal, term: str) -> Hit:
    where = proposal.table.name if proposal.table else getattr(proposal.procedure, "title", "")
    meta = " · ".join(x for x in (str(proposal.get_status_display()), where) if x)
    return Hit(proposal.title, proposal.get_absolute_url(), excerpt(proposal.text, term), meta)


def _search_news(user, term: str):
    visible = routing.scoped(permissions.news_policy.visible(user))
    return matching(visible, term, ["title", "summary", "body"])


def _news_hit(news: News, term: str) -> Hit:
    meta = day(news.published_at) if news.published_at else gettext_lazy("Non pubblicata")
    return Hit(news.title, news.get_absolute_url(), news.summary, str(meta))


def _search_library(user, term: str):
    visible = routing.scoped(permissions.library_policy.visible(user))
    return matching(visible, term, ["title", "description", "source"])


def _library_hit(item: LibraryItem, term: str) -> Hit:
    meta = " · ".join(str(x) for x in (item.get_kind_display(), item.source, item.year) if x)
    return Hit(item.title, item.get_absolute_url(), excerpt(item.description, term), meta)


def _search_events(user, term: str):
    visible = routing.scoped(permissions.event_policy.visible(user))
    return matching(visible, term, ["title", "summary", "description", "place"])


def _event_hit(event: Event, term: str) -> Hit:
    meta = f"{day(event.starts_at)} · {event.place}"
    if event.status != Event.Status.PUBLISHED:
        meta = f"{meta} · {event.get_status_display()}"
    return Hit(
        event.title,
        event.get_absolute_url(),
        excerpt(event.summary or event.description, term),
        meta,
    )


# --- the public proposals of an ambito, linked from its pages --------------------------------
PUBLIC_PROPOSALS_LINK = "participation/sections/public_proposals_link.html"


def _proposal_links(ambito_ids) -> dict[int, bool]:
    """{ambito id: open to citizens' proposals} for those of `ambito_ids` that are open to them
    or have public proposals: one query (a UNION) however many ambiti."""
    flag = BooleanField()
    opened = ParticipationSettings.objects.filter(
        ambito_id__in=ambito_ids, citizen_proposals=True
    ).values_list("ambito_id", Value(True, output_field=flag))
    public = (
        Proposal.objects.filter(ambito_id__in=ambito_ids, is_public=True)
        .order_by()
        .values_list("ambito_id", Value(False, output_field=flag))
    )
    links: dict[int, bool] = {}
    for ambito_id, is_open in opened.union(public):
        links[ambito_id] = links.get(ambito_id, False) or is_open
    return links


def _public_proposals_block(request, ambito, *, compact: bool = False):
    links = _proposal_links([ambito.pk])
    manages = is_ufficio_di_piano(request.user, ambito)
    if not (ambito.pk in links or manages):
        return None
    return PUBLIC_PROPOSALS_LINK, {
        "ambito": ambito,
        "open": links.get(ambito.pk, False),
        "can_configure": manages,
        "compact": compact,
    }


def _public_proposals_home(request):
    ambito = current_ambito(request)
    return None if ambito is None else _public_proposals_block(request, ambito)


def _public_proposals_ambito_page(request, ambito):
    return _public_proposals_block(request, ambito)


def _public_proposals_cards(request, ambiti):
    """A one-line link on the card of each ambito open to citizens' proposals or with public
    ones (one query whatever the number of ambiti)."""
    links = _proposal_links([a.pk for a in ambiti])
    return {
        a.pk: (PUBLIC_PROPOSALS_LINK, {"ambito": a, "open": links[a.pk], "compact": True})
        for a in ambiti
        if a.pk in links
    }


# --- the regolamento and principles page, linked from the pages below -----------------------
CHARTER_LINK = "participation/sections/charter_link.html"


def _charter_home(request):
    ambito = current_ambito(request)
    return None if ambito is None else (CHARTER_LINK, {"ambito": ambito})


def _charter_cards(request, ambiti):
    return {a.pk: (CHARTER_LINK, {"ambito": a, "compact": True}) for a in ambiti}


def _charter_procedure_page(request, procedure):
    return CHARTER_LINK, {"ambito": procedure.ambito}


def _charter_ambito_page(request, ambito):
    return CHARTER_LINK, {"ambito": ambito}


def _analytics_ambito_page(request, ambito):
    """The link to the participation analytics, for the ambito's staff."""
    if not is_staff_of(request.user, ambito):
        return None
    return "participation/sections/analytics_link.html", {"ambito": ambito}


def register() -> None:
    for provider in (
        SearchProvider("proposte", gettext_lazy("Proposte"), 50, _search_proposals, _proposal_hit),
        SearchProvider("notizie", gettext_lazy("Notizie"), 60, _search_news, _news_hit),
        SearchProvider("biblioteca", gettext_lazy("Biblioteca"), 70, _search_library, _library_hit),
        SearchProvider("eventi", gettext_lazy("Eventi"), 80, _search_events, _event_hit),
    ):
        registry.add("search", provider.kind, provider.order, provider)
    registry.add("home", "participation_event", 20, _home_event)
    registry.add("home", "participation_news", 30, _home_news)
    registry.add("ambito_card", "participation", 20, _ambito_cards)
    registry.add("my_area", "participation", 30, _my_proposals)
    registry.add("table_page", "participation_proposals", 40, _table_page)
    registry.add("procedure_page", "participation_proposals", 40, _procedure_page)
    registry.add("personal_data", "participation", 0, personal_data.personal_data_export)
    registry.add("erase_personal_data", "participation", 0, personal_data.personal_data_erase)
    registry.add(
        "retention", "participation.event_registrations", 0, personal_data.registrations_purge
    )
    registry.add("home", "participation_public_proposals", 40, _public_proposals_home)
    registry.add("ambito_card", "participation_public_proposals", 30, _public_proposals_cards)
    registry.add("ambito_page", "participation_public_proposals", 20, _public_proposals_ambito_page)
    registry.add("home", "participation_charter", 90, _charter_home)
    registry.add("ambito_card", "participation_charter", 90, _charter_cards)
    registry.add("procedure_page", "participation_charter", 90, _charter_procedure_page)
    registry.add("ambito_page", "participation_analytics", 80, _analytics_ambito_page)
    registry.add("ambito_page", "participation_charter", 90, _charter_ambito_page)

"""Global search (/cerca/): one box in the header, results from every app grouped by kind.

core knows no app (ARCHITECTURE.md): each app registers, in the registry slot "search" (its contributions.py),
a `SearchProvider` for each kind of row it owns. A provider's `rows(user, term)` returns the rows
`user` may open (the app's own policy, the one its pages use: never a second permission logic)
that match `term`, best first, limited to the ambito of the URL prefix (`ambito.routing.scoped`)
when there is one; `hit(row, term)` says how the row reads in the results.

`matching()` is the text match every provider uses: PostgreSQL full-text search with Italian
stemming ("cooperative" finds "cooperativa"), websearch syntax ("asilo -nido", "quoted words"),
ranked by SearchRank over the table's stored `search_document` (a generated tsvector column
with a GIN index, added by `add_search_document` in the app's migration: the first field
weighs most); on other databases (the SQLite embedded mode) every word must appear,
as a substring, in one of the fields. A page of results reads each kind once, with its total
(COUNT(*) OVER ()): the same queries whatever the number of rows; each kind ranks CAP matching
rows at most (found through the GIN index), so a very common word costs no more than CAP."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Expression, Q, QuerySet, Subquery, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString

MIN_LENGTH = 3  # characters of a search term, spaces aside
MAX_LENGTH = 200
MAX_WORDS = 8
GROUP_SIZE = 10  # rows of each kind on the results page
# Rows of one kind ranked at most: a word found in tens of thousands of rows (every meeting's
# title says "Seduta") would otherwise rank them all on each search. Beyond it the page says
# "more than CAP" and asks for more words.
CAP = 500
PAGE_SIZE = 20  # rows per page when one kind is shown
EXCERPT_CHARS = 220


@dataclass(frozen=True)
class Hit:
    """One result: its title, its page, an excerpt of its text and a line about it."""

    title: str
    url: str
    text: str = ""
    meta: str = ""


@dataclass(frozen=True)
class SearchProvider:
    kind: str  # the kind in the URL (?tipo=enti)
    label: Any  # the group's heading (a lazy translation)
    order: int
    # (user, term) -> the matching rows, best first; no DISTINCT (each kind's rows and total
    # come from one query with COUNT(*) OVER (), which would count duplicates)
    rows: Callable[[Any, str], QuerySet]
    hit: Callable[[Any, str], Hit]  # (row, term)
    # The kind's own list page showing the rows that match `term`, when its text filter finds
    # the same rows as `rows` (the directory's: the same full-text search); None: the search
    # pages through the kind itself (a list that filters by substring would show other rows).
    list_url: Callable[[str], str] | None = None


@dataclass
class Group:
    provider: SearchProvider
    total: int
    hits: list[Hit] = field(default_factory=list)
    more_url: str = ""  # every match of the kind: its list page filtered, or the search of it
    capped: bool = False  # more than CAP rows match (total is then CAP)

    @property
    def kind(self) -> str:
        return self.provider.kind

    @property
    def label(self) -> Any:
        return self.provider.label


def clean_term(raw: str | None) -> str:
    """The term as searched: control characters out (PostgreSQL refuses NUL), spaces
    collapsed, at most MAX_LENGTH characters."""
    printable = "".join(c if c.isprintable() else " " for c in (raw or ""))
    return " ".join(printable.split())[:MAX_LENGTH]


def is_searchable(term: str) -> bool:
    return len(term.replace(" ", "")) >= MIN_LENGTH


_WORD = r"[^\W_]+(?:['’][^\W_]+)*"


def words(term: str) -> list[str]:
    """The words the term asks for (websearch's `or`, quotes and `-excluded` words left out),
    at most MAX_WORDS."""
    return [w for w in _split(term)[0] if w.lower() != "or"][:MAX_WORDS]


def _split(term: str) -> tuple[list[str], list[str]]:
    """(wanted, excluded) words: `-word` (outside quotes) excludes, as in websearch syntax."""
    wanted: list[str] = []
    excluded: list[str] = []
    for token in re.sub(
        r'"[^"]*"', lambda m: f" {m.group(0).strip(chr(34)).replace('-', ' ')} ", term
    ).split():
        into = excluded if token.startswith("-") else wanted
        into.extend(re.findall(_WORD, token))
    return wanted, excluded


class StoredDocument(Expression):
    """The tsvector PostgreSQL keeps in the queryset's table, column `search_document`."""

    def __init__(self) -> None:
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(compiler.query.base_table)}.search_document", []


def matching(qs: QuerySet, term: str, fields: Sequence[str]) -> QuerySet:
    """The rows of `qs` that match `term`, best first (`search_rank` on PostgreSQL, where the
    table's stored document holds `fields`; elsewhere each word in one of `fields`)."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(term, config="italian", search_type="websearch")
        return (
            qs.alias(search_document=StoredDocument())
            .filter(search_document=query)
            .annotate(search_rank=SearchRank(StoredDocument(), query))
            .order_by("-search_rank", "-pk")
        )
    wanted, excluded = words(term), _split(term)[1][:MAX_WORDS]
    if not wanted and not excluded:  # punctuation only: nothing to look for
        return qs.none()
    for word in wanted:
        qs = qs.filter(_in_any(fields, word))
    for word in excluded:
        qs = qs.exclude(_in_any(fields, word))
    return qs.order_by("-pk")


def _in_any(fields: Sequence[str], word: str) -> Q:
    found = Q()
    for name in fields:
        found |= Q(**{f"{name}__icontains": word})
    return found


def document_sql(fields: Sequence[str]) -> str:
    """The Italian tsvector of `fields` (columns of one table), the first weighing most."""
    parts = [
        f"setweight(to_tsvector('italian'::regconfig, COALESCE({name}::text, '')), "
        f"'{'A' if i == 0 else 'B'}')"
        for i, name in enumerate(fields)
    ]
    return " || ".join(parts)


def add_search_document(table: str, fields: Sequence[str]):
    """A migration operation: `table`.search_document, the stored tsvector of `fields` that
    PostgreSQL computes on every write, with a GIN index (nothing on other databases, where the
    search falls back to substrings). Reversible."""
    from django.db import migrations

    forward = [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_document tsvector "
        f"GENERATED ALWAYS AS ({document_sql(fields)}) STORED",
        f"CREATE INDEX IF NOT EXISTS {table}_search_document "
        f"ON {table} USING gin (search_document)",
    ]
    backward = [
        f"DROP INDEX IF EXISTS {table}_search_document",
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_document",
    ]

    def run(statements):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for sql in statements:
                    schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(forward), run(backward), elidable=False)


def read(
    provider: SearchProvider, user, term: str, *, offset: int = 0, limit: int = GROUP_SIZE
) -> Group:
    """One query: the `limit` best rows of `provider` from `offset`, with the total (among CAP
    matching rows at most)."""
    matches = provider.rows(user, term)
    first = matches.order_by().values("pk")[: CAP + 1]
    ranked = matches.filter(pk__in=Subquery(first)).annotate(search_total=Window(Count("pk")))
    rows = list(ranked[offset : min(offset + limit, CAP)]) if offset < CAP else []
    total = rows[0].search_total if rows else 0
    more_url = (
        provider.list_url(term)
        if provider.list_url
        else f"{reverse('core:search')}?{urlencode({'q': term, 'tipo': provider.kind})}"
    )
    hits = [provider.hit(row, term) for row in rows]
    return Group(provider, min(total, CAP), hits, more_url, capped=total > CAP)


def day(moment) -> str:
    """A date (or a datetime, in local time) as the portal writes it elsewhere ("j F Y")."""
    if hasattr(moment, "tzinfo") and moment.tzinfo is not None:
        moment = timezone.localtime(moment)
    return date_format(moment, "j F Y")


def excerpt(text: str, term: str, size: int = EXCERPT_CHARS) -> str:
    """About `size` characters of `text` around the first word of `term` found in it."""
    text = " ".join((text or "").split())
    if len(text) <= size:
        return text
    folded = _fold(text)
    starts = [folded.find(_fold(stem)) for stem in _stems(term)]
    first = min((s for s in starts if s >= 0), default=0)
    begin = max(0, first - size // 3)
    if begin:
        begin = text.find(" ", begin) + 1 or begin
    end = begin + size
    if end < len(text) and (space := text.rfind(" ", begin, end)) > begin:
        end = space
    return ("… " if begin else "") + text[begin:end] + (" …" if end < len(text) else "")


def highlight(text: str, term: str) -> SafeString:
    """`text` escaped, with the words that begin like a word of `term` in <mark> (accents and
    case aside, a few final letters dropped: the Italian endings stemming ignores)."""
    stems = [_fold(s) for s in _stems(term)]
    if not text or not stems:
        return escape(text or "")
    out: list[SafeString] = []
    last = 0
    for match in re.finditer(r"[^\W_]+", text):
        if any(_fold(match.group()).startswith(stem) for stem in stems):
            out.append(escape(text[last : match.start()]))
            out.append(format_html("<mark>{}</mark>", match.group()))
            last = match.end()
    out.append(escape(text[last:]))
    return format_html_join("", "{}", ((piece,) for piece in out))


def _stems(term: str) -> list[str]:
    """Word beginnings to look for: a word without its last letters (cooperative -> cooper)."""
    stems = []
    for word in words(term):
        if len(word) >= MIN_LENGTH:
            stems.append(word if len(word) <= 4 else word[: max(4, len(word) - 3)])
    return stems


def _fold(text: str) -> str:
    """Lower case without accents, the same length as `text` (so positions carry over)."""
    return "".join(unicodedata.normalize("NFD", c.lower())[0] for c in text)

"""{% memo %}: a fragment rendered once per distinct content, kept in this process (issue 21).

    {% load memo %}
    {% for table in page_obj %}
      {% memo table %}<article>... {{ table.name }} ...</article>{% endmemo %}
    {% endfor %}

A list's rows are the same from one request to the next until their data changes, and the
template tags of a row (badges, translated plurals, dates, links) cost 150-400 µs each time. The
fragment is kept under a key built from everything it shows: the values named in the tag (a
model instance stands for all its loaded fields and annotations and the rows joined to it, a
list or a dataclass for its items), the fragment's place in its template, the language, the
time zone and the URL prefix (an ambito's links differ from the region's). A change to any of
them is another key: the fragment is never stale, nothing has to drop it, and the first visitor
after a change renders only the rows that changed.

The rule for whoever uses it: every value the fragment reads must be in the key. Pass
the rows and any other context variable the fragment uses (`{% memo entity ambito %}`); never
memoise a fragment that reads the user, the request, a CSRF token or the clock (a row whose
badge depends on today passes `today`), or whose rendering changes the context (`{% cycle %}`,
`{% ifchanged %}`, a `{% with %}` read after the block). A value that cannot be turned into a key
(an object of unknown shape) renders the fragment as if the tag were not there.

The store is a bounded dict per process (oldest entries dropped first): rows of the pages being
read stay, others age out.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import itertools
from decimal import Decimal

from django import template
from django.db.models import Model
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

MAX_ENTRIES = 5000
_store: dict[tuple, SafeString] = {}
_serial = itertools.count()  # one number per compiled {% memo %}: its place in the key


class Unkeyable(Exception):
    """A value of a shape `freeze` does not know: the fragment is rendered every time."""


# Values that are their own key with their type: 1, 1.0, True and Decimal("1.0") are equal as
# keys but render differently, and so do a str and the same text marked safe.
_ATOMS = frozenset(
    {
        float,
        bool,
        Decimal,
        SafeString,
        datetime.date,
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
    }
)


def freeze(value, depth: int = 0):
    """A hashable value that differs whenever `value` would render differently."""
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    if kind in _ATOMS:
        return (kind, value)
    if isinstance(value, enum.Enum):  # a model's choices (TextChoices members are str too)
        return (kind, value.value)
    if depth > 4:
        raise Unkeyable(type(value).__name__)
    if isinstance(value, Model):
        state = value._state
        fields = tuple(
            (name, freeze(item, depth + 1))
            for name, item in value.__dict__.items()
            if name != "_state" and not name.startswith("_prefetched")
        )
        joined = tuple((name, freeze(item, depth + 1)) for name, item in state.fields_cache.items())
        prefetched = tuple(
            (name, freeze(list(qs), depth + 1))
            for name, qs in getattr(value, "_prefetched_objects_cache", {}).items()
        )
        return (type(value), fields, joined, prefetched)
    if isinstance(value, list | tuple):
        return tuple(freeze(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return tuple((key, freeze(item, depth + 1)) for key, item in value.items())
    if isinstance(value, Promise):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value),
            tuple(freeze(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)),
        )
    raise Unkeyable(type(value).__name__)


class MemoNode(template.Node):
    def __init__(self, nodelist: template.NodeList, values: list[template.base.FilterExpression]):
        self.nodelist = nodelist
        self.values = values
        self.serial = next(_serial)

    def render(self, context: template.Context) -> str:
        try:
            key = (
                self.serial,
                translation.get_language(),
                timezone.get_current_timezone_name(),
                get_script_prefix(),
                tuple(freeze(value.resolve(context)) for value in self.values),
            )
            html = _store.get(key)
        except (Unkeyable, TypeError):  # TypeError: an unhashable leaf (e.g. in a set)
            return self.nodelist.render(context)
        if html is None:
            html = mark_safe(self.nodelist.render(context))  # noqa: S308 - the engine's output
            if len(_store) >= MAX_ENTRIES:
                _drop_oldest()
            _store[key] = html
        return html


def _drop_oldest() -> None:
    for key in list(_store)[: MAX_ENTRIES // 4]:
        _store.pop(key, None)


def clear() -> None:
    """Forget every fragment (tests)."""
    _store.clear()


@register.tag
def memo(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    """{% memo value1 value2 ... %}...{% endmemo %}: see the module's docstring."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% memo %} needs the values the fragment shows")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, [parser.compile_filter(bit) for bit in bits])

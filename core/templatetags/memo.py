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
time zone, the URL prefix (an ambito's links differ from the region's) and what other apps add
with `add_key_part` (the ambito of the request). A change to any of
them is another key: the fragment is never stale, nothing has to drop it, and the first visitor
after a change renders only the rows that changed.

What the tag enforces, so that a fragment can show neither stale data nor another visitor's:
- On a miss the fragment is rendered in a context that holds only the values named in the tag
  (each plain variable under its own name): it cannot read the user, perms, csrf_token, the
  request's variables, forloop or anything else of the page. A fragment that needs one of them
  must name it (`{% memo meeting manager %}`, where `manager` is the viewer's right).
- A render that runs a database query read something the key does not hold (a relation loaded
  lazily, a deferred field): its HTML is not kept, the fragment is rendered every time.
- A value that cannot be turned into a key (an object of unknown shape, a queryset) renders the
  fragment as if the tag were not there.
What it cannot enforce, and the user of the tag must check: the fragment and the methods it
calls must not read the clock (a row whose badge depends on today passes `today`), nor global
state other than settings (a settings change empties the store), nor change the context for
what follows (`{% cycle %}`, `{% ifchanged %}`).

The store is bounded per process in entries and in characters of HTML (oldest dropped first),
and its keys are 16-byte digests: it holds no copy of the rows' data.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import itertools
import operator
import pickle  # nosec B403 - dumps only, to digest keys: nothing is ever unpickled
from collections.abc import Callable
from decimal import Decimal

from django import template
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import Model
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.safestring import SafeString

register = template.Library()

MAX_ENTRIES = 5000
MAX_CHARS = 4_000_000  # of HTML kept per process (about 4-16 MB)
_store: dict[bytes, SafeString] = {}
_chars = 0
_serial = itertools.count()  # one number per compiled {% memo %}: its place in the key
_key_parts: list[Callable[[], object]] = []


def add_key_part(part: Callable[[], object]) -> None:
    """Make `part()` (a value `freeze` knows) a part of every key: for request state a higher
    layer keeps and fragments may read through filters (the ambito of the URL)."""
    if part not in _key_parts:
        _key_parts.append(part)


class Unkeyable(Exception):
    """A value of a shape `freeze` does not know: the fragment is rendered every time."""


# Values that are their own key: their pickle and their repr are exact and tell their type apart
# (1, True, 1.0, Decimal("1.0") and "1" render differently, and their pickles differ). A str marked safe has the
# repr of a str, and a lazy translation the repr of its address: both are keyed below.
_PLAIN = frozenset(
    {
        str,
        int,
        bool,
        float,
        type(None),
        Decimal,
        datetime.date,
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
    }
)


_FIELDS_OF: dict[type, Callable[[object], tuple] | None] = {}  # a dataclass's, by its class


def _fields_of(kind: type) -> Callable[[object], tuple] | None:
    """What reads the fields of a dataclass as a tuple, in one call (None for any other class),
    made once per class (dataclasses.fields() walks the class on every call)."""
    try:
        return _FIELDS_OF[kind]
    except KeyError:
        getter = None
        if dataclasses.is_dataclass(kind):
            names = [f.name for f in dataclasses.fields(kind)]
            # attrgetter of two or more names returns a tuple (of one, the value itself)
            getter = (
                operator.attrgetter(*names)
                if len(names) > 1
                else lambda value: tuple(getattr(value, name) for name in names)
            )
        _FIELDS_OF[kind] = getter
        return getter


def freeze(value, depth: int = 0):
    """A value whose pickle (or repr) differs whenever `value` would render differently.
    Plain items are kept inline, without a call each: a list's rows hold dozens."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is SafeString:
        return (kind, str.__str__(value))
    fields_of = _FIELDS_OF.get(kind)
    if fields_of is not None:  # a dataclass seen before (a list's rows are dozens of them)
        if depth > 4:
            raise Unkeyable(kind.__name__)
        return (kind, [i if type(i) in _PLAIN else freeze(i, depth + 1) for i in fields_of(value)])
    if isinstance(value, enum.Enum):  # a model's choices (TextChoices members are str too)
        return (kind, value.value)
    if depth > 4:
        raise Unkeyable(type(value).__name__)
    depth += 1
    if isinstance(value, Model):
        # the fields as loaded, the rows joined to it and its prefetched rows
        fields = [
            (name, item if type(item) in _PLAIN else freeze(item, depth))
            for name, item in value.__dict__.items()
            if name != "_state" and not name.startswith("_prefetched")
        ]
        joined = [(name, freeze(item, depth)) for name, item in value._state.fields_cache.items()]
        prefetched = [
            (name, freeze(list(qs), depth))
            for name, qs in getattr(value, "_prefetched_objects_cache", {}).items()
        ]
        return (kind, fields, joined, prefetched)
    if kind is list or kind is tuple:
        return (kind, [item if type(item) in _PLAIN else freeze(item, depth) for item in value])
    if kind is dict:
        return (kind, [(freeze(key, depth), freeze(item, depth)) for key, item in value.items()])
    if isinstance(value, Promise):
        return str(value)
    if _fields_of(kind) is not None:  # a dataclass, seen for the first time
        return freeze(value, depth - 1)
    raise Unkeyable(type(value).__name__)


def _digest(parts: tuple) -> bytes:
    """A 16-byte digest of what `freeze` returns (the store keeps no copy of the rows). Pickle
    is exact for those values (numbers, strings, dates, classes by their qualified name, nested
    lists and tuples) and twice as fast as repr; a class pickle cannot name (one defined in a
    function) falls back to the repr."""
    try:
        data = pickle.dumps(parts, protocol=5)
    except (pickle.PicklingError, AttributeError, TypeError):
        data = repr(parts).encode()
    return hashlib.blake2b(data, digest_size=16).digest()


class _QuerySpy:
    """Counts the queries a fragment's render runs."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


class MemoNode(template.Node):
    def __init__(self, nodelist: template.NodeList, values: list[template.base.FilterExpression]):
        self.nodelist = nodelist
        self.values = values
        # the plain variables named in the tag: the only names the fragment can read
        self.names = [_plain_name(value) for value in values]
        self.serial = next(_serial)

    def render(self, context: template.Context) -> str:
        resolved = [value.resolve(context) for value in self.values]
        own = {name: value for name, value in zip(self.names, resolved, strict=True) if name}
        # a SafeString: the engine escaped it
        return remembered(self.serial, resolved, lambda: self.nodelist.render(context.new(own)))


def remembered(place: object, values: list, render: Callable[[], SafeString]) -> SafeString:
    """The HTML render() returns, kept under `place` (where it is rendered: a {% memo %} tag's
    serial, or a name for HTML a view builds in Python, such as a filter form), `values` (what
    render() shows, as `freeze` knows them) and what every key holds (the language, the time
    zone, the URL prefix, `add_key_part`'s). render() must show nothing but what `values` say;
    it is called every time when a value is unkeyable, and what it returns is not kept when it
    runs a query."""
    try:
        key = _digest(
            (
                place,
                translation.get_language(),
                timezone.get_current_timezone_name(),
                get_script_prefix(),
                tuple(freeze(part()) for part in _key_parts),
                tuple(freeze(value) for value in values),
            )
        )
    except Unkeyable:
        return render()
    html = _store.get(key)
    if html is None:
        spy = _QuerySpy()
        with connection.execute_wrapper(spy):
            html = render()
        if not spy.queries:
            _keep(key, html)
    return html


def _plain_name(value: template.base.FilterExpression) -> str | None:
    """`entity` for `{% memo entity %}`; None for a literal, a dotted path or a filtered value."""
    var = value.var
    if value.filters or not isinstance(var, template.Variable) or var.lookups is None:
        return None
    return var.var if len(var.lookups) == 1 and isinstance(var.var, str) else None


def _keep(key: bytes, html: SafeString) -> None:
    global _chars
    while _store and (len(_store) >= MAX_ENTRIES or _chars + len(html) > MAX_CHARS):
        dropped = _store.pop(next(iter(_store)), None)  # the oldest first
        _chars -= len(dropped) if dropped is not None else 0
    if len(html) <= MAX_CHARS:
        _store[key] = html
        _chars += len(html)


def clear() -> None:
    """Forget every fragment (tests, and any change of settings)."""
    global _chars
    _store.clear()
    _chars = 0


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    clear()


@register.tag
def memo(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    """{% memo value1 value2 ... %}...{% endmemo %}: see the module's docstring."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% memo %} needs the values the fragment shows")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, [parser.compile_filter(bit) for bit in bits])

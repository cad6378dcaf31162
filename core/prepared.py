"""Querysets of a fixed shape, built and compiled once per process (issue 21).

A public list runs the same few queries on every request, with only their values changing (the
ambito, the time, the page). Building such a queryset (filters, annotations, subqueries) and
compiling it to SQL cost Django more CPU than PostgreSQL spends running it: a third of the tables
list. `Prepared` builds and compiles a query once per shape and binds each request's values to
the SQL it kept; the rows still become model instances (or tuples) through the queryset's own
iterable, so a page gets the objects the plain queryset would give.

    tables = Prepared(lambda ambito_id, now: Table.objects.filter(ambito_id=ambito_id, ...))
    rows = tables.run(ambito_id=3, now=timezone.now(), rows=slice(0, 20))

Arguments. Integers, strings, dates, datetimes and lists of integers (for `field__any`, see
core.queries.IntegerFieldAny) are values: bound to the kept SQL. Anything else (None for "no
filter", a flag, a tuple of ids) chooses the shape: it is passed as it is and is part of the
key. A `user` argument is shape too: anonymous visitors share one; a signed-in user's querysets
depend on their roles, which the policies read while building, so theirs are built on every
call, as plain querysets.

How it knows where the values go: the builder is called twice with two different sets of
stand-in values, and compiled both times. The parameters that hold a stand-in are the slots of
that argument. A parameter that differs between the two compilations without being a stand-in
(a value computed from an argument, `now - timedelta(...)`, a LIKE pattern made of a string, or
a `timezone.now()` of the builder's own) would be frozen at its first value, and a value that is
in no parameter may have chosen the shape (`if kind == "x"`): such a shape is not kept, it is
built on every call. (A count drops the annotations that may be the only place of an argument:
it is kept when the rows' shape is.) `Prepared.kept()` says whether a shape is kept, for the tests
that pin the hot ones. The builder must not read anything else that changes (the language, a
setting, the database's rows) to build its query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar, overload

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Func, IntegerField, QuerySet

MAX_SHAPES = 64  # per Prepared
T = TypeVar("T")
Wrap = Callable[[str, tuple], tuple[str, tuple]]


def is_value(value: Any) -> bool:
    return isinstance(value, int | str | date | list) and not isinstance(value, bool)


def _token(value: Any) -> Hashable:
    """What a parameter is compared by: its type and value (a list as a tuple); None for one
    that is no stand-in's (a JSON document, say)."""
    token = (type(value), tuple(value) if isinstance(value, list) else value)
    try:
        hash(token)
    except TypeError:
        return None
    return token


def _stand_in(value: Any, index: int, round_: int) -> Any:
    """A value of `value`'s type that no real query carries, distinct per argument and round."""
    n = index * 2 + round_  # the two rounds differ in every part of a date (a year read from
    # one would differ between the compilations, and so not be frozen)
    if isinstance(value, datetime):
        return datetime(
            1111 + round_,
            11 - round_,
            1 + n % 28,
            11 + round_,
            11 + round_,
            11 + round_,
            100_000 + n,
            tzinfo=UTC,
        )
    if isinstance(value, date):
        return date(1111 + round_, 11 - round_, 1 + n % 28)
    if isinstance(value, str):
        return f"\u27e8prepared {n}\u27e9"
    if isinstance(value, list):
        return [1_987_654_321 - n]
    return 1_987_654_321 - n


class _BoundQuery:
    """A queryset's Query whose compiler is a given one (the kept compiler, with new SQL)."""

    def __init__(self, query: Any, compiler: Any) -> None:
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True):
        return self._compiler

    def __getattr__(self, name: str) -> Any:  # what the iterables read: values_select, ...
        return getattr(self._query, name)


def compile_query(queryset: QuerySet) -> tuple[Any, str, tuple]:
    """(compiler, sql, params) of `queryset`; sql is "" when it matches nothing (`pk__in=[]`)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return compiler, "", ()
    return compiler, sql, tuple(params)


def run_compiled(queryset: QuerySet, compiler: Any, sql: str, params: tuple) -> list:
    """The rows of `queryset`, made by its own iterable (model instances, tuples...), from `sql`:
    its compiled SQL with other values, or a query around it that returns the same columns.
    `compiler` is the one that compiled it (it knows the columns); neither is changed."""
    if not sql:
        return []
    bound = object.__new__(type(compiler))
    bound.__dict__.update(compiler.__dict__)
    bound.connection = connections[queryset.db]  # this thread's connection
    bound.as_sql = lambda *args, **kwargs: (sql, params)
    # a new QuerySet with the same state (copy.copy would pickle, and so evaluate, `queryset`)
    rows: Any = object.__new__(type(queryset))
    rows.__dict__.update(queryset.__dict__)
    rows._query = _BoundQuery(queryset.query, bound)
    rows._result_cache = None
    return list(rows)


def counted(queryset: QuerySet) -> QuerySet:
    """How many rows `queryset` has, as a queryset of one row (QuerySet.count() is not a
    queryset, and builds its query on every call). A distinct queryset counts its distinct keys:
    its annotations are its row's, so the same number."""
    distinct = "DISTINCT " if queryset.query.distinct else ""
    number = Func(
        F("pk"), template=f"COUNT({distinct}%(expressions)s)", output_field=IntegerField()
    )
    plain = queryset.order_by()  # a clone: its Query is this function's
    plain.query.distinct = False
    return plain.values_list(number)


@dataclass(frozen=True, slots=True)
class _Shape:
    queryset: QuerySet
    compiler: Any
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (parameter position, argument name)


class Prepared:
    """`build(**arguments)` compiled once per shape. `wrap(sql, params)`, if given, turns the
    compiled query into the one to run (a filter around it: same columns, the query's parameters
    first)."""

    def __init__(
        self, build: Callable[..., QuerySet], *, wrap: Wrap | None = None, counts: bool = False
    ) -> None:
        self.build = build
        self.wrap = wrap
        self.counts = counts  # a count: its arguments may be in no parameter (see the module)
        self._shapes: dict[Hashable, _Shape | None] = {}
        self._lock = threading.Lock()
        self._counter: Prepared | None = None

    def run(self, *, rows: slice | None = None, **arguments: Any) -> list:
        """The rows of `build(**arguments)[rows]`, as a list. `rows` (start to stop) are bound
        too: one kept SQL serves every page of a list (Django writes a slice into the SQL)."""
        shape = self._shape(arguments)
        if shape is None or (rows is not None and rows.stop is None):
            return self.once(rows=rows, **arguments)
        params = list(shape.params)
        for position, name in shape.slots:
            params[position] = arguments[name]
        sql = shape.sql
        if rows is not None:
            start = rows.start or 0
            sql = f"{sql} LIMIT %s OFFSET %s"
            params += [max(rows.stop - start, 0), start]
        return self.finish(run_compiled(shape.queryset, shape.compiler, sql, tuple(params)))

    def count(self, **arguments: Any) -> int:
        """How many rows `build(**arguments)` has (see `counted`), compiled once per shape too."""
        if self._counter is None:
            self._counter = Prepared(lambda **values: counted(self.build(**values)), counts=True)
        if self._shape(arguments) is None:  # the rows' shape is not kept: nor is the count's
            [(number,)] = self._counter.once(**arguments)
        else:
            [(number,)] = self._counter.run(**arguments)
        return number

    def once(self, *, rows: slice | None = None, **arguments: Any) -> list:
        """The rows, built and compiled now (and not kept): as a plain queryset."""
        queryset = self._queryset(rows, arguments)
        compiler, sql, params = compile_query(queryset)
        return self.finish(run_compiled(queryset, compiler, *self._wrapped(sql, params)))

    def finish(self, rows: list) -> list:
        """The rows as the caller gets them (a subclass may drop a helper column)."""
        return rows

    def kept(self, **arguments: Any) -> bool:
        return self._shape(arguments) is not None

    def _shape(self, arguments: dict[str, Any]) -> _Shape | None:
        """The kept shape for `arguments` (compiled on first use), None if it is not kept."""
        key = self._key(arguments)
        if key is None:
            return None
        try:
            return self._shapes[key]
        except KeyError:
            return self._compile(key, arguments)

    @staticmethod
    def _key(arguments: dict[str, Any]) -> Hashable | None:
        """The shape's key, None when it must be built each time (a signed-in user)."""
        key: list[Hashable] = []
        for name, value in sorted(arguments.items()):
            if name == "user":
                if value.is_authenticated:
                    return None
                key.append((name, "anonymous"))
            else:
                key.append((name, type(value)) if is_value(value) else (name, value))
        return tuple(key)

    def _queryset(self, rows: slice | None, arguments: dict[str, Any]) -> QuerySet:
        queryset = self.build(**arguments)
        return queryset if rows is None else queryset[rows]

    def _wrapped(self, sql: str, params: tuple) -> tuple[str, tuple]:
        return self.wrap(sql, params) if self.wrap and sql else (sql, params)

    def _compile(self, key: Hashable, arguments: dict[str, Any]) -> _Shape | None:
        values = [name for name, value in sorted(arguments.items()) if is_value(value)]
        compiled = []
        for round_ in (0, 1):
            stand_ins = {
                name: _stand_in(arguments[name], index, round_) for index, name in enumerate(values)
            }
            queryset = self._queryset(None, {**arguments, **stand_ins})
            compiled.append((queryset, *compile_query(queryset), stand_ins))
        shape = self._shape_of(*compiled)
        with self._lock:
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.pop(next(iter(self._shapes)), None)
            self._shapes[key] = shape
        return shape

    def _shape_of(self, first: tuple, second: tuple) -> _Shape | None:
        queryset, compiler, sql, params, stand_ins = first
        _queryset, _compiler, sql_2, params_2, stand_ins_2 = second
        if not sql or sql != sql_2 or len(params) != len(params_2):
            return None  # no query at all, or the values choose the SQL
        if queryset.query.is_sliced:
            return None  # run() binds the rows (LIMIT, OFFSET) after the builder's SQL
        names = {_token(v): name for name, v in stand_ins.items()}
        names_2 = {_token(v): name for name, v in stand_ins_2.items()}
        slots = []
        for position, (one, two) in enumerate(zip(params, params_2, strict=True)):
            name = names.get(_token(one))
            if name is not None and names_2.get(_token(two)) == name:
                slots.append((position, name))
            elif one != two or type(one) is not type(two):
                return None  # a value computed from an argument, or the time: it would freeze
        if not self.counts and {name for _position, name in slots} != set(stand_ins):
            return None  # an argument in no parameter may have chosen the shape
        sql, params = self._wrapped(sql, params)
        return _Shape(queryset, compiler, sql, params, tuple(slots))


class Rows(Generic[T]):
    """`prepared`'s rows for `arguments`, read as Paginator reads a list: counted, then a slice
    (each one query)."""

    def __init__(self, prepared: Prepared, **arguments: Any) -> None:
        self.prepared = prepared
        self.arguments = arguments

    def count(self) -> int:
        return self.prepared.count(**self.arguments)

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[T]:
        return iter(self.prepared.run(**self.arguments))

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return self.prepared.run(rows=index, **self.arguments)
        rows = self.prepared.run(rows=slice(index, index + 1), **self.arguments)
        if not rows:
            raise IndexError(index)
        return rows[0]

"""Query helpers shared by the apps' selectors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import (
    Count,
    F,
    Field,
    Func,
    IntegerField,
    Manager,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.db.models.lookups import In

from core.prepared import Prepared


def count_of(rows: QuerySet | Manager, fk: str) -> Coalesce:
    """How many of `rows` point at the outer row through `fk`, as a correlated subquery (0 when
    none). Unlike Count() over a join, it neither multiplies the rows of two such counts nor
    aggregates the whole table before a LIMIT: PostgreSQL counts only for the rows it returns."""
    per_row = rows.filter(**{fk: OuterRef("pk")}).order_by().values(fk)
    return Coalesce(
        Subquery(per_row.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
    )


class LatestOf(Func):
    """The later of two values, either of which may be NULL (NULL only when both are).

    PostgreSQL's GREATEST ignores NULLs, so each operand (a subquery, say) is written and run
    once; SQLite's returns NULL, so there it is GREATEST(COALESCE(a, b), COALESCE(b, a)), which
    repeats both."""

    function = "GREATEST"
    arity = 2

    def as_sqlite(self, compiler, connection, **extra_context):
        a, b = self.get_source_expressions()
        both = Greatest(Coalesce(a, b), Coalesce(b, a), output_field=self.output_field)
        return compiler.compile(both)


def first_per_group(
    queryset: QuerySet,
    *,
    group: str,
    order: list,
    n: int,
    count_as: str | None = None,
) -> list:
    """The first `n` rows of `queryset` in each group of equal `group` (a field name), in
    `order`, as model instances ordered by group then rank; with `count_as`, each row also
    carries the size of its group under that name. One query for every group.

    The same as filtering an annotated `Window(RowNumber())` with `rank__lte=n`, but compiled
    once: Django emulates a filter on a window function (QUALIFY) by compiling the whole query a
    second time inside an outer one, which cost a quarter of the region's home page (three such
    queries, first open procedures, events and plan of each ambito). Here the inner query is
    compiled once and wrapped in plain SQL, whose rows the queryset's own iterable makes into
    objects. select_related is dropped (the wrapper names the group's column, which a joined
    table could repeat); annotations come through as attributes."""
    return FirstPerGroup(
        lambda: queryset, model=queryset.model, group=group, order=order, n=n, count_as=count_as
    ).once()


class FirstPerGroup(Prepared):
    """first_per_group of `build(**arguments)`, compiled once per shape (core.prepared); with
    `fields` (which may follow relations, `entity__name`, and must include `group`), its rows
    are tuples of those fields, for rows a page shows as plain values."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        model: type[Model],
        group: str,
        order: list,
        n: int,
        count_as: str | None = None,
        fields: tuple[str, ...] = (),
    ) -> None:
        def ranked(**arguments: Any) -> QuerySet:
            windows = {
                "first_per_group_rank": Window(RowNumber(), partition_by=F(group), order_by=order)
            }
            if count_as:
                windows[count_as] = Window(Count("pk"), partition_by=F(group))
            qs = build(**arguments).select_related(None).annotate(**windows).order_by()
            return qs.values_list(*fields, "first_per_group_rank") if fields else qs

        # the ORDER BY of the rows of rank n or less: the group's column then the rank, by name
        # for model rows, by position for values (two joined columns may share a name)
        by = (
            f"{fields.index(group) + 1}, {len(fields) + 1}"
            if fields
            else ", ".join(
                connection.ops.quote_name(name)
                for name in (
                    str(cast(Field, model._meta.get_field(group)).column),
                    "first_per_group_rank",
                )
            )
        )
        self.fields = fields

        def wrap(sql: str, params: tuple) -> tuple[str, tuple]:
            # Django's own compiled SQL with its parameters, quoted identifiers: no value in it
            rank = connection.ops.quote_name("first_per_group_rank")
            wrapped = f"SELECT * FROM ({sql}) ranked WHERE {rank} <= %s ORDER BY {by}"  # noqa: S608  # nosec B608
            return wrapped, (*params, n)

        super().__init__(ranked, wrap=wrap)

    def finish(self, rows: list) -> list:
        return [row[:-1] for row in rows] if self.fields else rows  # without the rank


def select_related_only(queryset: QuerySet | Manager, **related: tuple[str, ...]) -> QuerySet:
    """select_related(*related), reading of each related row only the listed fields (and its
    key), and every field of the queryset's own model.

    A join to a wide table (an entity has forty columns, a procedure thirty) otherwise costs its
    whole row: in the SQL PostgreSQL returns and, more, in the Python that compiles the query
    and builds the objects. A template reading a field left out costs one query per row, which
    the views' query-count tests catch."""
    own = [field.attname for field in queryset.model._meta.concrete_fields]
    wanted = [f"{relation}__{name}" for relation, names in related.items() for name in names]
    return queryset.select_related(*related).only(*own, *wanted)


@contextmanager
def planned_for_its_values() -> Iterator[None]:
    """Queries run inside are planned for their actual values, even when prepared.

    PostgreSQL may run a prepared statement (config.settings: DATABASE_PREPARE_THRESHOLD) with a
    generic plan, made once for any value. That is right for lookups by key, wrong where the
    values decide the plan: a text search matching ten rows or forty thousand (the directory's
    ranked search took 85 ms with the generic plan, 29 with its own)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


class IntegerFieldIn(In):
    """`in` on integer columns (primary keys: `pk__in`) leaves out the values no column of that
    type can hold, as Django's `exact` does (IntegerFieldOverflow): SQLite refused the whole
    query with OverflowError, a 500 for a form's multiple choice posted with
    "99999999999999999999". Registered on IntegerField (and so its subclasses) by core.apps."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            self.rhs = _holdable(self.rhs, self.lhs.output_field, connection)
        return super().process_rhs(compiler, connection)


def _holdable(values, field, connection) -> list:
    """`values` without the integers a column of `field`'s type cannot hold."""
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return [
        value
        for value in values
        if not isinstance(value, int)
        or ((low is None or value >= low) and (high is None or value <= high))
    ]


class IntegerFieldAny(In):
    """`any`: `in` with the values as one parameter, `= ANY(%s)` on PostgreSQL, so that a query
    of a page's ids has one SQL text whatever their number, which core.prepared keeps compiled
    (`in` writes one placeholder per value). Elsewhere (SQLite) it is `in`, leaving out the
    values no column holds. Registered on IntegerField and ForeignKey (integer keys) by
    core.apps."""

    lookup_name = "any"

    def as_sql(self, compiler, connection):
        field = self.lhs.output_field
        if connection.vendor != "postgresql":  # the field's own `in` (RelatedIn on a key)
            return field.get_lookup("in")(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        column = getattr(field, "target_field", field)  # a foreign key's: the key it points to
        values = _holdable([int(value) for value in self.rhs], column, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, values)

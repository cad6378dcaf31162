"""Values of related rows joined into one text column, inside the row's own query: an export
streams any number of rows with the same few queries (a prefetch would add queries per chunk)."""

from __future__ import annotations

from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    F,
    Manager,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.functions import Cast

SEPARATOR = " | "


class _GroupConcat(Aggregate):
    """SQLite's GROUP_CONCAT(expression, separator) (the embedded mode)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s)"
    output_field = CharField()


def _aggregate(field: str, ordering: str):
    if connection.vendor == "postgresql":
        from django.contrib.postgres.aggregates import StringAgg

        return StringAgg(Cast(field, TextField()), delimiter=SEPARATOR, order_by=F(ordering).asc())
    from django.db.models import Value

    return _GroupConcat(Cast(field, TextField()), Value(SEPARATOR))


def joined(
    rows: QuerySet | Manager, *, fk: str, field: str, ordering: str | None = None
) -> Subquery:
    """`field` of the `rows` that point at the outer row through `fk`, joined with " | " (in
    the order of `ordering`, default `field`, on PostgreSQL; SQLite joins them in the order it
    reads them), as a correlated subquery: NULL when there is none."""
    grouped = (
        rows.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(joined_values=_aggregate(field, ordering or field))
        .values("joined_values")
    )
    return Subquery(grouped, output_field=TextField())

"""Query helpers shared by the apps' selectors."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_of(rows: QuerySet, fk: str) -> Coalesce:
    """How many of `rows` point at the outer row through `fk`, as a correlated subquery (0 when
    none). Unlike Count() over a join, it neither multiplies the rows of two such counts nor
    aggregates the whole table before a LIMIT: PostgreSQL counts only for the rows it returns."""
    per_row = rows.filter(**{fk: OuterRef("pk")}).order_by().values(fk)
    return Coalesce(
        Subquery(per_row.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
    )

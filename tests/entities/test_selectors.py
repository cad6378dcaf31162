from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entities import selectors, services
from entities.models import Entity
from entities.permissions import administered_entity_ids, member_entity_ids
from tests.factories.ambito import ComuneFactory
from tests.factories.entities import EntityFactory

pytestmark = pytest.mark.django_db


# --- the directory's filter options (cached) -------------------------------------------------
def comune_codes() -> list[str]:
    return [code for code, _label in selectors.directory_choices()["comuni"]]


def test_directory_choices_read_once_then_cached(ambito):
    fano = ComuneFactory(name="Fano", istat_code="041013")
    EntityFactory(ambito=ambito).operating_comuni.add(fano)
    with CaptureQueriesContext(connection) as first:
        choices = selectors.directory_choices()
    with CaptureQueriesContext(connection) as second:
        assert selectors.directory_choices() == choices
    assert len(first.captured_queries) == 3 and len(second.captured_queries) == 0
    assert choices["comuni"] == [("041013", str(fano))]
    assert choices["activities"][0] == ("a", "a) Interventi e servizi sociali")


def test_directory_choices_follow_entities_and_comuni(ambito, staff_user):
    fano = ComuneFactory(name="Fano", istat_code="041013")
    pending = EntityFactory(ambito=ambito, status=Entity.Status.PENDING)
    pending.operating_comuni.add(fano)
    assert "041013" not in comune_codes()  # only where verified entities operate

    services.entity_set_status(user=staff_user, entity=pending, status=Entity.Status.VERIFIED)
    assert "041013" in comune_codes()

    fano.name = "Fano Marina"
    fano.save()
    assert str(fano) in dict(selectors.directory_choices()["comuni"]).values()

    pending.operating_comuni.remove(fano)
    assert "041013" not in comune_codes()


def test_legal_form_counts_cached_and_follow_verification(client, ambito, staff_user):
    EntityFactory.create_batch(2, ambito=ambito, legal_form=Entity.LegalForm.APS)
    EntityFactory(ambito=ambito, legal_form=Entity.LegalForm.ODV)
    pending = EntityFactory(ambito=ambito, legal_form=Entity.LegalForm.ODV, status="pending")
    with CaptureQueriesContext(connection) as first:
        assert selectors.verified_by_legal_form() == [("aps", 2), ("odv", 1)]
    with CaptureQueriesContext(connection) as second:
        selectors.verified_by_legal_form()
    assert len(first.captured_queries) == 1 and len(second.captured_queries) == 0

    services.entity_set_status(user=staff_user, entity=pending, status=Entity.Status.VERIFIED)
    assert selectors.verified_by_legal_form() == [("aps", 2), ("odv", 2)]
    assert "4 enti del Terzo settore verificati" in client.get("/").text


def test_directory_choices_dropped_again_after_commit(ambito, django_capture_on_commit_callbacks):
    stale = selectors.directory_choices()
    with django_capture_on_commit_callbacks() as callbacks:
        EntityFactory(ambito=ambito).operating_comuni.add(ComuneFactory(istat_code="041013"))
    cache.set(selectors.DIRECTORY_CHOICES_KEY, stale)  # read by a request before the commit
    for callback in callbacks:
        callback()
    assert comune_codes() == ["041013"]


# --- full-text search on the stored document ------------------------------------------------
def plan(qs) -> str:
    """The plan PostgreSQL would choose on a table large enough to prefer its indexes."""
    sql, params = qs.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_search_reads_the_stored_document_through_its_gin_index(ambito):
    EntityFactory(ambito=ambito, name="Gamma", description="Sosteniamo le famiglie")
    qs = selectors.search(Entity.objects.all(), "famiglia")
    sql = qs.query.sql_with_params()[0]
    assert '"entities_entity".search_document @@' in sql
    assert "to_tsvector" not in sql  # never recomputed per row
    assert "entities_entity_search_document" in plan(qs)
    assert [e.name for e in qs] == ["Gamma"]


@pytest.mark.postgres
def test_stored_document_follows_edits(ambito):
    entity = EntityFactory(ambito=ambito, name="Delta", description="Orti sociali")
    entity.description = "Biblioteca di quartiere"
    entity.save()
    assert list(selectors.search(Entity.objects.all(), "biblioteche")) == [entity]
    assert list(selectors.search(Entity.objects.all(), "orti")) == []


@pytest.mark.postgres
def test_partial_name_match_uses_the_trigram_index(ambito):
    EntityFactory(ambito=ambito, name="Cooperativa Arcobaleno")
    qs = selectors.search(Entity.objects.all(), "rcobal")
    assert "entities_entity_name_trgm" in plan(qs)
    assert [e.name for e in qs] == ["Cooperativa Arcobaleno"]


# --- memberships read once per request ------------------------------------------------------
def test_memberships_read_once_and_forgotten_on_change(entity, entity_admin, no_role_user):
    with CaptureQueriesContext(connection) as ctx:
        assert member_entity_ids(entity_admin) == {entity.pk}
        assert administered_entity_ids(entity_admin) == {entity.pk}
        assert selectors.my_membership(entity_admin, entity).role == "admin"
    assert len(ctx.captured_queries) == 1

    assert member_entity_ids(no_role_user) == set()
    invitation = services.invitation_create(
        entity=entity, email=no_role_user.email, role="delegate", invited_by=entity_admin
    )
    services.invitation_accept(invitation=invitation, user=no_role_user)
    assert member_entity_ids(no_role_user) == {entity.pk}
    assert administered_entity_ids(no_role_user) == set()


@pytest.mark.postgres
def test_ranked_search_page_planned_for_its_words(ambito):
    """The directory's search page is planned for the words searched, even once its statement
    is prepared (a generic plan ranked every entity: 85 ms instead of 29 at scale 10)."""
    EntityFactory(ambito=ambito, name="Solidarietà in rete", status=Entity.Status.VERIFIED)
    qs = selectors.search(selectors.directory_entities(), "solidarietà")
    with CaptureQueriesContext(connection) as ctx:
        page = selectors.CountingPaginator(qs, 20).get_page(1)
    assert [e.name for e in page] == ["Solidarietà in rete"] and page.paginator.count == 1
    sqls = [q["sql"] for q in ctx.captured_queries]
    ranked = next(i for i, sql in enumerate(sqls) if "OVER ()" in sql)
    assert sqls[ranked - 1] == "SET LOCAL plan_cache_mode = force_custom_plan"

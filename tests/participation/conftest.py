from __future__ import annotations

import pytest

from tables.models import TableMembership
from tests.factories.core import UserFactory
from tests.factories.participation import (
    EventFactory,
    EventSessionFactory,
    ProposalFactory,
    TableFactory,
    TableMembershipFactory,
)


@pytest.fixture
def table(ambito):
    return TableFactory(ambito=ambito, name="Inclusione")


@pytest.fixture
def member(table, entity, entity_admin):
    """The entity's administrator, delegate of its seat at the table."""
    TableMembershipFactory(
        table=table, kind=TableMembership.Kind.ENTITY, entity=entity, delegate=entity_admin
    )
    return entity_admin


@pytest.fixture
def other_member(table):
    return TableMembershipFactory(
        table=table, delegate=UserFactory(email="altro-membro@example.org")
    ).delegate


@pytest.fixture
def proposal(table, member):
    return ProposalFactory(
        table=table, author=member, entity=member.entity_memberships.first().entity
    )


@pytest.fixture
def event(ambito):
    return EventFactory(ambito=ambito, title="Stati generali")


@pytest.fixture
def session(event):
    return EventSessionFactory(event=event, title="Governance partecipata", capacity=2)

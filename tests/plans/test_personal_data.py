"""plans: a person's observations in a plan's consultation and the needs and services they
recorded: part of the plan's procedure, kept under the pseudonym."""

from __future__ import annotations

import pytest

from core import audit
from entities.models import TargetGroup
from plans.models import Need, Plan, PlanComment, Service
from tests.factories.plans import make_plan
from tests.gdpr import audit_mentions, download, erase

pytestmark = pytest.mark.django_db


def test_observations_needs_and_services_kept_under_the_pseudonym(
    ambito, entity, entity_admin, staff_user, client_for, django_capture_on_commit_callbacks
):
    entity_admin.first_name, entity_admin.last_name = "Elena", "Riva"
    entity_admin.save()
    plan = make_plan(ambito, user=staff_user, status=Plan.Status.CONSULTATION)
    area = TargetGroup.objects.order_by("order").first()
    observation = PlanComment.objects.create(
        plan=plan, author=entity_admin, body="Mancano i servizi per i caregiver."
    )
    need = Need.objects.create(
        ambito=ambito,
        title="Sollievo ai caregiver",
        area=area,
        entity=entity,
        recorded_by=entity_admin,
    )
    service = Service.objects.create(
        ambito=ambito,
        name="Centro diurno",
        area=area,
        target="anziani",
        run_by="Il Faro",
        recorded_by=entity_admin,
    )
    commented = audit.record(
        actor=entity_admin, action="plans.comment", obj=plan, ambito_id=ambito.pk
    )

    data = download(entity_admin)
    assert [c["body"] for c in data["plans_comments"]] == [observation.body]
    assert [n["title"] for n in data["plans_mapping"]["needs"]] == ["Sollievo ai caregiver"]
    assert [s["name"] for s in data["plans_mapping"]["services"]] == ["Centro diurno"]

    erased = erase(entity_admin, django_capture_on_commit_callbacks)

    assert PlanComment.objects.get(pk=observation.pk).author_id == erased.pk
    assert Need.objects.get(pk=need.pk).recorded_by_id == erased.pk
    assert Service.objects.get(pk=service.pk).recorded_by_id == erased.pk
    page = client_for(staff_user).get(plan.get_absolute_url()).content.decode()
    assert observation.body in page and "Elena Riva" not in page
    assert audit_mentions("ente@example.org", "Elena Riva") == []
    commented.refresh_from_db()
    assert commented.actor_id == erased.pk

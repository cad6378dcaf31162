"""Demo: citizens' public proposals in the ATS 6 (issue 20). The Ufficio di Piano opens
proposals to citizens (ParticipationSettings); the demo citizen cittadino@example.org presents
three public proposals: one answered (accepted), one under study with supports and comments from
other registered people, and one hidden by the moderation with its reason. Idempotent.

Reads ctx: ambito, coordinator, tables (slug -> Table; optional). Adds ctx: "citizen_proposals"."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.demo import demo_person, demo_user
from entities.models import TargetGroup
from participation.demo_data import (
    CITIZEN,
    CITIZEN_COMMENTS,
    CITIZEN_PROPOSALS,
    CITIZEN_SUPPORTERS,
)
from participation.models import (
    ParticipationSettings,
    Proposal,
    ProposalComment,
    ProposalSupport,
)


def seed(ctx: dict) -> None:
    ambito, coordinator = ctx["ambito"], ctx["coordinator"]
    ParticipationSettings.objects.update_or_create(
        ambito=ambito, defaults={"citizen_proposals": True}
    )
    email, first, last = CITIZEN
    citizen = demo_user(email, first_name=first, last_name=last)
    supporters = [demo_person(e, first_name=f, last_name=la) for e, f, la in CITIZEN_SUPPORTERS]
    tables, now, made = ctx.get("tables") or {}, timezone.now(), []
    for title, text, area_code, slug, days_ago, outcome in CITIZEN_PROPOSALS:
        created = now - timedelta(days=days_ago)
        defaults = {
            "author": citizen,
            "text": text,
            "table": tables.get(slug) if slug else None,
            "area": TargetGroup.objects.filter(code=area_code).first(),
            "is_public": True,
            "status": Proposal.Status.SUBMITTED,
        }
        if outcome[0] == "answered":
            _kind, status, answer, days_to_answer = outcome
            defaults.update(
                status=status,
                answer=answer,
                answered_at=created + timedelta(days=int(days_to_answer)),
                answered_by=coordinator,
            )
        elif outcome[0] == "discussed":
            defaults["status"] = Proposal.Status.UNDER_STUDY
        else:
            defaults.update(
                hidden_at=created + timedelta(hours=20),
                hidden_by=coordinator,
                hidden_reason=outcome[1],
            )
        proposal, _created = Proposal.objects.update_or_create(
            ambito=ambito, by_citizen=True, title=title, defaults=defaults
        )
        Proposal.objects.filter(pk=proposal.pk).update(created_at=created)
        if proposal.area:
            proposal.target_groups.set([proposal.area])
        if outcome[0] == "discussed":
            for supporter, comment in zip(supporters, CITIZEN_COMMENTS, strict=True):
                ProposalSupport.objects.get_or_create(proposal=proposal, user=supporter)
                ProposalComment.objects.get_or_create(
                    proposal=proposal, author=supporter, defaults={"text": comment}
                )
        made.append(proposal)
    ctx["citizen_proposals"] = made

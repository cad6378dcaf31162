"""After a load run: is every write the server accepted in the database exactly once?

    python -m bench.load.checks RESULTS.json SEED.json    (with DJANGO_SETTINGS_MODULE set)

Prints one JSON object: {"counts": {...}, "problems": [...]}. RESULTS is what the locustfile
recorded (sign-ups, join requests, applications, RSVP answers, event registrations), SEED what
seed.py wrote (the ids of the load ambito's tables, procedures, meeting and event)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

# Latency bounds of the load runs (`make load-smoke` in CI, `make load`) on the CI machine, for
# all requests together (locust's "Aggregated" row), in milliseconds. The smoke passed there with
# p95 1.2 s and p99 2.8 s (20 users at once on 2 cores, logins hashing PBKDF2 in the same burst):
# about twice that leaves room for a busy runner and still fails when pages get slower by half.
# README ("Security and reliability", Load) cites this line.
LATENCY_BOUNDS_MS = {"p95": 2500, "p99": 5000}


def latency_problems(total: dict, bounds: dict[str, int] = LATENCY_BOUNDS_MS) -> list[str]:
    """The percentiles of locust's "Aggregated" stats row (columns "95%", "99%", in ms) over
    their bounds; a percentile locust could not compute ("N/A": no request) is a problem too."""
    problems = []
    for name, bound in bounds.items():
        value = total.get(name.removeprefix("p") + "%")
        try:
            ms = float(value)
        except (TypeError, ValueError):
            problems.append(f"latency {name}: not measured ({value!r})")
            continue
        if ms > bound:
            problems.append(f"latency {name} {ms:.0f} ms over its bound of {bound} ms")
    return problems


def compare(what: str, accepted: Counter, stored: Counter) -> list[str]:
    """Accepted by the server vs stored: every one once, nothing more."""
    problems = []
    lost = accepted - stored
    extra = stored - accepted
    if lost:
        problems.append(f"{what}: {sum(lost.values())} accepted but not stored: {list(lost)[:5]}")
    if extra:
        problems.append(f"{what}: {sum(extra.values())} stored but not accepted: {list(extra)[:5]}")
    duplicated = [k for k, n in stored.items() if n > 1]
    if duplicated:
        problems.append(f"{what}: stored more than once: {duplicated[:5]}")
    return problems


def check(results: dict, seed: dict) -> dict:
    from core.models import User
    from participation.models import Booking, Registration
    from processes.models import Application
    from tables.models import Invitation, TableMembership

    problems: list[str] = []
    signups = Counter(User.objects.filter(email__in=results["signups"]).values_list("email"))
    problems += compare("sign-ups", Counter((e,) for e in results["signups"]), signups)

    joins = Counter(
        TableMembership.objects.filter(table_id__in=seed["tables"]).values_list(
            "entity_id", "table_id"
        )
    )
    problems += compare("join requests", Counter(tuple(j) for j in results["joins"]), joins)

    applications = Application.objects.filter(procedure_id__in=seed["procedures"])
    submitted = applications.filter(submitted_at__isnull=False)
    problems += compare(
        "applications",
        Counter(tuple(a) for a in results["applications"]),
        Counter(submitted.values_list("entity_id", "procedure_id")),
    )
    drafts = applications.filter(submitted_at__isnull=True).count()
    if drafts:
        problems.append(f"applications: {drafts} started and never submitted")
    numbers = Counter(submitted.values_list("protocol_number", flat=True))
    if any(n > 1 for n in numbers.values()):
        problems.append("applications: a protocol number was given twice")
    for application in submitted.exclude(documents__isnull=False):
        problems.append(f"application {application.pk}: submitted without its attachment")
    if submitted.filter(receipt_sent_at__isnull=True).exists():
        problems.append("applications: a receipt was never sent")

    invitations = Invitation.objects.filter(meeting_id=seed["meeting"])
    if invitations.count() != len(seed["users"]):
        problems.append(f"RSVP: {invitations.count()} invitations, {len(seed['users'])} seeded")
    stored_answers = dict(
        invitations.filter(pk__in=[int(pk) for pk in results["rsvps"]]).values_list(
            "pk", "response"
        )
    )
    wrong = {
        pk: (answer, stored_answers.get(int(pk)))
        for pk, answer in results["rsvps"].items()
        if stored_answers.get(int(pk)) != answer
    }
    if wrong:
        problems.append(f"RSVP: the last accepted answer is not the stored one: {wrong}")

    registrations = Registration.objects.filter(event_id=seed["event"])
    problems += compare(
        "event registrations",
        Counter((e,) for e in results["registrations"]),
        Counter(registrations.values_list("email")),
    )
    # a seat each: held until the address is confirmed (the load does not open the e-mails)
    confirmed = Booking.objects.filter(
        registration__in=registrations,
        status__in=[Booking.Status.HELD, Booking.Status.CONFIRMED],
    ).count()
    if confirmed != registrations.count():
        problems.append(f"event: {registrations.count()} registrations, {confirmed} places")

    counts = {
        "signups": sum(signups.values()),
        "joins": sum(joins.values()),
        "applications": submitted.count(),
        "rsvps": len(stored_answers),
        "registrations": registrations.count(),
    }
    # every simulated user starts with one of these (locustfile.py): none may be missing
    problems += [
        f"no {what} at all: the mix did not exercise them"
        for what in ("joins", "applications", "rsvps", "registrations")
        if not counts[what]
    ]
    return {"counts": counts, "problems": problems}


if __name__ == "__main__":
    import django

    django.setup()
    results_path, seed_path = sys.argv[1:3]
    report = check(
        json.loads(Path(results_path).read_text()), json.loads(Path(seed_path).read_text())
    )
    print(json.dumps(report))

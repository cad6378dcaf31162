"""Text stored by users never becomes markup: templates escape it (no `|safe` on it anywhere),
rich text goes through the sanitiser when it is shown, and htmx is configured to process only
what the portal writes (no eval, no script tags, requests to this site only, nothing inside the
containers of user text). The browser proof is in test_htmx_injection.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
INJECTION = (
    '<b hx-post="/notifiche/" hx-trigger="load" '
    'hx-vals=\'{"notification_email": "none"}\'>Qualità</b>'
)


def _templates():
    return [p for p in (ROOT / "templates").rglob("*.html")]


def test_no_template_marks_text_safe():
    """`|safe`, `|safeseq` and `{% autoescape off %}` would turn stored text into markup; rich
    text uses `|rich_text` (sanitised when shown). Plain-text e-mail templates (.txt) turn
    autoescaping off on purpose and are not HTML."""
    pattern = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off")
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _templates()
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, found


# Every mark_safe of the project, each justified where it stands (# noqa: S308 + the reason).
MARK_SAFE_ALLOWED = {
    "core/forms.py",  # the select widget: every value passes through escape/format_html
    "core/pagination.py",  # the pagination markup: every number and text conditional_escape'd
    "core/templatetags/portal.py",  # rich_text: the output of the nh3 allow-list sanitiser
    "plans/charts.py",  # SVG charts: every interpolated text escaped
}


def test_mark_safe_only_where_justified():
    found = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv", "node_modules", "tests/")):
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if "mark_safe(" in line and "import" not in line:
                found.setdefault(rel, []).append((n, line))
    assert set(found) <= MARK_SAFE_ALLOWED, set(found) - MARK_SAFE_ALLOWED
    for rel, lines in found.items():
        assert all("noqa: S308" in line for _n, line in lines), (rel, lines)


def test_rich_text_is_sanitised_when_shown():
    from django.template import Context, Template

    stored = (
        '<p hx-post="/notifiche/" hx-trigger="load" data-hx-get="/x/">Testo <strong>forte</strong>'
        '</p><script>alert(1)</script><img src="file:///etc/passwd"><a href="javascript:x()">l</a>'
    )
    html = Template("{% load portal %}{{ body|rich_text }}").render(Context({"body": stored}))
    assert "<strong>forte</strong>" in html
    for bad in ("hx-", "<script", "<img", "javascript:"):
        assert bad not in html, bad


@pytest.mark.django_db
def test_htmx_is_configured_to_process_only_the_portals_own_attributes(client):
    body = client.get(reverse("core:home")).content.decode()
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', body)
    config = json.loads(meta.group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True
    assert config["historyEnabled"] is False  # no copies of reserved pages in localStorage
    # the containers of user text opt out of htmx in either spelling of the attribute
    assert config["disableSelector"] == "[hx-disable], [data-hx-disable]"


@pytest.mark.django_db
def test_the_scoring_form_shows_a_criterion_description_as_text(
    client_for, ambito, staff_user, entity
):
    from processes.models import ApplicationStatus, CommissionMember
    from tests.factories.core import UserFactory
    from tests.factories.processes import (
        ApplicationFactory,
        CriterionFactory,
        NoticeFactory,
        ProcedureFactory,
    )

    procedure = ProcedureFactory(ambito=ambito, status="evaluation", rup=staff_user)
    notice = NoticeFactory(procedure=procedure, published_at=timezone.now())
    CriterionFactory(notice=notice, name="Qualità", weight=100, description=INJECTION)
    application = ApplicationFactory(
        procedure=procedure,
        entity=entity,
        status=ApplicationStatus.ADMITTED,
        submitted_at=timezone.now(),
    )
    commissioner = UserFactory()
    CommissionMember.objects.create(
        procedure=procedure, user=commissioner, declared_at=timezone.now()
    )
    page = client_for(commissioner).get(
        reverse("processes:application_score", args=[application.pk])
    )
    body = page.content.decode()
    assert "<b hx-post" not in body
    assert "&lt;b hx-post=&quot;/notifiche/&quot;" in body
    assert 'name="c' in body  # the form is there, with the criterion's field

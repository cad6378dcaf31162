"""E-mail subjects and plain-text bodies are text: a title with a quote, an angle bracket, an
ampersand or a line break arrives as written (on one line in the subject), never HTML-escaped;
the HTML body stays escaped. Every subject template of templates/emails/ is rendered through
the one pipeline (core.mail) and its subject compared exactly."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace as O
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from core import mail

TITLE = 'Il "punto" <uno> & due\nrighe'
SHOWN = 'Il "punto" <uno> & due righe'  # the same on one line
WHEN = datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("Europe/Rome"))

# template -> (context, the exact subject)
CASES = {
    "entities_claim_admins": (
        {"entity": O(name=TITLE)},
        f"{SHOWN}: l'Ufficio di Piano ha accolto una richiesta di amministrazione",
    ),
    "entities_legal_representative": (
        {"entity": O(name=TITLE), "person": O(display_name="Mario Rossi")},
        f"{SHOWN}: il legale rappresentante è ora amministratore nel portale",
    ),
    "entities_claim_decision": (
        {"entity": O(name=TITLE, tax_code="80012345678"), "claim": O(status="accepted")},
        f"Richiesta di amministrazione di {SHOWN} accolta",
    ),
    "processes_accreditation_change": (
        {"procedure": O(title=TITLE), "event": O(get_kind_display="sospeso")},
        f"Elenco degli accreditati «{SHOWN}»: sospeso",
    ),
    "processes_admission": (
        {"procedure": O(title=TITLE), "application": O()},
        f"Domanda ammessa — {SHOWN}",
    ),
    "processes_outcome": (
        {"procedure": O(title=TITLE), "application": O()},
        f"Esito del procedimento — {SHOWN}",
    ),
    "processes_agreement_ready": (
        {"procedure": O(title=TITLE, pk=1)},
        f"Convenzione da firmare — {SHOWN}",
    ),
    "processes_agreement_signed": (
        {"procedure": O(title=TITLE, pk=1)},
        f"Convenzione firmata da entrambe le parti — {SHOWN}",
    ),
    "processes_exclusion_decision": (
        {"procedure": O(title=TITLE), "application": O()},
        f"Domanda non ammessa — {SHOWN}",
    ),
    "processes_exclusion_notice": (
        {"procedure": O(title=TITLE), "application": O()},
        f"Comunicazione dei motivi ostativi (art. 10-bis L. 241/1990) — {SHOWN}",
    ),
    "processes_reopened": ({"procedure": O(title=TITLE)}, f"Termini riaperti: {SHOWN}"),
    "entities_invitation": ({"entity": O(name=TITLE)}, f"Invito a far parte di {SHOWN}"),
    "ambito_staff_invitation": (
        {"role_label": "Operatore dell'Ufficio di Piano", "where": TITLE},
        f"Invito: Operatore dell'Ufficio di Piano — {SHOWN}",
    ),
    "ambito_staff_role_changed": (
        {"ambito": O(name=TITLE)},
        f"Il tuo ruolo nell'ambito {SHOWN} è cambiato",
    ),
    "ambito_staff_role_revoked": (
        {"role_label": "Servizi sociali del comune", "where": TITLE},
        f"Ruolo revocato: Servizi sociali del comune — {SHOWN}",
    ),
    "entities_status": (
        {"entity": O(name=TITLE, status="verified"), "status_label": "verificato"},
        f"{SHOWN}: verificato",
    ),
    "notification": ({"notification": O(title=TITLE, body="", url="/")}, SHOWN),
    "notification_digest": (
        {"items": [O(title=TITLE, url="/"), O(title="Altro", url="")]},
        "Riepilogo: 2 novità",
    ),
    "participation_event_cancelled": (
        {"event": O(title=TITLE, starts_at=WHEN), "registration": O(name=TITLE)},
        f"Evento annullato: «{SHOWN}»",
    ),
    "participation_promoted": (
        {"booking": O(session=O(title=TITLE, starts_at=WHEN)), "event": O(title="Festa")},
        f"Si è liberato un posto: «{SHOWN}»",
    ),
    "participation_registration_confirm": (
        {"event": O(title=TITLE), "registration": O(name=TITLE)},
        f"Conferma l'iscrizione a «{SHOWN}»",
    ),
    "participation_registration": (
        {"event": O(title=TITLE, starts_at=WHEN), "bookings": []},
        f"Iscrizione a «{SHOWN}»",
    ),
    "participation_registration_cancelled": (
        {"event": O(title=TITLE), "bookings": []},
        f"Iscrizione annullata: «{SHOWN}»",
    ),
    "processes_notice": (
        {"notice": O(version=2, subject=TITLE), "procedure": O(title=TITLE)},
        f"Rettifica dell'avviso: {SHOWN}",
    ),
    "processes_receipt": (
        {"application": O(protocol_number="AC-2026-7"), "procedure": O(title=TITLE)},
        f"Ricevuta della domanda AC-2026-7 — {SHOWN}",
    ),
    "processes_withdrawn": (
        {"protocol_number": "AC-2026-7", "procedure": O(title=TITLE), "application": O()},
        f"Domanda AC-2026-7 ritirata — {SHOWN}",
    ),
    "tables_meeting": (
        {
            "kind": "invitation",
            "table": O(name=TITLE),
            "meeting": O(title='"quote"', starts_at=WHEN, ends_at=WHEN),
            "invitation": O(display_name="Anna"),
        },
        f'Convocazione: {SHOWN} — "quote", 4 dicembre 2026 15:00',
    ),
    "tables_membership_decision": (
        {"approved": True, "table": O(name=TITLE), "membership": O(entity=O(name="Ente"))},
        f"Richiesta accolta: {SHOWN}",
    ),
}


def test_every_subject_template_has_its_case():
    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    assert {p.parent.name for p in folder.glob("*/subject.txt")} == set(CASES)


@pytest.mark.parametrize("template", sorted(CASES))
def test_subject_is_the_text_exactly(template):
    context, expected = CASES[template]
    subject, _text, _html = mail.render(template, context)
    assert subject == expected


def test_plain_text_body_is_text_and_html_body_stays_escaped():
    context, _subject = CASES["participation_registration"]
    _subject, text, html = mail.render(
        "participation_registration", {**context, "registration": O(name='Anna "la" <Rossi>')}
    )
    assert f"abbiamo registrato la tua iscrizione a «{TITLE}»" in text
    assert 'Gentile Anna "la" <Rossi>,' in text
    assert "&quot;" not in text and "&lt;" not in text and "&amp;" not in text
    assert "Anna &quot;la&quot; &lt;Rossi&gt;" in html and "<Rossi>" not in html

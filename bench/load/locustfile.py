"""Load mix for the portal (run by bench/load/run.py; see README "Security and reliability").

Each simulated user logs in with its own seeded account (load-<n>@example.org, see seed.py) and
then browses and writes like a real one: it asks for its entity to join tables, answers the
invitation to a meeting (logged in, or through the signed link of the e-mail), applies to open
procedures (declarations, one PDF attachment, submission), registers people for a public event,
and signs up newcomers. Weights are per task. Every response >= 500 is counted, and every write
the server accepted is written with it to $LOAD_RESULTS when the run stops: the runner
(bench/load/checks.py) then checks that each one is in the database exactly once.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import uuid
from pathlib import Path
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-Password-2026")
USERS = int(os.environ.get("LOAD_SEEDED_USERS", "60"))
_counter = itertools.count()
_lock = threading.Lock()
RESULTS: dict = {
    "server_errors": [],
    "signups": [],
    "logins_ok": 0,
    "logins_failed": 0,
    "joins": [],  # [entity, table] of every join request accepted
    "applications": [],  # [entity, procedure] of every application submitted
    "rsvps": {},  # invitation -> the last answer accepted
    "registrations": [],  # e-mails registered for the event
}
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DECLARATION_RE = re.compile(r'name="declarations" value="([^"]+)"')
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SEED_FILE = os.environ.get("LOAD_SEED_FILE")
SEED: dict = json.loads(Path(SEED_FILE).read_text()) if SEED_FILE else {}


@events.request.add_listener
def _count_server_errors(request_type, name, response, exception, **kwargs):
    if response is not None and getattr(response, "status_code", 0) >= 500:
        with _lock:
            RESULTS["server_errors"].append(f"{request_type} {name} {response.status_code}")


@events.test_stop.add_listener
def _write_results(environment, **kwargs):
    path = os.environ.get("LOAD_RESULTS")
    if path:
        with open(path, "w") as fh:
            json.dump(RESULTS, fh)


class PortalUser(HttpUser):
    wait_time = between(1, 3)

    def csrf(self, path: str, name: str | None = None) -> str:
        response = self.client.get(path, name=name or path)
        match = CSRF_RE.search(response.text)
        return match.group(1) if match else self.client.cookies.get("csrftoken", "")

    def on_start(self):
        n = next(_counter) % USERS
        self.email = f"load-{n}@example.org"
        self.mine = SEED["users"][self.email]
        self.joined: set[int] = set()
        self.applied: set[int] = set()
        token = self.csrf("/account/login/")
        response = self.client.post(
            "/account/login/",
            {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/account/login/"},
            name="/account/login/ [POST]",
        )
        with _lock:
            if "/account/login/" in response.url:
                RESULTS["logins_failed"] += 1
            else:
                RESULTS["logins_ok"] += 1
        # People log in to do something: each user starts with one of the writes, so that even
        # a short run (the CI smoke) exercises all of them.
        [self.join_table, self.rsvp, self.apply, self.register_for_event][n % 4]()

    # --- reads ---------------------------------------------------------------------------
    @task(6)
    def home(self):
        self.client.get("/", name="home")

    @task(5)
    def my_area(self):
        self.client.get("/la-mia-area/", name="my_area")

    @task(4)
    def notifications(self):
        self.client.get("/notifiche/", name="notifications")

    @task(2)
    def account_pages(self):
        self.client.get("/account/email/", name="account_email")
        self.client.get("/account/sessions/", name="account_sessions")

    @task(2)
    def public_pages(self):
        self.client.get("/ambiti/", name="ambiti")
        self.client.get("/privacy/", name="privacy")

    @task(1)
    def personal_data(self):
        self.client.get("/la-mia-area/dati/", name="personal_data")

    # --- writes --------------------------------------------------------------------------
    @task(2)
    def mark_notifications_read(self):
        token = self.csrf("/notifiche/")
        self.client.post(
            "/notifiche/lette/",
            {"csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/notifiche/"},
            name="notifications_read [POST]",
        )

    @task(1)
    def notification_preference(self):
        token = self.csrf("/notifiche/")
        choice = ["immediate", "daily", "none"][next(_counter) % 3]
        self.client.post(
            "/notifiche/",
            {"csrfmiddlewaretoken": token, "notification_email": choice},
            headers={"Referer": f"{self.host}/notifiche/"},
            name="notifications [POST]",
        )

    @task(1)
    def sign_up_someone(self):
        """A newcomer signs up (its own anonymous session): a row that must not get lost."""
        from locust.clients import HttpSession

        anon = HttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self
        )
        page = anon.get("/account/signup/", name="signup")
        match = CSRF_RE.search(page.text)
        email = f"new-{uuid.uuid4().hex[:12]}@example.org"
        response = anon.post(
            "/account/signup/",
            {
                "email": email,
                "password1": "Una-Password-Robusta-2026",
                "password2": "Una-Password-Robusta-2026",
                "csrfmiddlewaretoken": match.group(1) if match else "",
            },
            headers={"Referer": f"{self.host}/account/signup/"},
            name="signup [POST]",
            allow_redirects=False,
        )
        if response.status_code == 302 and "confirm-email" in response.headers.get("Location", ""):
            with _lock:
                RESULTS["signups"].append(email)

    def post(self, path: str, data: dict, name: str, referer: str, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        return self.client.post(
            path, data, headers={"Referer": f"{self.host}{referer}"}, name=name, **kwargs
        )

    def post_and_confirm(self, path: str, data: dict, name: str, referer: str, message: str):
        """POST, follow the redirect, and tell whether the page shows the success `message`
        (these views redirect both on success and on refusal, with a different message)."""
        response = self.post(path, data, name, referer, allow_redirects=True)
        return response.status_code == 200 and message in response.text

    @task(2)
    def join_table(self):
        """The entity asks to join a table it has not asked for yet (then only reads it)."""
        todo = [t for t in SEED["tables"] if t not in self.joined]
        if not todo:
            self.client.get(f"/tavoli/{SEED['tables'][0]}/", name="table")
            return
        table = random.choice(todo)  # noqa: S311 - not cryptography
        path = f"/tavoli/{table}/partecipa/"
        data = {
            "csrfmiddlewaretoken": self.csrf(path, name="table_join"),
            "entity": self.mine["entity"],
            "delegate": self.mine["user"],
            "motivation": "Ci occupiamo di questi servizi da dieci anni.",
        }
        if self.post_and_confirm(path, data, "table_join [POST]", path, "Richiesta inviata"):
            self.joined.add(table)
            with _lock:
                RESULTS["joins"].append([self.mine["entity"], table])

    @task(3)
    def rsvp(self):
        """Answer the meeting's invitation, from the e-mail's signed link or logged in."""
        answer = random.choice(["yes", "no", "maybe"])  # noqa: S311
        if random.random() < 0.5:  # noqa: S311
            path = post_path = f"/tavoli/risposta/{self.mine['rsvp_token']}/"
            names = ("rsvp_link", "rsvp_link [POST]", "la tua risposta è stata registrata")
        else:
            path = f"/tavoli/sedute/{SEED['meeting']}/"
            post_path = f"{path}rispondi/"
            names = ("meeting", "meeting_rsvp [POST]", "Risposta registrata")
        data = {"csrfmiddlewaretoken": self.csrf(path, name=names[0]), "response": answer}
        if self.post_and_confirm(post_path, data, names[1], path, names[2]):
            with _lock:
                RESULTS["rsvps"][str(self.mine["invitation"])] = answer

    @task(1)
    def apply(self):
        """Apply to an open procedure: start, attach the statute, tick every declaration, submit."""
        todo = [p for p in SEED["procedures"] if p not in self.applied]
        if not todo:
            self.client.get(f"/procedimenti/{SEED['procedures'][0]}/", name="procedure")
            return
        procedure = random.choice(todo)  # noqa: S311
        path = f"/procedimenti/{procedure}/"
        data = {
            "csrfmiddlewaretoken": self.csrf(path, name="procedure"),
            "entity": self.mine["entity"],
        }
        started = self.post(f"{path}domanda/", data, "application_start [POST]", path)
        location = urlparse(started.headers.get("Location", "")).path
        if started.status_code != 302 or "/domande/" not in location:
            return
        self.applied.add(procedure)
        page = self.client.get(location, name="application")
        token = CSRF_RE.search(page.text).group(1)
        self.post(
            f"{location}allegati/",
            {"csrfmiddlewaretoken": token, "title": "Statuto"},
            "application_document [POST]",
            location,
            files={"file": ("statuto.pdf", PDF, "application/pdf")},
        )
        data = {
            "csrfmiddlewaretoken": token,
            "declarations": DECLARATION_RE.findall(page.text),
            "submit": "1",
        }
        if self.post(location, data, "application_submit [POST]", location).status_code == 302:
            with _lock:
                RESULTS["applications"].append([self.mine["entity"], procedure])

    @task(1)
    def register_for_event(self):
        """Register someone (a new address each time) for the public event."""
        path = f"/partecipazione/eventi/{SEED['event']}/"
        email = f"ospite-{uuid.uuid4().hex[:12]}@example.org"
        data = {
            "csrfmiddlewaretoken": self.csrf(path, name="event"),
            "name": "Ospite del carico",
            "email": email,
            "sessions": SEED["session"],
            "privacy": "on",
        }
        response = self.post(path, data, "event_register [POST]", path)
        # the one answer to every request; the address then confirms from its e-mail
        if "/richiesta-inviata/" in response.headers.get("Location", ""):
            with _lock:
                RESULTS["registrations"].append(email)

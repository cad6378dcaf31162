"""Load mix for the portal (run by bench/load/run.py; see README "Security and reliability").

Each simulated user logs in with its own seeded account (load-<n>@example.org) and then browses
and writes like a real one. Weights are per task. Every response >= 500 is counted and written,
with the e-mails of the accounts created by sign-up, to $LOAD_RESULTS when the run stops: the
runner checks zero 5xx and that every sign-up that succeeded is in the database.

TODO after the feature apps are merged (the lead): add the write journeys below to FEATURE_TASKS,
each a function(user) using user.client and user.csrf(); the runner needs no change.
  - join request to a table:   entities/tables  POST tables:join_request  (weight 2)
  - RSVP to a meeting:         tables           POST tables:rsvp          (weight 3)
  - application to a procedure processes       POST processes:application_create + submit (1)
  - reads: entities directory, table page, procedure page (weight 3 each)
and seed what they need (tables, meetings, open procedures, memberships) in bench/load/seed.py;
add the counts to check to bench/load/run.py (CHECKS).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import uuid

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-Password-2026")
USERS = int(os.environ.get("LOAD_SEEDED_USERS", "60"))
_counter = itertools.count()
_lock = threading.Lock()
RESULTS: dict = {"server_errors": [], "signups": [], "logins_ok": 0, "logins_failed": 0}
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# name -> (weight, function(user)); the TODO hooks above go here.
FEATURE_TASKS: dict[str, tuple[int, object]] = {}


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

    def csrf(self, path: str) -> str:
        response = self.client.get(path, name=path)
        match = CSRF_RE.search(response.text)
        return match.group(1) if match else self.client.cookies.get("csrftoken", "")

    def on_start(self):
        n = next(_counter) % USERS
        self.email = f"load-{n}@example.org"
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

    @task(3)
    def feature_journeys(self):
        for _name, (weight, func) in FEATURE_TASKS.items():
            for _ in range(weight):
                func(self)

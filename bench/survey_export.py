"""Survey export benchmark (as bench/export.py does for the open-data export): a survey of four
questions answered by --survey-rows people (250,000 by default: one row each in the file, five
answers each) is downloaded as CSV and XLSX through the export view
(participation/surveys/views.py), in a fresh subprocess that reports its memory: the peak RSS
after a warm-up download of a small survey, then after each big one. The goal: the big downloads
grow the peak by less than GOAL_MB, every row is written, and the rows are read in the same
number of queries as the warm-up's. Seeding runs in the runner's process (`seed`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from bench.export import _peak_mb

GOAL_MB = 50.0
TITLE = "Bench: questionario"
BATCH = 5000
UNUSABLE = "!"  # Django's unusable password: these users never log in
QUESTIONS = (
    ("single", "Conosci i servizi?", "Sì\nNo"),
    ("multiple", "Bisogni", "Casa\nLavoro\nScuola"),
    ("scale", "Soddisfazione", ""),
    ("text", "Suggerimenti", ""),
)


def _values(i: int) -> list[tuple[int, str]]:
    """(question index, value) of the i-th response: five answers."""
    return [
        (0, "Sì" if i % 2 else "No"),
        (1, "Casa"),
        (1, "Scuola"),
        (2, str(i % 5 + 1)),
        (3, f"Suggerimento {i}: più servizi di prossimità"),
    ]


def seed_survey(ambito, title: str, responses: int) -> int:
    """A closed survey `title` of `ambito` with `responses` responses of as many bench users
    (bulk inserts)."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import User
    from participation.models import Answer, Question, Response, Survey

    Survey.objects.filter(title=title).delete()
    now = timezone.now()
    survey = Survey.objects.create(
        ambito=ambito,
        title=title,
        status=Survey.Status.PUBLISHED,
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
    )
    questions = Question.objects.bulk_create(
        Question(survey=survey, position=n, kind=k, text=t, options=o)
        for n, (k, t, o) in enumerate(QUESTIONS, start=1)
    )
    tag = f"survey{survey.pk}"
    for start in range(0, responses, BATCH):
        stop = min(start + BATCH, responses)
        users = User.objects.bulk_create(
            User(email=f"{tag}-{i}@bench.invalid", password=UNUSABLE) for i in range(start, stop)
        )
        made = Response.objects.bulk_create(Response(survey=survey, user=u) for u in users)
        Answer.objects.bulk_create(
            Answer(response=r, question=questions[q], value=v)
            for i, r in zip(range(start, stop), made, strict=True)
            for q, v in _values(i)
        )
    return survey.pk


def seed(rows: int) -> dict[str, int]:
    """Both surveys in the coordinator persona's ambito: the persona downloads them."""
    from bench.pages import Refs

    ambito = Refs().ambito
    return {
        "small": seed_survey(ambito, TITLE + " (piccolo)", 10),
        "big": seed_survey(ambito, TITLE, rows),
    }


def stream_one(small: int, big: int) -> dict:
    """Runs in the subprocess: a warm-up download of the small survey, then the big one."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.pages import Refs

    client = Client()
    client.force_login(Refs().persona("coordinator"))  # the Ufficio di Piano, as in real use

    def download(pk: int, fmt: str) -> dict:
        url = reverse("participation:survey_export", kwargs={"pk": pk}) + f"?formato={fmt}"
        started = time.perf_counter()
        size = lines = 0
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            for piece in response.streaming_content:
                size += len(piece)
                lines += piece.count(b"\n")
        return {
            "status": response.status_code,
            "seconds": round(time.perf_counter() - started, 2),
            "bytes": size,
            "lines": lines,  # CSV only: the XLSX is zipped
            "queries": len(ctx.captured_queries),
        }

    for fmt in ("csv", "xlsx"):  # the process's first requests fill its own caches
        download(small, fmt)
    warm = {fmt: download(small, fmt) for fmt in ("csv", "xlsx")}
    baseline = _peak_mb()
    result = {"baseline_mb": baseline, "warm_up": warm}
    for fmt in ("csv", "xlsx"):
        result[fmt] = {**download(big, fmt), "peak_mb": _peak_mb()}
    result["growth_mb"] = round(result["xlsx"]["peak_mb"] - baseline, 1)
    result["goal_mb"] = GOAL_MB
    return result


def measure(env: dict[str, str], rows: int) -> dict:
    """Seed (in this process), then download in a subprocess (python -m bench.survey_export)."""
    from bench.stack import ROOT

    started = time.perf_counter()
    pks = seed(rows)
    seed_s = round(time.perf_counter() - started, 1)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.survey_export", str(pks["small"]), str(pks["big"])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"rows": rows, "error": proc.stderr[-2000:]}
    return {"rows": rows, "seed_s": seed_s, **json.loads(proc.stdout.strip().splitlines()[-1])}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    print(json.dumps(stream_one(int(sys.argv[1]), int(sys.argv[2]))))

"""PDF benchmark: each document is rendered by core.pdf in a fresh subprocess, which reports its
wall time and peak memory (ru_maxrss), so one document's memory never hides another's.

Documents: "minutes" (40 attendees, 15 agenda items; goal < 2 s) and "plan" (150 interventions
laid out as blocks; goal < 15 s and < 500 MB). Until the features land they use the stand-in
templates bench/templates/bench/pdf_*.html with synthetic data.

HOOK: an app's bench.py may define `pdf_documents() -> dict[name, callable]`, where the callable
returns (template, context) built from the seeded data, e.g. in plans/bench.py:
    def pdf_documents():
        def plan():
            from plans.exports import PDF_TEMPLATE, pdf_context
            return PDF_TEMPLATE, pdf_context(Plan.objects.filter(...).first())
        return {"plan": plan}
It then replaces the stand-in of the same name (run.py reports which template was used)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

GOALS = {"minutes": {"seconds": 2.0, "mb": None}, "plan": {"seconds": 15.0, "mb": 500.0}}

LOREM = (
    "Il tavolo ha esaminato la proposta e ne ha discusso gli effetti sui servizi del territorio, "
    "con particolare attenzione alle persone più fragili e alla continuità degli interventi. "
)


def minutes_standin():
    attendees = [
        {
            "name": f"Persona {i:02d}",
            "entity": f"Ente del Terzo settore {i:02d}",
            "role": "Delegato",
            "present": i % 7 != 0,
        }
        for i in range(40)
    ]
    items = [
        {"number": k + 1, "title": f"Punto {k + 1} all'ordine del giorno", "text": LOREM * 4}
        for k in range(15)
    ]
    return "bench/pdf_minutes.html", {
        "title": "Verbale della seduta",
        "attendees": attendees,
        "items": items,
    }


def plan_standin():
    interventions = [
        {
            "code": f"INT-{i + 1:03d}",
            "title": f"Intervento {i + 1}: servizio di prossimità",
            "area": ["Famiglie e minori", "Anziani", "Disabilità", "Povertà"][i % 4],
            "description": LOREM * 3,
            "budget": f"{50_000 + i * 1_250:,}".replace(",", "."),
            "sources": ["FNPS", "Fondo povertà", "Risorse comunali"],
            "partners": [f"Ente {i * 3 + j}" for j in range(3)],
        }
        for i in range(150)
    ]
    return "bench/pdf_plan.html", {"title": "Piano di Zona", "interventions": interventions}


STANDINS = {"minutes": minutes_standin, "plan": plan_standin}


def documents() -> dict:
    from importlib import import_module

    from django.apps import apps

    docs = dict(STANDINS)

    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.bench")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "pdf_documents"):
            docs.update(module.pdf_documents())
    return docs


def render_one(name: str) -> dict:
    """Runs in the subprocess."""
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from core import pdf

    template, context = documents()[name]()
    started = time.perf_counter()
    pdf.render_pdf("pdf/base.html", {"title": "warm-up"})  # fonts and WeasyPrint's first load
    cold = time.perf_counter() - started
    started = time.perf_counter()
    data = pdf.render_pdf(template, context)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "template": template,
        "seconds": round(seconds, 2),
        "warm_up_seconds": round(cold, 2),
        "peak_mb": round(peak_kb / 1024, 1),
        "bytes": len(data),
        "pdf_ok": data.startswith(b"%PDF"),
    }


def measure(env: dict[str, str]) -> dict:
    """Each document in its own subprocess (python -m bench.pdfs NAME)."""
    from bench.stack import ROOT

    results = {}
    for name in GOALS:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.pdfs", name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            results[name] = {"error": proc.stderr[-2000:]}
            continue
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    return results


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    print(json.dumps(render_one(sys.argv[1])))

"""`make audit`: bandit on the portal's code and pip-audit on the installed dependencies.

- bandit reads its configuration (accepted skips, excluded folders) from [tool.bandit] in
  pyproject.toml; any finding fails.
- pip-audit asks PyPI's JSON API (https://pypi.org/pypi/<name>/<version>/json) for known
  vulnerabilities of each installed distribution; any vulnerability not listed in IGNORED below
  (with its reason) fails. When PyPI cannot tell about a version (the per-version endpoint 404s,
  as it does on machines whose package index is a mirror ahead of or behind pypi.org), the
  project endpoint is asked, which covers the latest release only; a distribution neither can
  tell about is NOT AUDITED. In CI (CI set, or AUDIT_STRICT=1) that fails the run, unless
  UNAUDITABLE below names the package with the reason; AUDIT_STRICT=0 only warns.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
APPS = ["config", "core", "ambito", "entities", "tables", "processes", "participation", "plans"]

# Vulnerability id -> why it does not apply or why there is no fix yet (review at each release).
IGNORED: dict[str, str] = {}

# Package -> why it cannot be audited here and how it is watched instead. Only packages held
# below their latest release on purpose belong here (the others: `make lock LOCK_ARGS=--upgrade`).
UNAUDITABLE: dict[str, str] = {
    "boto3": (
        "released almost every day (AWS API models), so the pinned release is rarely the latest "
        "and this mirror has no per-version data; only the optional S3 media storage uses it, "
        "updated with `make lock LOCK_ARGS='--upgrade-package boto3 --upgrade-package botocore'`"
    ),
    "botocore": "released with boto3 every day (see boto3): the optional S3 media storage only",
    "jsonschema-rs": (
        "dev only: held by schemathesis (the API contract test), never installed in production; "
        "it validates the portal's own OpenAPI schema and test responses"
    ),
    "playwright": (
        "dev only: drives Debian's Chromium in the browser tests, never installed in production; "
        "held by pytest-playwright's supported range"
    ),
    "django": (
        "Django 5.2 LTS is kept on purpose (Python 3.11 of Debian 12; Django 6 needs 3.12), so "
        "it is never the latest release and PyPI's per-version endpoint is not served here; "
        "watch the Django security releases (djangoproject.com/weblog), which 5.2 receives "
        "until April 2028, and take them with `make lock LOCK_ARGS='--upgrade-package django'`"
    ),
    "packaging": (
        "pinned to 26.3 by kombu[redis] (packaging==26.3), the transport of Celery on Redis; "
        "it parses version strings, no input from the network"
    ),
    "python-dateutil": (
        "held at 2.9 by botocore and celery (they require python-dateutil<3), so the 4.x "
        "release line hides it from the latest-release check; it parses dates only"
    ),
    "python-slugify": (
        "held at 8.x by python-codicefiscale and pytest-playwright (they require "
        "python-slugify<9); it turns names into slugs, no input from the network"
    ),
}


def run_bandit() -> bool:
    cmd = [str(BIN / "bandit"), "-c", "pyproject.toml", "-q", "-r", *APPS]
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode == 0


def _latest_release_vulns(dep: dict) -> tuple[str, list[dict]] | None:
    """Fallback when PyPI's per-version endpoint does not know the installed version: the
    project endpoint lists the known vulnerabilities of the latest release. Use it when the
    installed version IS the latest; otherwise we cannot tell (None)."""
    import urllib.request

    version = dep.get("skip_reason", "").rpartition("(")[2].rstrip(")")
    try:
        with urllib.request.urlopen(
            f"https://pypi.org/pypi/{dep['name']}/json", timeout=15
        ) as response:  # noqa: S310
            data = json.load(response)
    except Exception:  # noqa: BLE001 - offline or unknown: not audited
        return None
    if data["info"]["version"] != version:
        return None
    return version, [v for v in data.get("vulnerabilities", []) if not v.get("withdrawn")]


def run_pip_audit() -> bool:
    cmd = [str(BIN / "pip-audit"), "--progress-spinner", "off", "--skip-editable", "-f", "json"]
    for vuln_id in IGNORED:
        cmd += ["--ignore-vuln", vuln_id]
    print("$", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        print("pip-audit: no report (network?): nothing audited", file=sys.stderr)
        return no_report_verdict(strict=strict_mode())
    vulnerable = [d for d in report["dependencies"] if d.get("vulns")]
    skipped = [
        d
        for d in report["dependencies"]
        if d.get("skip_reason") and "editable" not in d["skip_reason"]
    ]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        fallback = list(pool.map(_latest_release_vulns, skipped))
    still_skipped = []
    for dep, found in zip(skipped, fallback, strict=True):
        if found is None:
            still_skipped.append(dep)
            continue
        version, vulns = found
        vulns = [
            v
            for v in vulns
            if v["id"] not in IGNORED and not set(v.get("aliases", [])) & set(IGNORED)
        ]
        if vulns:
            vulnerable.append(
                {
                    "name": dep["name"],
                    "version": version,
                    "vulns": [{"id": v["id"], "fix_versions": v.get("fixed_in")} for v in vulns],
                }
            )
    skipped = still_skipped
    audited = len(report["dependencies"]) - len(skipped)
    print(
        f"pip-audit: {audited} distributions audited, {len(vulnerable)} vulnerable, {len(skipped)} not audited"
    )
    ok, lines = judge(vulnerable, skipped, strict=strict_mode())
    for line in lines:
        print(line, file=sys.stderr)
    return ok


def strict_mode(environ=os.environ) -> bool:
    """In CI an unaudited package fails the run; AUDIT_STRICT=1/0 forces either way."""
    if "AUDIT_STRICT" in environ:
        return environ["AUDIT_STRICT"] == "1"
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def no_report_verdict(*, strict: bool) -> bool:
    """pip-audit gave no report (no network): nothing was audited."""
    return not strict


def _version(dep: dict) -> str:
    return dep.get("version") or dep.get("skip_reason", "").rpartition("(")[2].rstrip(")")


def judge(vulnerable: list[dict], unaudited: list[dict], *, strict: bool) -> tuple[bool, list[str]]:
    """(passed, lines to print) for the vulnerable and the not audited distributions."""
    lines = []
    for dep in vulnerable:
        for v in dep["vulns"]:
            lines.append(
                f"VULNERABLE {dep['name']} {dep['version']}: {v['id']} fixed in {v.get('fix_versions')}"
            )
    unlisted = []
    for dep in sorted(unaudited, key=lambda d: d["name"]):
        reason = UNAUDITABLE.get(dep["name"].lower())
        if reason:
            lines.append(f"not audited, accepted: {dep['name']} {_version(dep)}: {reason}")
        else:
            unlisted.append(f"{dep['name']} {_version(dep)}")
    if unlisted:
        lines.append(
            "NOT AUDITED (no vulnerability data for these versions: not the latest release, and "
            f"PyPI's per-version endpoint does not know them): {', '.join(unlisted)}. Update them "
            "(make lock LOCK_ARGS='--upgrade-package NAME') or add each to UNAUDITABLE in "
            "tests/security/run_audit.py with the reason"
            + ("" if strict else " (a failure in CI; here only a warning)")
        )
    return not vulnerable and not (unlisted and strict), lines


if __name__ == "__main__":
    bandit_ok = run_bandit()
    audit_ok = run_pip_audit()
    print(
        f"audit: bandit {'ok' if bandit_ok else 'FAILED'}, pip-audit {'ok' if audit_ok else 'FAILED'}"
    )
    sys.exit(0 if bandit_ok and audit_ok else 1)

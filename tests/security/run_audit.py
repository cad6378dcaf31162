"""`make audit`: bandit on the portal's code and pip-audit on the installed dependencies.

- bandit reads its configuration (accepted skips, excluded folders) from [tool.bandit] in
  pyproject.toml; any finding fails.
- pip-audit asks PyPI's JSON API (https://pypi.org/pypi/<name>/<version>/json) for known
  vulnerabilities of each installed distribution; any vulnerability not listed in IGNORED below
  (with its reason) fails. When PyPI cannot tell about a version (the per-version endpoint 404s,
  as it does on machines whose package index is a mirror ahead of or behind pypi.org), that
  distribution is reported as NOT AUDITED; with AUDIT_STRICT=1 that fails too.
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
        print("pip-audit: no report (network?)", file=sys.stderr)
        return os.environ.get("AUDIT_STRICT") != "1"
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
    for dep in vulnerable:
        for v in dep["vulns"]:
            print(
                f"VULNERABLE {dep['name']} {dep['version']}: {v['id']} fixed in {v.get('fix_versions')}",
                file=sys.stderr,
            )
    print(
        f"pip-audit: {audited} distributions audited, {len(vulnerable)} vulnerable, {len(skipped)} not audited"
    )
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        print(
            f"pip-audit WARNING: no vulnerability data for these versions (not the latest release, and PyPI's per-version endpoint does not know them): {names}"
        )
    ok = not vulnerable
    if skipped and os.environ.get("AUDIT_STRICT") == "1":
        ok = False
    return ok


if __name__ == "__main__":
    bandit_ok = run_bandit()
    audit_ok = run_pip_audit()
    print(
        f"audit: bandit {'ok' if bandit_ok else 'FAILED'}, pip-audit {'ok' if audit_ok else 'FAILED'}"
    )
    sys.exit(0 if bandit_ok and audit_ok else 1)

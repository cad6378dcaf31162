"""`make audit` (tests/security/run_audit.py): in CI a package that cannot be audited fails the
run unless UNAUDITABLE names it with the reason; a vulnerable package always fails."""

from __future__ import annotations

import pytest

from tests.security import run_audit

DJANGO = {"name": "django", "version": "5.2.19", "skip_reason": "could not find (5.2.19)"}
UNKNOWN = {"name": "somepackage", "version": "1.0", "skip_reason": "could not find (1.0)"}


@pytest.mark.parametrize(
    ("environ", "strict"),
    [
        ({"CI": "true"}, True),
        ({"CI": "true", "AUDIT_STRICT": "0"}, False),
        ({}, False),
        ({"AUDIT_STRICT": "1"}, True),
        ({"CI": "false"}, False),
    ],
)
def test_strict_in_ci(environ, strict):
    assert run_audit.strict_mode(environ) is strict


def test_an_unaudited_package_fails_in_ci_unless_listed_with_a_reason():
    ok, lines = run_audit.judge([], [UNKNOWN], strict=True)
    assert not ok
    assert any("somepackage 1.0" in line and "UNAUDITABLE" in line for line in lines)
    ok, _ = run_audit.judge([], [UNKNOWN], strict=False)
    assert ok  # a developer offline is warned, CI fails


def test_a_listed_package_passes_with_its_reason_printed():
    ok, lines = run_audit.judge([], [DJANGO], strict=True)
    assert ok
    [line] = [line for line in lines if "django 5.2.19" in line]
    assert run_audit.UNAUDITABLE["django"] in line


def test_every_listed_package_has_a_reason():
    assert run_audit.UNAUDITABLE
    for name, reason in run_audit.UNAUDITABLE.items():
        assert name == name.lower() and len(reason) > 40, name


def test_a_vulnerable_package_always_fails():
    vulnerable = [
        {"name": "x", "version": "1", "vulns": [{"id": "PYSEC-1", "fix_versions": ["2"]}]}
    ]
    assert run_audit.judge(vulnerable, [], strict=False)[0] is False


def test_no_report_at_all_fails_in_ci():
    assert run_audit.no_report_verdict(strict=True) is False
    assert run_audit.no_report_verdict(strict=False) is True

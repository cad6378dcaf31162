"""The load run's verdict (bench/load/run.py `judge`): it fails when latency passes the bounds
of the CI machine (bench/load/checks.py LATENCY_BOUNDS_MS, cited by README), fed here with
locust's "Aggregated" row as its stats CSV writes it."""

from __future__ import annotations

from bench.load.checks import LATENCY_BOUNDS_MS
from bench.load.run import judge

CLEAN = {"server_errors": [], "logins_failed": 0}
NO_PROBLEM = {"problems": [], "counts": {}}


def aggregated(p95: str, p99: str) -> dict:
    return {
        "Name": "Aggregated",
        "Request Count": "900",
        "Failure Count": "0",
        "95%": p95,
        "99%": p99,
    }


def verdict(total: dict) -> list[str]:
    return judge(locust_exit=0, results=CLEAN, total=total, writes=NO_PROBLEM)


def test_the_bounds_are_those_of_the_ci_machine_in_readme():
    assert LATENCY_BOUNDS_MS == {"p95": 2500, "p99": 5000}


def test_a_run_within_the_bounds_passes():
    # as measured on CI before the gate: p95 1.2 s, p99 2.8 s
    assert verdict(aggregated("1200", "2800")) == []
    assert verdict(aggregated("2500", "5000")) == []


def test_a_slow_p95_fails_the_run():
    assert verdict(aggregated("2600", "3000")) == ["latency p95 2600 ms over its bound of 2500 ms"]


def test_a_slow_p99_fails_the_run():
    assert verdict(aggregated("1200", "7100")) == ["latency p99 7100 ms over its bound of 5000 ms"]


def test_latency_not_measured_fails_the_run():
    problems = verdict({**aggregated("N/A", "N/A"), "Request Count": "0"})
    assert "0 failed requests out of 0" in problems
    assert "latency p95: not measured ('N/A')" in problems
    assert "latency p99: not measured ('N/A')" in problems

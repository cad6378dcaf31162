"""bench.throughput.alternate: a logged-in page against its bare view, in alternating rounds."""

from __future__ import annotations

from bench import throughput


def test_alternate_reports_the_median_round(monkeypatch):
    runs = []
    # Bare view, then page, three times: the machine slows down in the second round.
    answers = iter([300, 120, 150, 45, 310, 100])

    def fake_run(items, *, seconds, tag, **common):
        runs.append((items[0]["label"], seconds, tag))
        return {items[0]["label"]: {"requests": 1, "failures": 0, "rps": next(answers)}}

    monkeypatch.setattr(throughput, "run_locust", fake_run)
    page = {"label": "proposal", "role": "entity_admin"}
    bare = {"label": "bare view (entity_admin)", "role": "entity_admin"}
    result = throughput.alternate(page, bare, seconds=10, tag=7, host="h", users=20)

    assert [label for label, _, _ in runs] == ["bare view (entity_admin)", "proposal"] * 3
    assert {seconds for _, seconds, _ in runs} == {5}
    assert result["rounds"] == [0.4, 0.3, 0.323]
    assert result["ratio"] == 100 / 310 and result["rps"] == 100 and result["bare_rps"] == 310


def entry(name: str, times: dict[str, int], *, start: float, last: float, failures=0) -> dict:
    """An entry of locust's --json-file (StatsEntry.serialize), its histogram keyed by ms."""
    n = sum(times.values())
    return {
        "name": name,
        "method": "GET",
        "start_time": start,
        "last_request_timestamp": last,
        "num_requests": n,
        "num_failures": failures,
        "total_response_time": sum(float(ms) * c for ms, c in times.items()),
        "response_times": times,
    }


def test_final_stats_are_read_from_locusts_json():
    # 100 requests of a page: 90 at 10 ms, 9 at 200 ms, 1 at 900 ms; 50 of the bare view at 2 ms
    page = entry("home", {"10": 90, "200": 9, "900": 1}, start=1000.0, last=1009.9)
    bare = entry("bare view", {"2": 50}, start=1000.1, last=1010.0, failures=1)
    stats = throughput.summarize([page, bare])

    mean = (900 + 1800 + 900 + 100) / 150 / 1000  # the run starts a mean response earlier
    seconds = 10.0 + mean
    assert stats["home"]["requests"] == 100
    assert stats["home"]["rps"] == round(100 / seconds, 1)
    assert (stats["home"]["p50_ms"], stats["home"]["p95_ms"], stats["home"]["p99_ms"]) == (
        10.0,
        200.0,
        900.0,  # as locust counts: 1 request in 100 above the 99th percentile's value
    )
    assert stats["home"]["avg_ms"] == 36.0
    assert stats["bare view"]["failures"] == 1 and stats["bare view"]["p99_ms"] == 2.0
    total = stats["Aggregated"]
    assert (total["requests"], total["failures"]) == (150, 1)
    assert total["rps"] == round(150 / seconds, 1) and total["p99_ms"] == 200.0
    assert throughput.summarize([]) == {}

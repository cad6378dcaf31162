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

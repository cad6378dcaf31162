"""The two Hypothesis runs of `make test`: derandomized (the same examples every time, whatever
the seed) and random-seed (new examples for a new seed, the same again for the same seed, which
is how a failure printed by `make hypothesis-random` is reproduced)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The same source on every run (derandomize derives the examples from the test's code).
PROPERTY = textwrap.dedent(
    """
    import os
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=15)
    @given(st.integers())
    def test_records(n):
        with open(os.environ["EXAMPLES_OUT"], "a") as f:
            f.write(f"{n}\\n")
    """
)


def _examples(tmp_path: Path, profile: str, seed: int) -> list[str]:
    out = tmp_path / f"{profile}-{seed}-{len(list(tmp_path.iterdir()))}.txt"
    test = tmp_path / "test_property.py"
    test.write_text(PROPERTY)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(tmp_path / "pytest.ini"),
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.hypothesis_profiles",
            f"--hypothesis-profile={profile}",
            f"--hypothesis-seed={seed}",
            str(test),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "EXAMPLES_OUT": str(out)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out.read_text().split()


def test_derandomized_ignores_the_seed(tmp_path):
    assert _examples(tmp_path, "derandomized", 1) == _examples(tmp_path, "derandomized", 2)


def test_random_seed_tries_new_inputs_and_reproduces_a_seed(tmp_path):
    first = _examples(tmp_path, "random-seed", 1)
    assert _examples(tmp_path, "random-seed", 2) != first
    assert _examples(tmp_path, "random-seed", 1) == first

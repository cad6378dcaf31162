"""Hypothesis profiles (loaded by tests/conftest.py; `make test` picks them):

- derandomized: the examples are a function of each test, the same on every run and machine,
  so the main suite's result never depends on luck (make pytest, CI);
- random-seed: a fresh seed per run, printed by `make hypothesis-random`, so new inputs are tried
  on every CI run and a failure is reproduced with `make hypothesis-random HYPOTHESIS_SEED=<n>`.

Neither keeps an example database: a failure is reproduced from the seed (and the printed blob).
"""

from hypothesis import HealthCheck, settings

_common = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow],
}
settings.register_profile("derandomized", derandomize=True, **_common)
settings.register_profile("random-seed", derandomize=False, **_common)

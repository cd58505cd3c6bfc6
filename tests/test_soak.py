"""The fault soak (``tests/soak.py``) in CI: 50 seeded schedules, each its own test.

A failure names the seed, the invariant that broke and the schedule; replay it with
``python benchmarks/soak.py --start SEED --schedules 1`` (``benchmarks/soak.py`` runs 400).
"""

from __future__ import annotations

import pytest

from .soak import FAULT_KINDS, run_schedule

CI_SCHEDULES = 50


@pytest.mark.parametrize("seed", range(CI_SCHEDULES), ids=lambda seed: f"seed-{seed}")
def test_a_schedule_of_faults_and_edits_ends_in_the_desired_state(seed: int) -> None:
    figures = run_schedule(seed)
    assert figures.pushes > 0 and figures.requests > 0


def test_the_soak_meets_every_fault_the_sandbox_can_inject_at_a_push() -> None:
    from shopsync.sandbox.faults import FAULT_KINDS as SANDBOX

    assert set(FAULT_KINDS) == SANDBOX - {"latency", "user_error"}

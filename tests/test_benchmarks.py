"""The sync benchmarks run from a fresh clone and print the figures they document (small
sizes here: the figures themselves are the benchmarks' business, not the tests')."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def run(script: str, *args: str) -> tuple[list[str], list[dict[str, Any]]]:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return lines, [json.loads(line) for line in lines if line.startswith("{")]


def test_bench_writes_compares_shopsync_with_the_naive_client_on_one_store() -> None:
    lines, figures = run("bench_writes.py", "--articles", "12", "--stores", "fast")
    assert lines[0].split()[:3] == ["store", "client", "seconds"]
    by_client = {f["client"]: f for f in figures}
    assert set(by_client) == {"shopsync", "naive"}
    ours, naive = by_client["shopsync"], by_client["naive"]
    assert ours["articles"] == naive["articles"] == 12
    assert ours["requests"] < naive["requests"]  # batches of ten against one per request
    assert ours["points_per_article"] <= 11 + 40 / 12  # + the verification read and the index
    assert ours["speedup_vs_naive"] > 0 and 0 < ours["bucket_share"] <= 1


def test_bench_plan_measures_a_no_change_plan_and_ten_percent_changed() -> None:
    _lines, figures = run("bench_plan.py", "--sizes", "20", "--changed", "20", "--latency-ms", "0")
    named = {(f["figure"], f["client"]): f for f in figures}
    quiet = named[("no-op plan", "shopsync")]
    # The snapshot, one scan, and shopsync's marks in the store's own "News" blog (a blog no
    # file wants may hold an article a file moved out of it).
    assert (quiet["requests"], quiet["writes"]) == (3, 0)
    assert named[("no-op plan", "naive")]["reads"] == 1
    assert named[("10% changed: plan", "shopsync")]["writes"] == 0
    pushed = named[("10% changed: push", "shopsync")]
    assert pushed["writes"] == 2  # articles 0 and 10 of 20


def test_bench_claims_times_the_linter_beside_rendering_and_the_content_lints_clean() -> None:
    lines, figures = run("bench_claims.py", "--articles", "5", "--rounds", "1")
    assert lines[0].split()[:2] == ["set", "articles"]
    by_set = {f["set"]: f for f in figures}
    assert by_set["samples"]["articles"] == 3 and by_set["generated"]["articles"] == 5
    for figure in figures:
        assert figure["findings"] == 0 and figure["sentences"] > figure["articles"]
        assert figure["lint_ms_per_article"] > 0 and figure["render_ms_per_article"] > 0

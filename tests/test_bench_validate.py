"""The validate benchmark: its files are valid articles of the size it promises, and it
prints the figures it documents."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from shopsync.content.loader import WORKERS_ENV

from .test_loader import load

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "bench_validate.py"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_validate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up by name
    spec.loader.exec_module(module)
    return module


def test_generated_articles_are_valid_and_like_the_real_ones(tmp_path: Path) -> None:
    bench().write_articles(tmp_path, 12)
    content = load(tmp_path)
    assert content.ok, content.problems
    assert (content.files, len(content.articles), len(content.pages)) == (13, 12, 1)
    article = content.articles[0]
    assert article.status == "published" and article.citation is not None
    assert article.featured_products and article.disclaimer == "disclaimer" and article.summary
    assert 5_500 <= len(article.body.encode()) <= 7_000
    for feature in ("\n## ", "\n- ", "\n1. ", "|---|", "👉", "](https://", "<https://"):
        assert feature in article.body, feature


def test_it_uses_the_loaders_switch_for_one_process() -> None:
    assert bench().WORKERS_ENV == WORKERS_ENV


def test_it_prints_a_table_and_a_json_line_per_run() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "3", "--serial"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["mode", "articles"]
    figures = [json.loads(line) for line in lines if line.startswith("{")]
    assert [f["mode"] for f in figures] == ["serial", "default"]
    for figure in figures:
        assert figure["benchmark"] == "validate"
        assert (figure["files"], figure["checked"]) == (3, 4)
        assert figure["target_seconds"] == 10 and figure["target_mb"] == 500
        assert figure["seconds"] > 0 and figure["peak_mb"] > 0
        # ok is the verdict on the targets (the files all validated: checked above), not a
        # claim that this shared machine was fast today.
        within = figure["seconds"] < 10 and max(figure["peak_mb"], figure["tree_mb"] or 0) < 500
        assert figure["ok"] is within

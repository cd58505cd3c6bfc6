"""What the health-claim linter costs per article, beside rendering the same body.

    python benchmarks/bench_claims.py                 # 200 generated articles, 5 rounds
    python benchmarks/bench_claims.py --articles 1000 --rounds 3

Writes the generated articles of ``common.write_articles`` (about 6 KB of Markdown each, in
the shape of the real post) into a temporary directory, loads them once, then times
``lint_content`` and, for comparison, ``render_markdown`` of every body, each the best of
``--rounds`` rounds (the least disturbed by other work on a shared machine). The seed's
sample (``articles/``) is timed the same way. Prints a table, then one JSON line per
content set, e.g. ``{"benchmark": "claims", "set": "generated", "articles": 200,
"findings": 0, "lint_ms_per_article": 9.1, "render_ms_per_article": 8.7, ...}``. Exits 0:
the figures are the result.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_articles

from shopsync.content.claims import lint_content
from shopsync.content.claims_rules import load_rules
from shopsync.content.loader import Content, load_content
from shopsync.content.render import render_markdown
from shopsync.content.sentences import markdown_sentences

REPO = Path(__file__).resolve().parent.parent


def best_seconds(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _round in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(name: str, content: Content, rounds: int) -> dict[str, object]:
    rules = load_rules(REPO)
    count = len(content.articles)
    findings = lint_content(content, rules)  # also warms markdown-it and the regexes
    lint = best_seconds(lambda: lint_content(content, rules), rounds)
    render = best_seconds(lambda: [render_markdown(a.body) for a in content.articles], rounds)
    sentences = sum(len(markdown_sentences(a.body)) for a in content.articles)
    return {
        "benchmark": "claims",
        "set": name,
        "articles": count,
        "sentences": sentences,
        "findings": len(findings),
        "lint_ms_per_article": round(lint / max(count, 1) * 1000, 2),
        "render_ms_per_article": round(render / max(count, 1) * 1000, 2),
        "rounds": rounds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    now = datetime.now(UTC)
    figures = []
    samples = load_content([REPO / "articles"], root=REPO, default_blog="news", now=now)
    figures.append(measure("samples", samples, args.rounds))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_articles(root, args.articles)
        generated = load_content([root / "articles"], root=root, default_blog="news", now=now)
        figures.append(measure("generated", generated, args.rounds))
    print(f"{'set':<10} {'articles':>8} {'sentences':>9} {'lint ms/art':>11} {'render ms/art':>13}")
    for f in figures:
        print(
            f"{f['set']!s:<10} {f['articles']!s:>8} {f['sentences']!s:>9} "
            f"{f['lint_ms_per_article']!s:>11} {f['render_ms_per_article']!s:>13}"
        )
    for f in figures:
        print(json.dumps(f))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

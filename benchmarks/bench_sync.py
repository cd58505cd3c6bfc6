"""A bulk sync against the sandbox: how long, how many requests, how close to the rate limit.

    python benchmarks/bench_sync.py                       # 120 articles, Standard plan bucket
    python benchmarks/bench_sync.py --articles 300 --restore-rate 200 --latency-ms 40

Generates ``--articles`` article files (with a featured product and the disclaimer), pushes
them to a fresh sandbox store with the given bucket, restore rate and per-request latency
(real clock), then plans again. Prints the push's wall time and requests, the points per
second it achieved next to the store's restore rate (the physical ceiling once the bucket is
spent), how often it was throttled anyway, and the time of the no-change plan: the figure a
CI job pays on every pull request.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from shopsync.client import ShopifyClient
from shopsync.config import Settings
from shopsync.sandbox import SandboxConfig, SandboxServer
from shopsync.sync import build_plan, push

ARTICLE = """---
title: Study {n}
handle: study-{n}
author: Research Team
tags: [bench, back-pain]
summary: Study {n} in one line.
status: published
publish_date: 2025-01-20T09:00:00+11:00
featured_products: [original-oriems-ultimate-kit]
disclaimer: disclaimer
---

## Study {n}

| Group | Result |
|---|---|
| A | {n} |

- one
- two
"""

DISCLAIMER = "---\ntitle: Disclaimer\nnotice: Not medical advice.\n---\n\nEducation only.\n"


def write_articles(root: Path, count: int) -> None:
    folder = root / "articles"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "disclaimer.md").write_text(DISCLAIMER, encoding="utf-8")
    for n in range(count):
        (folder / f"study-{n}.md").write_text(ARTICLE.format(n=n), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--bucket", type=float, default=2000.0)
    parser.add_argument("--restore-rate", type=float, default=100.0)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    config = SandboxConfig(
        bucket=args.bucket, restore_rate=args.restore_rate, latency_ms=args.latency_ms
    )
    with tempfile.TemporaryDirectory() as tmp, SandboxServer(config) as sandbox:
        root = Path(tmp)
        write_articles(root, args.articles)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            shop=sandbox.url,
            access_token=SecretStr(sandbox.config.access_token),
            max_in_flight=args.workers,
        )
        with ShopifyClient.from_settings(settings) as client:
            started = time.perf_counter()
            planned = build_plan(settings, client, [], root=root).plan
            plan_seconds = time.perf_counter() - started
            before = len(sandbox.requests)
            started = time.perf_counter()
            result = push(settings, client, planned)
            push_seconds = time.perf_counter() - started
            push_requests = len(sandbox.requests) - before
            cost, throttled, paced = (
                client.stats.cost,
                client.stats.throttled,
                client.stats.paced_seconds,
            )
            started = time.perf_counter()
            again = build_plan(settings, client, [], root=root).plan
            replan_seconds = time.perf_counter() - started

    assert result.ok and not again.has_changes, "the benchmark's sync did not converge"
    print(f"articles                 {args.articles}")
    print(
        f"store                    bucket {args.bucket:g}, restore {args.restore_rate:g}/s, "
        f"latency {args.latency_ms:g} ms, {args.workers} in flight"
    )
    print(f"first plan               {plan_seconds:.2f} s")
    print(
        f"push                     {push_seconds:.2f} s, {push_requests} requests, "
        f"{push_requests / push_seconds:.1f} req/s"
    )
    print(
        f"points spent (all runs)  {cost:g}; push ran at about "
        f"{cost / (plan_seconds + push_seconds + replan_seconds):.0f} points/s "
        f"(restore rate {args.restore_rate:g}/s, bucket {args.bucket:g})"
    )
    print(f"waited for the bucket    {paced:.2f} s")
    print(f"throttled responses      {throttled}")
    print(f"second plan (no change)  {replan_seconds:.2f} s")


if __name__ == "__main__":
    main()

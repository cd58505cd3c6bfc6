"""A bulk sync against the sandbox: how long, how many requests, how close to the rate limit.

    python benchmarks/bench_sync.py                       # 120 articles, Standard plan bucket
    python benchmarks/bench_sync.py --articles 300 --restore-rate 200 --latency-ms 40
    python benchmarks/bench_sync.py --images 40            # 40 of them with a local image

Generates ``--articles`` article files (with a featured product and the disclaimer), pushes
them to a fresh sandbox store with the given bucket, restore rate and per-request latency
(real clock), then plans again. Prints the push's wall time and requests, the points per
second it achieved next to the store's restore rate (the physical ceiling once the bucket is
spent), how often it was throttled anyway, and the time of the no-change plan: the figure a
CI job pays on every pull request. With ``--images N`` the first N articles each have their
own local image (the sample PNG with a distinct tail), which the push uploads (staged upload,
fileCreate, wait for READY) and the second plan finds by name.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from shopsync.admin.client import ShopifyClient
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

SAMPLE_IMAGE = (
    Path(__file__).resolve().parent.parent / "articles" / "images" / "multifidus-recovery.png"
)
DISCLAIMER = "---\ntitle: Disclaimer\nnotice: Not medical advice.\n---\n\nEducation only.\n"


def write_articles(root: Path, count: int, images: int = 0) -> None:
    folder = root / "articles"
    (folder / "pages").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "pages" / "disclaimer.md").write_text(DISCLAIMER, encoding="utf-8")
    sample = SAMPLE_IMAGE.read_bytes()
    for n in range(count):
        text = ARTICLE.format(n=n)
        if n < images:
            # Bytes after IEND are ignored by decoders: a distinct file with the same picture.
            (folder / "images" / f"study-{n}.png").write_bytes(sample + f"study {n}".encode())
            image = f"image:\n  src: articles/images/study-{n}.png\n  alt: Study {n}\n"
            text = text.replace("---\n", "---\n" + image, 1)
        (folder / f"study-{n}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--bucket", type=float, default=2000.0)
    parser.add_argument("--restore-rate", type=float, default=100.0)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--images", type=int, default=12, help="articles with a local image")
    args = parser.parse_args()

    config = SandboxConfig(
        bucket=args.bucket, restore_rate=args.restore_rate, latency_ms=args.latency_ms
    )
    with tempfile.TemporaryDirectory() as tmp, SandboxServer(config) as sandbox:
        root = Path(tmp)
        write_articles(root, args.articles, args.images)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            shop=sandbox.url,
            access_token=SecretStr(sandbox.config.access_token),
            max_in_flight=args.workers,
        )
        with ShopifyClient.from_settings(settings) as client:
            started = time.perf_counter()
            planned = build_plan(settings, client, root=root)
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
            uploads = len(sandbox.store.all("file"))
            polls = sum(1 for r in sandbox.requests if r.operation_name == "SyncFilesStatus")
            before = len(sandbox.requests)
            started = time.perf_counter()
            again = build_plan(settings, client, root=root)
            replan_seconds = time.perf_counter() - started
            replan_requests = len(sandbox.requests) - before

    assert result.ok and not again.has_changes, "the benchmark's sync did not converge"
    print(f"articles                 {args.articles} ({args.images} with a local image)")
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
    print(f"images uploaded          {uploads} ({polls} status polls while Shopify processed them)")
    print(f"second plan (no change)  {replan_seconds:.2f} s, {replan_requests} requests")


if __name__ == "__main__":
    main()

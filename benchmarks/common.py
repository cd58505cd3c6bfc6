"""What the benchmarks share: generated content, a sandbox, counting what crosses the wire.

Every figure is measured over real HTTP on loopback against the sandbox store, whose cost model
is Shopify's (requested and actual cost checked against live captures in the tests); the
latency and bucket of each run are set on the sandbox, so the comparison a benchmark prints
(shopsync beside a naive client, or before beside after) is measured in the same run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from shopsync.admin.client import ShopifyClient
from shopsync.config import Settings
from shopsync.sandbox import SandboxConfig, SandboxServer

BODY_PARAGRAPH = (
    "Researchers used real-time ultrasound to watch the deep muscles of the lower back while "
    "a small electrical current was applied through pads on the skin. 🔬 The question was "
    "simple: does the stimulation reach the multifidus, or only the muscles near the surface? "
    "See the [study](https://pubmed.ncbi.nlm.nih.gov/27064323/) and our [disclaimer](/pages/"
    "disclaimer) for what this does and does not show.\n\n"
)
ARTICLE = """---
title: Study {n} on the deep spine muscles
handle: study-{n}
author: Research Team
tags: [research-digest, back-pain, study-{tag}]
summary: Study {n} in one plain sentence.
status: published
publish_date: 2025-01-20T09:00:00+11:00
---

## What study {n} looked at

{paragraphs}
| Group | Result |
|---|---|
| A | {n} |
| B | {n2} |

- one finding
- another finding
"""
#: About 6 KB of Markdown per article (the size issue 11 measured with).
PARAGRAPHS = BODY_PARAGRAPH * 14


DISCLAIMER = "---\ntitle: Disclaimer\nnotice: Not medical advice.\n---\n\nEducation only.\n"
#: What the real post carries besides its body: a featured product (a seeded sandbox product)
#: and the disclaimer page it links to.
LINKS = "featured_products: [original-oriems-ultimate-kit]\ndisclaimer: disclaimer\n"


def write_articles(root: Path, count: int, *, start: int = 0, links: bool = False) -> None:
    """``count`` ~6 KB articles; with ``links`` each features a product and the disclaimer."""
    folder = root / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    if links:
        (folder / "pages").mkdir(exist_ok=True)
        (folder / "pages" / "disclaimer.md").write_text(DISCLAIMER, encoding="utf-8")
    for n in range(start, start + count):
        text = ARTICLE.format(n=n, tag=n % 7, paragraphs=PARAGRAPHS, n2=n * 2)
        if links:
            text = text.replace("---\n", "---\n" + LINKS, 1)
        (folder / f"study-{n}.md").write_text(text, encoding="utf-8")


def edit_articles(root: Path, numbers: list[int]) -> None:
    for n in numbers:
        path = root / "articles" / f"study-{n}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")


def settings_for(server: SandboxServer) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        shop=server.url,
        access_token=SecretStr(server.config.access_token),
        max_in_flight=8,
    )


@contextmanager
def sandbox(bucket: float, restore_rate: float, latency_ms: float) -> Iterator[SandboxServer]:
    config = SandboxConfig(bucket=bucket, restore_rate=restore_rate, latency_ms=latency_ms)
    with SandboxServer(config, max_recorded=200_000) as server:
        yield server


def set_store(server: SandboxServer, bucket: float, restore_rate: float, latency_ms: float) -> None:
    """Change a running sandbox's plan and network (a fresh, full bucket)."""
    from shopsync.sandbox.throttle import CostBucket

    server.config.bucket = bucket
    server.config.restore_rate = restore_rate
    server.config.latency_ms = latency_ms
    server.bucket = CostBucket(bucket, restore_rate, server.config.clock)
    server.pipeline.bucket = server.bucket


@dataclass
class Counted:
    """What one client sent and spent over an interval."""

    requests: int
    points: float
    seconds: float
    throttled: int


class Meter:
    """Counts a client's requests, actual points and throttles between ``start`` and ``stop``."""

    def __init__(self, client: ShopifyClient) -> None:
        self.client = client
        self._start = (0, 0.0, 0, 0.0)

    def start(self) -> None:
        stats = self.client.stats
        self._start = (stats.requests, stats.cost, stats.throttled, time.perf_counter())

    def stop(self) -> Counted:
        stats = self.client.stats
        requests, cost, throttled, began = self._start
        return Counted(
            requests=stats.requests - requests,
            points=stats.cost - cost,
            seconds=time.perf_counter() - began,
            throttled=stats.throttled - throttled,
        )


def emit(record: dict[str, Any]) -> None:
    """One figure as one JSON line (after the human table), for scripts to collect."""
    print(json.dumps(record, sort_keys=True))

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

REPO = Path(__file__).resolve().parent.parent

#: A generated article in the shape of the real post (``articles/``): front matter with a
#: featured product, the disclaimer and a citation; about 6 KB of Markdown with headings,
#: lists, a table, emoji and links.
ARTICLE = """---
title: "Study {n}: Can Electrical Stimulation Reach the Deep Spine Muscles? Part {n}"
author: Oriems Fit Research Team
tags: [research-digest, back-pain, ems, study-{tag}]
summary: |
  Study {n} used real-time ultrasound to watch whether electrical stimulation can switch on
  the deep stabilising muscles of the lower back.
status: published
publish_date: 2025-01-20T09:00:00+11:00
featured_products: [original-oriems-ultimate-kit]
disclaimer: disclaimer
citation:
  pmid: {pmid}
  title: The effects of electrical stimulation on deep lumbar stabilizing muscles, part {n}
  journal: Journal of Physical Therapy Science
  year: 2016
---

## A University Study Looked at the Deep Muscles Most People Cannot Activate ({n})

**ORIEMS FIT RESEARCH DIGEST — FOR PEOPLE WITH BACK OR SCIATIC PAIN**

If you have back pain or sciatic pain, you may have tried:

- Core exercises
- Stretching
- Physiotherapy
- Walking or gym programs

Yet the pain often returns. This research does not promise pain relief, but it explains
one hidden reason why pain can persist. This article is part of the
[Oriems Fit Research Digest](https://example.com/blogs/research-digest), where we explain
real research in simple language to help you better understand your body.

## A SIMPLE QUESTION MANY PEOPLE WITH PAIN ASK

> “Why does my back still feel unstable or weak, even when I exercise?”

Doctors and researchers have found one common issue:

👉 The deepest support muscles of the spine often stop working properly.

## WHAT ARE “DEEP LUMBAR STABILIZING MUSCLES”?

These are small muscles deep inside your body, close to the spine:

1. Lumbar multifidus
2. Transversus abdominis
3. Obliquus internus

They act like 🧱 internal braces that protect the spine. They do not create big movement;
they control tiny, important movements between spinal bones. When these muscles are
inactive:

- The spine moves more than it should
- Nerves become easier to irritate
- Pain can keep coming back

This is often seen in chronic back pain and *sciatic-type* pain.

## WHAT DID THIS STUDY TRY TO FIND OUT?

**Question:** can neuromuscular electrical stimulation (NMES) activate these deep spine
muscles when exercise alone struggles? The researchers wanted to see, not guess, so they
used real-time ultrasound imaging to watch muscles activate live.

## WHO WAS STUDIED?

- {people} older adults
- Average age: 66
- People with lumbar degenerative kyphosis, a condition linked to:
  - Stooped posture
  - Weak spinal muscles
  - Chronic low back pain

These are people very similar to many who live with long-term back discomfort.

Why does this matter? Because these small muscles switch on a split second before you
move, bracing each segment of the spine. When that timing is lost, bigger muscles such as
the erector spinae try to take over, and they are built for movement rather than for
fine control. 🏋️ Strong but unstable is a common result.

## WHAT DID THE PARTICIPANTS DO?

Small electrical pads were placed on the abdomen, the lower back, or both together. The
stimulation caused muscles to contract, and researchers watched the muscles on ultrasound
to see which ones actually turned on.

## WHAT DID THE STUDY FIND? (IMPORTANT FOR PAIN SUFFERERS)

### ✅ Deep spine muscles activated

The lumbar multifidus, a key stabilizing muscle often “switched off” in pain sufferers,
became thicker and more active during stimulation.

### ✅ Deep abdominal support muscles activated

Muscles that help protect the spine from the front also activated.

### ✅ Best activation happened when both areas were stimulated

When abdomen and lower back were stimulated together, all key stabilizing muscles
activated at once. This matters because these muscles are very difficult to activate
voluntarily, especially when pain is present.

## WHAT DOES THIS MEAN FOR PEOPLE WITH BACK OR SCIATIC PAIN?

This study does **not** say NMES treats pain. What it helps explain is this: when deep
stabilizing muscles are inactive, the spine becomes harder to control, and nerves like
the sciatic nerve may become easier to irritate. By showing that these muscles can be
activated, the study helps explain:

- Why instability can persist
- Why pain can return
- Why some people feel their back is “not supported”

### What the ultrasound showed

1. At rest, the multifidus of most participants was thin and barely changed shape.
2. With stimulation of the lower back, its thickness rose clearly within seconds.
3. With abdomen and lower back together, the transversus abdominis and obliquus internus
   thickened as well, and the effect held for the whole session.

Ultrasound measures *thickness*, not strength: a thicker muscle during contraction is a
sign that it is working, which is exactly what the researchers wanted to see. It does not
tell us how the participants felt afterwards, and the study did not ask. 🔬 Read it as a
look inside the body, not as a treatment result.

## WHY THIS MATTERS EVEN IF YOU’VE DONE PHYSIO

Many people with pain try exercises correctly, still cannot “find” these deep muscles,
and feel stronger but not more stable. 👉 Some muscles are simply hard to access without
assistance.

## IMPORTANT BOUNDARY (PLEASE READ)

❌ This study does NOT claim:

- Pain relief
- Sciatica treatment
- Nerve healing
- Medical outcomes

✅ It DOES show:

- Deep stabilizing muscles can activate with NMES
- Activation can be objectively measured
- These muscles are closely linked to spinal control

## 📊 SIMPLE STUDY SUMMARY

| What Was Studied | What Was Found |
|---|---|
| Deep spine muscles | Activated during NMES |
| People with back pain | Muscles often inactive at rest |
| Best stimulation | Abdomen + lower back together |
| Measurement | Real-time ultrasound |
| Participants | {people} adults, study {n} |

👉 Share this Research Digest with your friends: <https://bit.ly/48OTTIE>

## ⭐ FEATURED PRODUCT

**Featured Product: Original Oriems Ultimate Kit.** Designed to support muscle engagement
and body awareness using EMS technology. General wellness and fitness use only.

<!-- shopsync:featured-products -->

## A FINAL THOUGHT FOR PEOPLE IN PAIN

This research reminds us of something important: pain is not always about damage.
Sometimes it’s about muscles that stopped helping. Understanding this can change how
people think about their bodies — without false hope, and without pressure. Read
[the original study](https://pubmed.ncbi.nlm.nih.gov/{pmid}/) or
[our other articles](https://example.com/blogs/research-digest?page={n}).
"""


def write_articles(root: Path, count: int) -> None:
    """``count`` valid articles and the disclaimer page under ``root/articles``."""
    folder = root / "articles"
    (folder / "pages").mkdir(parents=True)
    disclaimer = REPO / "articles" / "pages" / "disclaimer.md"
    (folder / "pages" / "disclaimer.md").write_bytes(disclaimer.read_bytes())
    for n in range(count):
        (folder / f"study-{n:05d}.md").write_text(article_text(n), encoding="utf-8")


def article_text(n: int) -> str:
    return ARTICLE.format(n=n, tag=n % 50, pmid=27064323 + n, people=20 + n % 30)


def edit_articles(root: Path, numbers: list[int]) -> None:
    """A sentence more at the end of each of these articles."""
    for n in numbers:
        path = root / "articles" / f"study-{n:05d}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")


def settings_for(server: SandboxServer) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        shop=server.url,
        access_token=SecretStr(server.config.access_token),
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

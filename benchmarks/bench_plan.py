"""What a plan costs: a no-change plan of 100, 1,000 and 10,000 articles, and 10% changed.

    python benchmarks/bench_plan.py                     # 100, 1,000 and 10,000 articles
    python benchmarks/bench_plan.py --sizes 1000 --latency-ms 50

For each size, a fresh sandbox is filled by shopsync itself (a push on a bucket too big to
wait on, then a second push that records the articles written in the first push's last
second), then set to a Standard bucket (2,000, restore 100/s, full) and ``--latency-ms`` per
request. Measured on that store, in the same run:

- ``shopsync`` no-op plan: requests, points and seconds of ``build_plan`` when nothing changed;
- ``naive`` no-op plan: a client that reads every article with its body, 100 to a page (what
  shopsync did before it kept an index), with the seconds it takes;
- at 1,000 (``--changed``): 10% of the files edited, then plan and push: reads and writes
  (article writes, counting each of a batch) and points of each.

Targets (issue 11): no-op plan of 1,000 in <= 6 requests, <= 300 points and under 3 s at 50
ms; 10,000 in <= 45 requests; 10% of 1,000 changed in <= 100 writes plus <= 8 reads. The
table is followed by one JSON line per figure.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Meter, edit_articles, emit, sandbox, set_store, settings_for, write_articles

from shopsync.apply import SETTLE_SECONDS
from shopsync.config import Settings
from shopsync.sandbox import SandboxServer
from shopsync.sync import build_plan, connect, push

STANDARD = (2000.0, 100.0)
#: For filling the store: nothing waits on the bucket or the network.
FILL = (10_000_000.0, 10_000_000.0, 0.0)
NAIVE_PAGE = 100
NAIVE_READ = """query NaiveRead($blog: ID!, $first: Int!, $after: String) {
  blog(id: $blog) {
    articles(first: $first, after: $after) {
      nodes {
        id handle title body summary tags isPublished publishedAt updatedAt
        author { name }
        image { url altText }
        seoTitle: metafield(namespace: "global", key: "title_tag") { value }
        seoDescription: metafield(namespace: "global", key: "description_tag") { value }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""
_WRITE_ROOT = re.compile(r"\b(?:article|page)(?:Create|Update)\(")


@dataclass
class Figure:
    """One measured run: what crossed the wire and how long it took."""

    name: str
    client: str
    articles: int
    requests: int
    points: float
    seconds: float
    reads: int = 0
    writes: int = 0

    def record(self) -> dict[str, Any]:
        return {
            "benchmark": "plan",
            "figure": self.name,
            "client": self.client,
            "articles": self.articles,
            "requests": self.requests,
            "points": self.points,
            "seconds": round(self.seconds, 2),
            "reads": self.reads,
            "writes": self.writes,
        }


def traffic(server: SandboxServer, since: int) -> tuple[int, int]:
    """(read requests, article and page writes) the store received after request ``since``."""
    reads = writes = 0
    for entry in list(server.requests)[since:]:
        if not entry.path.endswith("/graphql.json"):
            continue
        query = str((entry.body or {}).get("query") or "")
        code = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
        if code.lstrip().startswith("mutation"):
            writes += len(_WRITE_ROOT.findall(query))
        else:
            reads += 1
    return reads, writes


def fill(server: SandboxServer, settings: Settings, root: Path) -> None:
    """Push the files, then once more: the second push records what the first left unrecorded
    (a second later: a plan records only what was last written before the second it reads in).
    """
    with connect(settings) as client:
        for turn in range(2):
            if turn:
                time.sleep(SETTLE_SECONDS)
            result = push(settings, client, build_plan(settings, client, root=root, write=True))
            if not result.ok:
                raise SystemExit(f"filling the store failed: {result.failed[:3]}")


def measured_plan(
    server: SandboxServer, settings: Settings, root: Path, name: str, count: int
) -> tuple[Figure, Any]:
    with connect(settings) as client:
        since = len(server.requests)
        meter = Meter(client)
        meter.start()
        plan = build_plan(settings, client, root=root, write=True)
        counted = meter.stop()
        reads, writes = traffic(server, since)
        figure = Figure(name, "shopsync", count, counted.requests, counted.points, counted.seconds)
        figure.reads, figure.writes = reads, writes
        return figure, plan


def naive_plan(server: SandboxServer, count: int) -> Figure:
    """Every article with its body, page by page, sequentially."""
    url = server.graphql_url()
    headers = {"X-Shopify-Access-Token": server.config.access_token}
    blog = next(b for b in server.store.all("blog") if b["handle"] == "research-digest")
    session = requests.Session()
    session.trust_env = False
    sent, points, after, seen = 0, 0.0, None, 0
    started = time.perf_counter()
    while True:
        variables = {"blog": blog["id"], "first": NAIVE_PAGE, "after": after}
        response = session.post(
            url, json={"query": NAIVE_READ, "variables": variables}, headers=headers, timeout=30
        )
        sent += 1
        body = response.json()
        points += float(body["extensions"]["cost"]["actualQueryCost"] or 0)
        if body.get("errors"):
            time.sleep(1.0)  # throttled: wait and ask again
            continue
        page = body["data"]["blog"]["articles"]
        seen += len(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    seconds = time.perf_counter() - started
    session.close()
    assert seen == count, (seen, count)
    return Figure("no-op plan", "naive", count, sent, points, seconds, reads=sent)


def run_size(count: int, latency_ms: float, changed: bool) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="shopsync-bench-") as tmp, sandbox(*FILL) as server:
        root = Path(tmp)
        write_articles(root, count)
        settings = settings_for(server)
        fill(server, settings, root)
        set_store(server, *STANDARD, latency_ms)
        figure, plan = measured_plan(server, settings, root, "no-op plan", count)
        if plan.has_changes:
            raise SystemExit(f"the no-op plan of {count} has changes: {plan.counts()}")
        figures.append(figure)
        set_store(server, *STANDARD, latency_ms)
        figures.append(naive_plan(server, count))
        if changed:
            set_store(server, *STANDARD, latency_ms)
            edit_articles(root, list(range(0, count, 10)))
            figure, plan = measured_plan(server, settings, root, "10% changed: plan", count)
            figures.append(figure)
            with connect(settings) as client:
                since = len(server.requests)
                meter = Meter(client)
                meter.start()
                result = push(settings, client, plan)
                counted = meter.stop()
                if not result.ok:
                    raise SystemExit(f"the push of 10% changed failed: {result.failed[:3]}")
                reads, writes = traffic(server, since)
            figures.append(
                Figure(
                    "10% changed: push",
                    "shopsync",
                    count,
                    counted.requests,
                    counted.points,
                    counted.seconds,
                    reads,
                    writes,
                )
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument(
        "--changed", type=int, default=1000, help="the size at which 10%% are edited (0: none)"
    )
    args = parser.parse_args()
    figures: list[Figure] = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"filling a store with {size} articles...", file=sys.stderr)
        figures += run_size(size, args.latency_ms, changed=size == args.changed)
    print(
        f"{'figure':20} {'client':9} {'articles':>8} {'requests':>8} {'reads':>6} {'writes':>6} "
        f"{'points':>8} {'seconds':>8}"
    )
    for f in figures:
        print(
            f"{f.name:20} {f.client:9} {f.articles:8} {f.requests:8} {f.reads:6} {f.writes:6} "
            f"{f.points:8.0f} {f.seconds:8.2f}"
        )
    for f in figures:
        emit(f.record())


if __name__ == "__main__":
    main()

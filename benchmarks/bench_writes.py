"""Sustained writes: 300 new ~6 KB articles (and their disclaimer page), shopsync beside a naive
client, on three stores.

    python benchmarks/bench_writes.py                 # all three stores, 300 articles
    python benchmarks/bench_writes.py --articles 100 --stores standard

Each store gets a fresh sandbox per client (same bucket, restore rate and latency):

- ``standard``: bucket 2,000, restore 100/s, 20 ms (Shopify's Standard plan);
- ``fast``: bucket 1,000, restore 500/s, 50 ms;
- ``plus``: bucket 20,000, restore 1,000/s, 150 ms (a Plus-like store).

shopsync plans the files (not timed) and pushes them (timed): it creates the blog and the
page, writes the articles, reads them back and records its index on the blog (what the next
plan saves on). The naive client, written here, creates the blog, then sends the very inputs
shopsync sends, the page first, then one ``articleCreate`` at a time selecting
``article { id }`` with plain ``requests``, and sleeps 1 s on a 429 or ``THROTTLED``.

Printed per run: seconds, requests, points, throttles, points per article, and the *bucket
share*: the points spent over what the bucket could give in that time (capacity + restore x
seconds), the ceiling no client can beat. Targets (issue 11): <= 11 points per article,
>= 0.95 of that ceiling with 0 throttles on ``standard``, >= 3x the naive client on
``plus``, never slower than it anywhere. The table is followed by one JSON line per figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Meter, emit, sandbox, settings_for, write_articles

from shopsync.admin.inputs import MetafieldNames, article_input, page_input
from shopsync.plan import Plan
from shopsync.sync import build_plan, connect, push

STORES: dict[str, tuple[float, float, float]] = {
    "standard": (2000.0, 100.0, 20.0),
    "fast": (1000.0, 500.0, 50.0),
    "plus": (20000.0, 1000.0, 150.0),
}
NAIVE_CREATE = """mutation NaiveCreate($article: ArticleCreateInput!) {
  articleCreate(article: $article) { article { id } userErrors { field message code } }
}"""
NAIVE_PAGE = """mutation NaivePage($page: PageCreateInput!) {
  pageCreate(page: $page) { page { id } userErrors { field message code } }
}"""
BLOG_CREATE = """mutation NaiveBlog($blog: BlogCreateInput!) {
  blogCreate(blog: $blog) { blog { id } userErrors { field message } }
}"""


@dataclass
class Run:
    client: str
    store: str
    articles: int
    seconds: float
    requests: int
    points: float
    throttled: int
    capacity: float
    restore_rate: float

    @property
    def bucket_share(self) -> float:
        """Points spent over the most the bucket could give in the time taken."""
        return self.points / (self.capacity + self.restore_rate * self.seconds)

    def record(self) -> dict[str, Any]:
        return {
            "benchmark": "writes",
            "client": self.client,
            "store": self.store,
            "articles": self.articles,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "points": self.points,
            "points_per_article": round(self.points / self.articles, 2),
            "throttled": self.throttled,
            "bucket_share": round(self.bucket_share, 3),
        }


def shopsync_run(store: str, count: int, root: Path) -> tuple[Run, Plan]:
    capacity, restore, latency = STORES[store]
    with sandbox(capacity, restore, latency) as server:
        settings = settings_for(server)
        with connect(settings) as client:
            plan = build_plan(settings, client, root=root, write=True)
            meter = Meter(client)
            meter.start()
            result = push(settings, client, plan)
            counted = meter.stop()
        if not result.ok:
            raise SystemExit(f"shopsync push failed: {[i.messages for i in result.failed][:3]}")
        articles = sum(1 for a in server.store.all("article"))
        assert articles == count, (articles, count)
    run = Run(
        "shopsync",
        store,
        count,
        counted.seconds,
        counted.requests,
        counted.points,
        counted.throttled,
        capacity,
        restore,
    )
    return run, plan


def naive_inputs(plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    """(resource, input) shopsync sends for each page and article of ``plan``, pages first
    (an article's blog id is filled in later)."""
    inputs: list[tuple[str, dict[str, Any]]] = []
    for resource in ("page", "article"):
        for item in plan.items:
            if item.resource != resource or item.desired is None:
                continue
            desired = item.desired
            if resource == "page":
                data, _remove = page_input(desired.fields, source=desired.source)
            else:
                data, _remove = article_input(
                    desired.fields, source=desired.source, blog_id="", names=MetafieldNames()
                )
            inputs.append((resource, data))
    return inputs


def naive_run(store: str, inputs: list[tuple[str, dict[str, Any]]]) -> Run:
    capacity, restore, latency = STORES[store]
    with sandbox(capacity, restore, latency) as server:
        url = server.graphql_url()
        headers = {"X-Shopify-Access-Token": server.config.access_token}
        session = requests.Session()
        session.trust_env = False
        sent = throttled = 0
        points = 0.0

        def send(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            nonlocal sent, points, throttled
            while True:
                response = session.post(
                    url, json={"query": query, "variables": variables}, headers=headers, timeout=30
                )
                sent += 1
                body: dict[str, Any] = response.json() if response.status_code == 200 else {}
                cost = (body.get("extensions") or {}).get("cost") or {}
                points += float(cost.get("actualQueryCost") or 0)
                codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
                if response.status_code == 429 or "THROTTLED" in codes:
                    throttled += 1
                    time.sleep(1.0)
                    continue
                return body

        started = time.perf_counter()  # the blog too: shopsync's push creates it
        blog = send(
            BLOG_CREATE, {"blog": {"title": "Research Digest", "handle": "research-digest"}}
        )
        blog_id = blog["data"]["blogCreate"]["blog"]["id"]
        for resource, data in inputs:
            if resource == "page":
                send(NAIVE_PAGE, {"page": data})
            else:
                send(NAIVE_CREATE, {"article": {**data, "blogId": blog_id}})
        seconds = time.perf_counter() - started
        session.close()
        articles = sum(1 for resource, _ in inputs if resource == "article")
        assert sum(1 for a in server.store.all("article")) == articles
    return Run(
        "naive",
        store,
        articles,
        seconds,
        sent,
        points,
        throttled,
        capacity,
        restore,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument(
        "--stores", default=",".join(STORES), help="comma-separated: " + ", ".join(STORES)
    )
    args = parser.parse_args()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="shopsync-bench-") as tmp:
        root = Path(tmp)
        write_articles(root, args.articles)
        for store in args.stores.split(","):
            ours, plan = shopsync_run(store, args.articles, root)
            naive = naive_run(store, naive_inputs(plan))
            runs += [ours, naive]
    print(
        f"{'store':9} {'client':9} {'seconds':>8} {'requests':>8} {'points':>8} {'pts/art':>8} "
        f"{'throttled':>9} {'bucket share':>12}"
    )
    for run in runs:
        print(
            f"{run.store:9} {run.client:9} {run.seconds:8.2f} {run.requests:8} {run.points:8.0f} "
            f"{run.points / run.articles:8.2f} {run.throttled:9} {run.bucket_share:12.3f}"
        )
    for store in args.stores.split(","):
        ours = next(r for r in runs if r.store == store and r.client == "shopsync")
        naive = next(r for r in runs if r.store == store and r.client == "naive")
        print(f"{store}: shopsync is {naive.seconds / ours.seconds:.2f}x the naive client")
    for run in runs:
        record = run.record()
        ours = next(r for r in runs if r.store == run.store and r.client == "shopsync")
        naive = next(r for r in runs if r.store == run.store and r.client == "naive")
        record["speedup_vs_naive"] = round(naive.seconds / ours.seconds, 2)
        emit(record)


if __name__ == "__main__":
    main()

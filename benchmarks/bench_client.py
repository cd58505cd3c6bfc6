"""What ShopifyClient costs, and how close its pacing runs to a store's rate limit.

    python benchmarks/bench_client.py                    # both parts, defaults below
    python benchmarks/bench_client.py --writes 300 --bucket 200 --restore-rate 100

Part 1 (overhead): reads through the client versus the same request sent raw with
``requests``, against a sandbox with a bucket too large to throttle: the difference is
what validation, variable checks, pacing and bookkeeping add per request.

Part 2 (pacing): ``--writes`` mutations from ``--workers`` threads through a sandbox whose
bucket and restore rate are set (real clock). A store admits ``bucket`` points at once,
then ``restore-rate`` points per second, so the fastest any client can finish is
``(writes * 10 - bucket) / restore_rate`` seconds; the report compares the client with
that ceiling and counts how often it was throttled anyway (the goal is never).
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from shopsync.admin.auth import StaticToken
from shopsync.admin.client import ShopifyClient
from shopsync.admin.documents import load_document
from shopsync.sandbox import SandboxConfig, SandboxServer

MUTATION_COST = 10


def overhead(requests_count: int) -> None:
    with SandboxServer(SandboxConfig(bucket=1_000_000, restore_rate=1_000_000)) as sandbox:
        document = load_document("SyncBlogs")
        body = {"query": document.text, "variables": {"first": 50}, "operationName": "SyncBlogs"}
        headers = {"X-Shopify-Access-Token": sandbox.config.access_token}
        session = requests.Session()
        session.trust_env = False
        started = time.perf_counter()
        for _ in range(requests_count):
            response = session.post(sandbox.graphql_url(), json=body, headers=headers, timeout=10)
            response.raise_for_status()
        raw = (time.perf_counter() - started) / requests_count
        session.close()

        with ShopifyClient(
            sandbox.url, "2026-07", auth=StaticToken(sandbox.config.access_token)
        ) as c:
            c.run("SyncBlogs", {"first": 50})  # warm: schema built, document parsed
            started = time.perf_counter()
            for _ in range(requests_count):
                c.run("SyncBlogs", {"first": 50})
            through = (time.perf_counter() - started) / requests_count
    print(f"overhead: {requests_count} reads")
    print(f"  raw requests   {raw * 1000:7.2f} ms/request")
    print(f"  ShopifyClient  {through * 1000:7.2f} ms/request  (+{(through - raw) * 1000:.2f} ms)")


def pacing(writes: int, workers: int, bucket: float, restore_rate: float) -> None:
    config = SandboxConfig(bucket=bucket, restore_rate=restore_rate)
    with SandboxServer(config) as sandbox:
        auth = StaticToken(sandbox.config.access_token)
        client = ShopifyClient(sandbox.url, "2026-07", auth=auth, max_in_flight=workers)

        def create(n: int) -> None:
            client.mutate("SyncBlogCreate", {"blog": {"title": f"Blog {n}", "handle": f"b-{n}"}})

        started = time.perf_counter()
        with client, ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(create, range(writes)))
        elapsed = time.perf_counter() - started
    ceiling = max(0.0, (writes * MUTATION_COST - bucket) / restore_rate)
    stats = client.stats
    print(
        f"pacing: {writes} writes, {workers} workers, bucket {bucket:g}, restore {restore_rate:g}/s"
    )
    print(f"  elapsed {elapsed:6.2f} s   rate-limit floor {ceiling:6.2f} s")
    print(f"  {writes / elapsed:6.1f} writes/s   sustained ceiling {restore_rate / 10:6.1f}/s")
    print(
        f"  throttled {stats.throttled}   retries {stats.retries}   "
        f"paced {stats.paced_seconds:.2f} s (summed over threads)   requests {stats.requests}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--writes", type=int, default=120)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--bucket", type=float, default=400)
    parser.add_argument("--restore-rate", type=float, default=200)
    args = parser.parse_args()
    overhead(args.reads)
    pacing(args.writes, args.workers, args.bucket, args.restore_rate)


if __name__ == "__main__":
    main()

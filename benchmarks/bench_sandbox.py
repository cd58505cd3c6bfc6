"""How many Admin API requests per second the sandbox answers with N concurrent clients.

    python benchmarks/bench_sandbox.py                 # 1, 4, 16 clients, reads and writes
    python benchmarks/bench_sandbox.py --clients 8 --requests 200

The bucket is made large enough never to throttle, so this measures the HTTP stack,
validation, cost accounting and execution, not Shopify's rate limit.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from shopsync.sandbox import SandboxConfig, SandboxServer

READ = """
query BenchArticles($first: Int!) {
  articles(first: $first) { nodes { id handle title tags author { name } } }
}
"""
BLOG_CREATE = """
mutation BenchBlog($blog: BlogCreateInput!) { blogCreate(blog: $blog) { blog { id } } }
"""
WRITE = """
mutation BenchCreate($article: ArticleCreateInput!) {
  articleCreate(article: $article) { article { id } userErrors { code message } }
}
"""


def run(sandbox: SandboxServer, clients: int, per_client: int, kind: str, blog_id: str) -> None:
    url = sandbox.graphql_url()
    headers = {"X-Shopify-Access-Token": sandbox.config.access_token}
    latencies: list[float] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        session = requests.Session()
        for n in range(per_client):
            if kind == "read":
                body = {"query": READ, "variables": {"first": 50}}
            else:
                handle = f"bench-{clients}-{index}-{n}"
                article = {
                    "blogId": blog_id,
                    "handle": handle,
                    "title": handle,
                    "author": {"name": "Bench"},
                    "body": "<p>x</p>",
                }
                body = {"query": WRITE, "variables": {"article": article}}
            started = time.perf_counter()
            response = session.post(url, json=body, headers=headers, timeout=30)
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            if "errors" in response.json():
                raise RuntimeError(response.text[:300])
            with lock:
                latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - started
    total = clients * per_client
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    print(
        f"{kind:5}  clients={clients:3}  requests={total:5}  {total / wall:8.1f} req/s  "
        f"p50={p50:6.1f} ms  p95={p95:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 4, 16])
    parser.add_argument("--requests", type=int, default=100, help="per client")
    args = parser.parse_args()
    config = SandboxConfig(bucket=10_000_000, restore_rate=10_000_000)
    with SandboxServer(config) as sandbox:
        headers = {"X-Shopify-Access-Token": sandbox.config.access_token}
        created = requests.post(
            sandbox.graphql_url(),
            json={"query": BLOG_CREATE, "variables": {"blog": {"title": "Bench"}}},
            headers=headers,
            timeout=30,
        ).json()
        blog_id = created["data"]["blogCreate"]["blog"]["id"]
        for clients in args.clients:
            run(sandbox, clients, args.requests, "write", blog_id)
            run(sandbox, clients, args.requests, "read", blog_id)


if __name__ == "__main__":
    main()

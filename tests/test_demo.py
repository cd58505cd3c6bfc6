"""``shopsync demo``: the README's first command, from a copy of the repository's articles."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
import requests

from shopsync.config import Settings
from shopsync.demo import DemoRun, run_demo
from shopsync.sandbox import SandboxServer

from .cli_support import Cli
from .sync_helpers import StoreTime

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The sample articles in a fresh directory, with no .env (the ``cli`` fixture runs there)."""
    shutil.copytree(REPO / "articles", tmp_path / "articles")
    return tmp_path


def test_demo_pushes_everything_and_the_second_plan_is_empty(checkout: Path, cli: Cli) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Plan: 7 to create" in out
    assert "Push: 7 created" in out
    assert "No changes: the store matches the files." in out
    assert "/blogs/research-digest/ems-deep-spine-muscles-study" in out


def test_demo_json_is_one_document(checkout: Path, cli: Cli) -> None:
    result = cli("demo", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["result"]["ok"] is True
    assert data["second_plan"]["summary"]["create"] == 0
    assert data["featured_article"].endswith("/blogs/research-digest/ems-deep-spine-muscles-study")


def test_demo_ignores_a_real_store_in_the_environment(checkout: Path, cli: Cli) -> None:
    real = {"SHOPSYNC_SHOP": "real-store.myshopify.com"}
    result = cli("demo", "--json", env={**real, "SHOPSYNC_ACCESS_TOKEN": "shpat_real_never_sent"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sandbox"].startswith("http://127.0.0.1:")
    assert "shpat_real_never_sent" not in result.output


def demo_on_fake_time(server: SandboxServer, settings: Settings, root: Path) -> DemoRun:
    """The demo's code path, its waits for image processing on the store's fake time."""
    time = StoreTime(server)
    return run_demo(server, settings, root=root, sleep=time.sleep, clock=time.clock)


def test_the_synced_article_reads_right_on_the_sandbox_storefront(checkout: Path) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with SandboxServer() as server:
        run = demo_on_fake_time(server, settings, checkout)
        assert run.ok and run.featured_url is not None
        page = requests.get(run.featured_url, timeout=10)
    assert page.status_code == 200
    html = page.text
    assert "Can Electrical Muscle Stimulation Activate Deep Spine Muscles" in html
    assert "<table>" in html and "<td>" in html
    assert 'href="/products/original-oriems-ultimate-kit"' in html
    assert 'href="/pages/disclaimer"' in html


def test_the_sample_articles_local_image_is_uploaded_and_linked(checkout: Path) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    data = (checkout / "articles" / "images" / "multifidus-recovery.png").read_bytes()
    with SandboxServer() as server:
        run = demo_on_fake_time(server, settings, checkout)
        (file,) = server.store.all("file")
        article = next(
            a
            for a in server.store.all("article")
            if a["handle"] == "multifidus-recovery-after-back-pain"
        )
        marks = {m["key"]: m["value"] for m in server.store.metafields_of(article["id"])}
    assert run.ok
    assert file["filename"] == f"multifidus-recovery-{hashlib.sha256(data).hexdigest()[:12]}.png"
    assert file["originalSource"]["fileSize"] == len(data)
    assert marks["image_src"] == file["url"]
    # The figure in the body is the same file: uploaded once, linked in the body too.
    assert f'<img src="{file["url"]}" alt="Where the lumbar multifidus sits' in article["body"]
    assert article["image"]["altText"] == "Diagram of the lumbar multifidus beside the spine"


def test_the_sandbox_storefront_shows_the_uploaded_image(checkout: Path) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    data = (checkout / "articles" / "images" / "multifidus-recovery.png").read_bytes()
    with SandboxServer() as server:
        assert demo_on_fake_time(server, settings, checkout).ok
        page = requests.get(
            f"{server.url}/blogs/research-digest/multifidus-recovery-after-back-pain", timeout=10
        ).text
        sources = re.findall(r'<img src="(/cdn/[^"?]+)', page)
        assert {s.split("/")[2] for s in sources} == {"articles", "files"}  # featured, figure
        images = [requests.get(server.url + s, timeout=10) for s in sources]
        missing = requests.get(server.url + "/cdn/files/nothing.png", timeout=10)
    assert all(r.status_code == 200 and r.content == data for r in images)
    assert images[0].headers["Content-Type"] == "image/png"
    assert missing.status_code == 404


def test_the_demo_leaves_the_stores_own_blog_and_pages_alone(checkout: Path) -> None:
    """The demo's store is seeded like a new Shopify store; nothing of it is touched."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with SandboxServer() as server:
        before = {p["handle"]: dict(p) for p in server.store.pages()}
        news = dict(server.store.blog_by_handle("news") or {})
        run = demo_on_fake_time(server, settings, checkout)
        after = {p["handle"]: p for p in server.store.pages()}
        marked = [server.store.metafields_of(before[h]["id"]) for h in before]
        blog_after = server.store.blog_by_handle("news")
    assert run.ok and set(before) == {"contact", "data-sharing-opt-out"}
    assert {h: after[h] for h in before} == before and marked == [[], []]
    assert blog_after == news
    assert {i.handle for i in run.first_plan.items} & {"news", *before} == set()
    assert set(after) == {*before, "disclaimer"}

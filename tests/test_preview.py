"""``shopsync preview``: the standalone page, the --serve loop, and real headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import requests
from bs4 import BeautifulSoup

from shopsync.catalogue import seeded_lookup
from shopsync.content.loader import load_content
from shopsync.content.models import Article, Page
from shopsync.content.render import _OWN_CLASSES
from shopsync.errors import TransportError
from shopsync.preview import (
    CSP,
    PreviewContext,
    PreviewSite,
    context_for,
    featured,
    find_item,
    make_preview_server,
    render_article_preview,
    render_item,
    resolve_catalogue,
)
from shopsync.sandbox import SandboxServer
from shopsync.vocabulary import ProductInfo

from .cli_support import Cli
from .images import png
from .sync_helpers import Store, write_content

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

PAGE = """---
title: Disclaimer
notice: For education only. Not medical advice.
---
The full disclaimer text.
"""

ARTICLE = """---
title: "Deep <Muscles> & Stimulation"
author: Research Team
tags: [ems, back-pain]
summary: A *short* summary.
status: published
publish_date: 2025-01-20T09:00:00+11:00
featured_products: [original-oriems-ultimate-kit]
disclaimer: disclaimer
---
## What was found

| Muscle | Result |
|---|---|
| Multifidus | Activated |
| Transversus abdominis | Activated |

<script>document.title = "pwned"; document.body.setAttribute("data-pwned", "1")</script>
<img src="#missing-image" onerror="document.body.setAttribute('data-pwned', '2')">
[click me](javascript:document.body.setAttribute('data-pwned','3'))

<!-- shopsync:featured-products -->

The end.
"""


def make_repo(root: Path, article: str = ARTICLE) -> Path:
    (root / "articles" / "pages").mkdir(parents=True)
    (root / "articles" / "pages" / "disclaimer.md").write_text(PAGE, encoding="utf-8")
    path = root / "articles" / "deep-muscles.md"
    path.write_text(article, encoding="utf-8")
    return path


def load_article(root: Path) -> tuple[Article, PreviewContext]:
    content = load_content([root / "articles"], root=root, default_blog="research-digest")
    assert content.ok, content.problems
    item = find_item(content, "deep-muscles", root=root)
    assert isinstance(item, Article)
    catalogue = resolve_catalogue(item.featured_products, store=None, fallback=seeded_lookup)
    return item, context_for(item, content, root=root, catalogue=catalogue)


def test_preview_page_shows_what_a_reader_sees(tmp_path: Path) -> None:
    make_repo(tmp_path)
    article, context = load_article(tmp_path)
    page = render_article_preview(article, context)
    soup = BeautifulSoup(page, "html.parser")
    assert soup.title is not None and soup.title.string == "Preview: Deep <Muscles> & Stimulation"
    assert soup.h1 is not None and soup.h1.get_text() == "Deep <Muscles> & Stimulation"
    banner = soup.select_one(".shopsync-preview-banner")
    assert banner is not None and "PREVIEW" in banner.get_text()
    assert "articles/deep-muscles.md" in banner.get_text()
    assert [li.get_text() for li in soup.select(".tags li")] == ["back-pain", "ems"]
    summary = soup.select_one(".summary em")
    assert summary is not None and summary.get_text() == "short"
    status = soup.select_one(".meta .status")
    assert status is not None and status.get_text() == "Published 20 January 2025, 09:00 (UTC+1100)"
    assert [td.get_text() for td in soup.select("table td")][:2] == ["Multifidus", "Activated"]
    product = soup.select_one('.shopsync-products a[href="/products/original-oriems-ultimate-kit"]')
    assert product is not None and product.get_text() == "Original Oriems Ultimate Kit"
    disclaimer = soup.select_one('.shopsync-disclaimer a[href="/pages/disclaimer"]')
    assert disclaimer is not None and disclaimer.get_text() == "Disclaimer"
    assert "Not medical advice." in soup.select_one(".shopsync-disclaimer").get_text()  # type: ignore[union-attr]
    # The product block sits where the marker was, before the last paragraph.
    block = soup.select_one(".body .shopsync-products")
    assert block is not None and block.find_next("p").get_text() == "The end."  # type: ignore[union-attr]
    assert not soup.find_all("script")
    assert "onerror" not in page
    assert all(not str(a.get("href", "")).startswith("javascript") for a in soup.find_all("a"))
    assert soup.select_one('.body img[src="#missing-image"]') is not None  # kept, minus its handler
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert csp is not None and csp["content"] == CSP and "script-src" not in CSP
    assert render_article_preview(article, context) == page  # deterministic


def bare_article(**keys: Any) -> Article:
    """The least article the model takes, with ``keys`` on top."""
    base: dict[str, Any] = {
        "title": "T",
        "handle": "t",
        "blog": "b",
        "author": "A",
        "source_path": "articles/t.md",
    }
    return Article(**{**base, **keys})


def test_draft_and_scheduled_status_lines(tmp_path: Path) -> None:
    article = bare_article(status="scheduled", publish_date=datetime(2099, 3, 1, 9, 0, tzinfo=UTC))
    page = render_article_preview(article)
    assert "Scheduled for 1 March 2099, 09:00 (UTC+0000)" in page
    draft = render_article_preview(article.model_copy(update={"status": "draft"}))
    assert "Draft: not visible on the store" in draft


def test_page_preview_and_base_url(tmp_path: Path) -> None:
    page = Page(title="Disclaimer", handle="disclaimer", body="Hello", source_path="x.md")
    html = render_item(page, PreviewContext(base_url="https://oriems.myshopify.com"))
    assert '<base href="https://oriems.myshopify.com/">' in html
    assert "<p>Hello</p>" in html


def test_find_item_by_path_or_handle(tmp_path: Path) -> None:
    make_repo(tmp_path)
    content = load_content([tmp_path / "articles"], root=tmp_path, default_blog="b")
    by_path = find_item(content, "articles/deep-muscles.md", root=tmp_path)
    assert isinstance(by_path, Article) and by_path.handle == "deep-muscles"
    assert isinstance(find_item(content, "disclaimer", root=tmp_path), Page)
    assert find_item(content, "nothing-here", root=tmp_path) is None


# --------------------------------------------------------------------------- the CLI


def test_cli_writes_one_preview_and_reports_json(tmp_path: Path, cli: Cli) -> None:
    make_repo(tmp_path)
    result = cli("preview", "deep-muscles", "-o", "out/p.html", "--json")
    assert result.exit_code == 0, result.output
    assert '"path": "out/p.html"' in result.output
    assert "Deep &lt;Muscles&gt; &amp; Stimulation" in (tmp_path / "out/p.html").read_text()


def test_cli_writes_every_item_and_an_index(tmp_path: Path, cli: Cli) -> None:
    make_repo(tmp_path)
    result = cli("-q", "preview")
    assert result.exit_code == 0, result.output
    assert result.output == ""  # --quiet
    written = sorted(p.name for p in (tmp_path / "preview").iterdir())
    assert written == ["index.html", "page--disclaimer.html", "research-digest--deep-muscles.html"]
    index = BeautifulSoup((tmp_path / "preview" / "index.html").read_text(), "html.parser")
    assert [a["href"] for a in index.select("li a")] == [
        "research-digest--deep-muscles.html",
        "page--disclaimer.html",
    ]


def test_cli_unknown_item_and_invalid_file(tmp_path: Path, cli: Cli) -> None:
    make_repo(tmp_path, ARTICLE.replace("author: Research Team\n", ""))
    missing = cli("preview", "nope")
    assert missing.exit_code == 1
    assert missing.stderr.splitlines() == [
        "error: no article or page 'nope' under articles",
        "hint: give a file path such as articles/my-post.md, or an article's handle",
    ]
    broken = cli("preview", "articles/deep-muscles.md")
    assert broken.exit_code == 1
    assert "articles/deep-muscles.md:1: author:" in broken.stderr


# --------------------------------------------------------------------------- --serve


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, PreviewSite]]:
    path = make_repo(tmp_path)
    site = PreviewSite(
        [tmp_path / "articles"],
        tmp_path,
        "research-digest",
        products=lambda handles: resolve_catalogue(handles, store=None, fallback=seeded_lookup),
    )
    server = make_preview_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}", path, site
    finally:
        server.shutdown()
        server.server_close()


def test_serve_re_renders_when_the_file_changes(
    served: tuple[str, Path, PreviewSite],
) -> None:
    base, path, site = served
    url = base + "/blogs/research-digest/deep-muscles"
    first = requests.get(url, timeout=5)
    assert first.status_code == 200
    assert first.headers["Content-Security-Policy"] == CSP
    assert '<meta http-equiv="refresh" content="2">' in first.text
    assert "Deep &lt;Muscles&gt;" in first.text
    assert requests.get(url, timeout=5).text == first.text
    assert site.loads == 1  # unchanged files are not re-read
    text = path.read_text().replace('title: "Deep <Muscles> & Stimulation"', "title: Renamed")
    path.write_text(text)
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000_000))
    second = requests.get(url, timeout=5)
    assert "<h1>Renamed</h1>" in second.text
    assert site.loads == 2
    # The disclaimer link of the body works on the preview server.
    disclaimer = requests.get(base + "/pages/disclaimer", timeout=5)
    assert disclaimer.status_code == 200 and "The full disclaimer text." in disclaimer.text
    # So does the product link, titled as the catalogue has it.
    assert '<span class="shopsync-product-title">Original Oriems Ultimate Kit</span>' in second.text
    product = requests.get(base + "/products/original-oriems-ultimate-kit", timeout=5)
    assert "<h1>Original Oriems Ultimate Kit</h1>" in product.text


def test_serve_shows_problems_and_refuses_other_files(
    served: tuple[str, Path, PreviewSite],
) -> None:
    base, path, _site = served
    path.write_text(ARTICLE.replace("author: Research Team\n", ""))
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000_000))
    broken = requests.get(base + "/blogs/research-digest/deep-muscles", timeout=5)
    assert "The file has problems" in broken.text and "author" in broken.text
    for bad in ("/files/../articles/pages/disclaimer.md", "/files/articles/deep-muscles.md"):
        assert requests.get(base + bad, timeout=5).status_code == 404
    assert requests.post(base + "/", timeout=5).status_code == 405


# --------------------------------------------------------------------------- Chromium

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Loopback only, always: no host name resolves, so no page can reach the internet.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("SHOPSYNC_REQUIRE_CHROMIUM") == "1":
        pytest.fail("chromium is required (SHOPSYNC_REQUIRE_CHROMIUM=1) but not installed")
    pytest.skip("chromium is not installed (.ci/run installs it)")


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def png_pixel_rows(data: bytes, rows: int) -> tuple[int, int, list[bytes]]:
    """(width, height, the first ``rows`` rows as RGBA-or-RGB bytes) of an 8-bit PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunk = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    channels = 4 if colour == 6 else 3
    stride = width * channels
    raw = zlib.decompress(idat)
    out: list[bytes] = []
    previous = bytearray(stride)
    for row in range(rows):
        start = row * (stride + 1)
        kind_byte, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind_byte == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind_byte == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind_byte == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind_byte == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        out.append(bytes(line))
        previous = line
    return width, height, [bytes(r[i] for i in range(len(r)) if i % channels < 3) for r in out]


@pytest.mark.chromium
def test_preview_in_real_headless_chromium(tmp_path: Path) -> None:
    binary = chromium_binary()
    make_repo(tmp_path)
    article, context = load_article(tmp_path)
    page = tmp_path / "preview.html"
    page.write_text(render_article_preview(article, context), encoding="utf-8")

    dumped = run_chromium(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = BeautifulSoup(dumped.stdout, "html.parser")
    # What a reader sees after the browser ran the page.
    assert dom.title is not None and dom.title.string == "Preview: Deep <Muscles> & Stimulation"
    assert dom.h1 is not None and dom.h1.get_text() == "Deep <Muscles> & Stimulation"
    assert [th.get_text() for th in dom.select("table th")] == ["Muscle", "Result"]
    assert len(dom.select("table tbody tr")) == 2
    assert dom.select_one('a[href="/products/original-oriems-ultimate-kit"]') is not None
    assert dom.select_one('.shopsync-disclaimer a[href="/pages/disclaimer"]') is not None
    # No script ran and none is left to run.
    assert dom.body is not None and not dom.body.has_attr("data-pwned")
    assert not dom.find_all("script")
    assert all(not img.has_attr("onerror") for img in dom.find_all("img"))

    ARTIFACTS.mkdir(exist_ok=True)
    shot = tmp_path / "preview.png"
    taken = run_chromium(
        binary,
        tmp_path / "profile2",
        f"--screenshot={shot}",
        "--window-size=1200,2000",
        "--hide-scrollbars",
        page.as_uri(),
    )
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
    width, height, rows = png_pixel_rows(shot.read_bytes(), 12)
    assert (width, height) == (1200, 2000)
    # The yellow preview banner is across the top of what the reader sees.
    banner = bytes.fromhex("ffd60a")
    assert rows[10][:3] == banner and rows[10][-3:] == banner
    shutil.copyfile(shot, ARTIFACTS / "preview-latest.png")


@pytest.mark.chromium
def test_preview_policy_blocks_a_script_the_sanitiser_missed(tmp_path: Path) -> None:
    """Defence in depth: a script injected past the sanitiser still does not run."""
    binary = chromium_binary()
    make_repo(tmp_path)
    article, context = load_article(tmp_path)
    html = render_article_preview(article, context).replace(
        "</main>", "<script>document.body.setAttribute('data-ran', 'yes')</script></main>"
    )
    page = tmp_path / "injected.html"
    page.write_text(html, encoding="utf-8")
    dumped = run_chromium(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = BeautifulSoup(dumped.stdout, "html.parser")
    assert len(dom.find_all("script")) == 1  # it is there ...
    assert dom.body is not None and not dom.body.has_attr("data-ran")  # ... and did not run


def test_body_images_show_from_the_repository_in_files_and_on_the_server(
    served: tuple[str, Path, PreviewSite], tmp_path: Path
) -> None:
    base, path, _site = served
    chart = tmp_path / "articles" / "images" / "chart.png"
    chart.parent.mkdir()
    chart.write_bytes(png(2, 2))
    path.write_text(path.read_text() + "\n![The chart](images/chart.png)\n")
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000_000))

    article, context = load_article(tmp_path)
    page = BeautifulSoup(render_article_preview(article, context), "html.parser")
    image = page.select_one('img[alt="The chart"]')
    assert image is not None and image["src"] == chart.resolve().as_uri()

    html = requests.get(base + "/blogs/research-digest/deep-muscles", timeout=5).text
    assert '<img src="/files/articles/images/chart.png" alt="The chart">' in html
    served_bytes = requests.get(base + "/files/articles/images/chart.png", timeout=5)
    assert served_bytes.status_code == 200 and served_bytes.content == png(2, 2)


# ------------------------------------------------------------------- featured products

KIT = "original-oriems-ultimate-kit"
SEEDED: dict[str, Any] = {
    p["handle"]: p
    for p in json.loads(
        files("shopsync.sandbox").joinpath("seed_products.json").read_text(encoding="utf-8")
    )["products"]
}
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback


def product_blocks(html: str) -> list[str]:
    """Every product block, byte for byte as the body has it (a preview's: in its <main>)."""
    body = html.partition("<main>")[2] or html
    return re.findall(r'<aside class="shopsync-products">.*?</aside>', body, re.DOTALL)


def preview_page(cli: Cli, *args: str, handle: str = "deep-muscles") -> tuple[Any, str]:
    """(result, page) of ``shopsync preview HANDLE -o p.html ARGS``."""
    result = cli("preview", handle, "-o", "p.html", *args)
    assert result.exit_code == 0, result.output
    return result, (cli.root / "p.html").read_text(encoding="utf-8")


def shown_products(page: str) -> list[tuple[str, str | None, str | None]]:
    """(title, image src, alt) of each product in the page's block."""
    soup = BeautifulSoup(page, "html.parser")
    rows = []
    for item in soup.select(".body .shopsync-products .shopsync-product"):
        image = item.find("img")
        title = item.select_one(".shopsync-product-title")
        assert title is not None
        rows.append(
            (
                title.get_text(),
                str(image["src"]) if image else None,
                str(image["alt"]) if image else None,
            )
        )
    return rows


def test_without_a_store_the_sandbox_catalogue_gives_real_titles_and_images(
    tmp_path: Path, cli: Cli
) -> None:
    make_repo(tmp_path)
    result, page = preview_page(cli)
    seeded = SEEDED[KIT]
    image = seeded["featuredImage"]
    assert shown_products(page) == [(seeded["title"], image["url"], image["altText"])]
    assert "products from the sandbox&#x27;s catalogue" in page
    assert "[unknown product" not in page and result.stderr == ""


def test_with_a_store_its_titles_and_images_are_shown_from_one_request(
    tmp_path: Path, cli: Cli, sandbox_factory: Callable[..., SandboxServer]
) -> None:
    store_kit = {
        **SEEDED[KIT],
        "title": "Oriems Kit, the store's title",
        "featuredImage": {
            **SEEDED[KIT]["featuredImage"],
            "url": "https://cdn.shopify.com/s/files/1/0000/0001/products/kit-2.jpg",
            "altText": "The kit, photographed for the store",
        },
    }
    sandbox = sandbox_factory(products=[store_kit, SEEDED["oriems-back-belt"]])
    make_repo(tmp_path, ARTICLE.replace(f"[{KIT}]", f"[{KIT}, oriems-back-belt]"))
    store = cli.for_store(sandbox)

    result, page = preview_page(store, "--json")
    assert shown_products(page) == [
        (
            store_kit["title"],
            store_kit["featuredImage"]["url"],
            store_kit["featuredImage"]["altText"],
        ),
        ("Oriems Back Belt", None, None),
    ]
    assert "products from the store" in page
    assert json.loads(result.stdout)["products_from"] == "the store"
    lookups = [r for r in sandbox.requests if "productByIdentifier" in str(r.body)]
    assert len(lookups) == 1 and len(sandbox.requests) == 1  # one read, nothing else
    assert lookups[0].body is not None and "mutation" not in lookups[0].body["query"]

    # --offline never asks the store, even with one configured.
    _result, offline = preview_page(store, "--offline")
    assert shown_products(offline)[0][0] == SEEDED[KIT]["title"]
    assert len(sandbox.requests) == 1


def test_an_unknown_product_is_marked_and_warned_about(tmp_path: Path, cli: Cli) -> None:
    make_repo(tmp_path, ARTICLE.replace(f"[{KIT}]", f"[{KIT}, no-such-product]"))
    result, page = preview_page(cli)
    assert [title for title, _src, _alt in shown_products(page)] == [
        SEEDED[KIT]["title"],
        "[unknown product: no-such-product]",
    ]
    warning = (
        "featured product 'no-such-product' is not in the sandbox's catalogue: "
        "a plan would refuse it"
    )
    assert result.stderr == f"warning: articles/deep-muscles.md: {warning}\n"
    notes = BeautifulSoup(page, "html.parser").select_one(".shopsync-preview-notes")
    assert notes is not None and warning in notes.get_text()


def test_an_unreachable_store_is_a_warning_and_the_catalogue_stands_in(
    tmp_path: Path, cli: Cli
) -> None:
    make_repo(tmp_path)
    down = cli.with_env(SHOPSYNC_SHOP=UNREACHABLE, SHOPSYNC_ACCESS_TOKEN="shpat_anything")
    result, page = preview_page(down)
    assert result.stderr.splitlines() == [
        "warning: could not read the featured products from the store (SyncProducts1: could "
        f"not connect to {UNREACHABLE}); showing the sandbox's catalogue instead"
    ]
    assert "shpat_anything" not in result.output
    assert shown_products(page)[0][0] == SEEDED[KIT]["title"]
    assert "could not read the featured products" in page  # the page says it too


def test_a_product_missing_from_a_stand_in_catalogue_is_not_called_refused() -> None:
    def down(_handles: Sequence[str]) -> Mapping[str, ProductInfo]:
        raise TransportError("SyncProducts1: could not connect to https://x.myshopify.com")

    article = bare_article(featured_products=["only-in-the-store"])
    catalogue = resolve_catalogue(["only-in-the-store"], store=down, fallback=seeded_lookup)
    assert catalogue.stood_in and catalogue.source == "the sandbox's catalogue"
    assert catalogue.warnings == (
        "could not read the featured products from the store (SyncProducts1: could not connect "
        "to https://x.myshopify.com); showing the sandbox's catalogue instead",
    )
    assert featured(article, catalogue)[1] == [
        "featured product 'only-in-the-store' is not in the sandbox's catalogue: "
        "the store could not be asked whether it has it"
    ]


def test_inactive_products_are_shown_with_what_a_plan_would_say(tmp_path: Path) -> None:
    article = bare_article(status="published", featured_products=["oriems-pro-kit"])
    catalogue = resolve_catalogue(["oriems-pro-kit"], store=None, fallback=seeded_lookup)
    products, notes = featured(article, catalogue)
    assert [p.title for p in products] == [SEEDED["oriems-pro-kit"]["title"]]
    assert notes == [
        "featured product 'oriems-pro-kit' is DRAFT, not ACTIVE: a plan would refuse it"
    ]
    _products, draft_notes = featured(article.model_copy(update={"status": "draft"}), catalogue)
    assert draft_notes == [
        "featured product 'oriems-pro-kit' is DRAFT, not ACTIVE: fine for a draft"
    ]


def test_the_preview_block_is_the_block_a_push_stores(store_cli: Cli, store: Store) -> None:
    write_content(store_cli.root, extra_products=True)
    pushed = store_cli("push", "--yes")
    assert pushed.exit_code == 0, pushed.output
    (stored,) = product_blocks(store.articles()["alpha"]["body"])
    assert stored.count('class="shopsync-product"') == 3
    for args in ((), ("--offline",)):  # from the store, and from the sandbox's catalogue
        _result, page = preview_page(store_cli, *args, handle="alpha")
        assert product_blocks(page) == [stored], args


def test_the_shipped_stylesheet_styles_every_class_render_writes(tmp_path: Path, cli: Cli) -> None:
    css = files("shopsync").joinpath("theme/shopsync.css").read_text(encoding="utf-8")
    for name in _OWN_CLASSES:
        assert re.search(rf"\.{name}\b[^{{]*\{{", css), name
    printed = cli("preview", "--print-css")
    assert printed.exit_code == 0 and printed.stdout == css
    make_repo(tmp_path)
    _result, page = preview_page(cli)
    style = BeautifulSoup(page, "html.parser").style
    assert style is not None and css in style.get_text()
    # The preview's own rules never style the store's classes: the theme's file does.
    assert ".shopsync-products" not in style.get_text().replace(css, "")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "shopsync preview --print-css" in readme and "asset_url | stylesheet_tag" in readme

"""Desired state: files → the exact fields Shopify would store (pure, no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shopsync.content.images import PENDING
from shopsync.content.loader import Content, load_content
from shopsync.desired import (
    INACTIVE_PRODUCT_HINT,
    RENDERED_FIELDS,
    UNKNOWN_PRODUCT_HINT,
    DesiredItem,
    DesiredState,
    build_desired,
    product_handles,
    renderer_digest,
    resolve_images,
)
from shopsync.vocabulary import ProductInfo, RemoteFile, ResolvedProduct, short_digest

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KIT = ResolvedProduct(
    id="gid://shopify/Product/1",
    info=ProductInfo(
        handle="original-oriems-ultimate-kit",
        title="Original Oriems Ultimate Kit",
        image_url="https://cdn.example.test/kit.png",
        image_alt="The kit",
        status="ACTIVE",
    ),
)
OLD = ResolvedProduct(
    id="gid://shopify/Product/2",
    info=ProductInfo(handle="old-kit", title="Old kit", status="ARCHIVED"),
)
DISCLAIMER = """---
title: Disclaimer
notice: For education only; not medical advice.
---

Full text of the disclaimer.
"""


def article(**front: str) -> str:
    lines = ["---", "title: A study", "author: Research Team"]
    lines += [f"{key}: {value}" for key, value in front.items()]
    return "\n".join([*lines, "---", "", "Body **text**.", ""])


def load(tmp_path: Path, files: dict[str, str]) -> Content:
    for name, text in files.items():
        path = tmp_path / "articles" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    content = load_content(
        [tmp_path / "articles"], root=tmp_path, default_blog="research-digest", now=NOW
    )
    assert content.ok, content.problems
    return content


def desired_of(
    content: Content,
    products: dict[str, ResolvedProduct] | None = None,
    files: dict[str, RemoteFile] | None = None,
    known: dict[str, tuple[str, str]] | None = None,
) -> DesiredState:
    return build_desired(
        content.articles,
        content.pages,
        products={KIT.info.handle: KIT, OLD.info.handle: OLD} if products is None else products,
        default_blog="research-digest",
        blog_title="Research Digest",
        images=resolve_images(content.images, files or {}),
        known=known,
    )


def test_published_article_fields(tmp_path: Path) -> None:
    content = load(
        tmp_path,
        {
            "a.md": article(
                status="published",
                publish_date="2025-01-20T09:00:00+11:00",
                tags="[zeta, alpha, Mid]",
                summary="Short *summary*",
                featured_products="[original-oriems-ultimate-kit]",
                disclaimer="disclaimer",
                template_suffix="research",
            ),
            "pages/disclaimer.md": DISCLAIMER,
        },
    )
    state = desired_of(content)
    (item,) = state.articles
    fields = item.fields
    assert item.ok and item.source == "articles/a.md" and item.blog == "research-digest"
    assert fields["is_published"] is True
    assert fields["publish_date"] == "2025-01-19T22:00:00Z"
    assert fields["tags"] == ["Mid", "alpha", "zeta"]
    assert fields["summary_html"] == "<p>Short <em>summary</em></p>"
    assert fields["featured_products"] == [KIT.id]
    assert fields["template_suffix"] == "research"
    body = fields["body_html"]
    assert "<strong>text</strong>" in body
    assert 'href="/products/original-oriems-ultimate-kit"' in body
    assert 'src="https://cdn.example.test/kit.png"' in body
    assert 'href="/pages/disclaimer"' in body and "not medical advice" in body
    assert state.blogs == ("research-digest",)
    (page,) = state.pages
    assert page.fields["is_published"] is True
    assert page.fields["body_html"] == "<p>Full text of the disclaimer.</p>"


def test_publish_states(tmp_path: Path) -> None:
    content = load(
        tmp_path,
        {
            "draft.md": article(status="draft"),
            "now.md": article(status="published"),
            "later.md": article(status="scheduled", publish_date="2027-03-02T09:00:00+11:00"),
        },
    )
    fields = {item.handle: item.fields for item in desired_of(content).articles}
    assert (fields["draft"]["is_published"], fields["draft"]["publish_date"]) == (False, None)
    assert (fields["now"]["is_published"], fields["now"]["publish_date"]) == (True, None)
    # Shopify refuses isPublished: true with a future date: a schedule is false + date.
    assert fields["later"]["is_published"] is False
    assert fields["later"]["publish_date"] == "2027-03-01T22:00:00Z"


def test_unknown_product_is_an_error_with_hint(tmp_path: Path) -> None:
    content = load(tmp_path, {"a.md": article(featured_products="[no-such-kit]")})
    (item,) = desired_of(content).articles
    assert not item.ok
    assert item.errors == ("featured product 'no-such-kit' does not exist in the store",)
    assert item.hints == (UNKNOWN_PRODUCT_HINT,)
    assert item.fields == {}
    assert product_handles(content.articles) == ["no-such-kit"]


@pytest.mark.parametrize(("status", "is_error"), [("published", True), ("draft", False)])
def test_inactive_product(tmp_path: Path, status: str, is_error: bool) -> None:
    content = load(tmp_path, {"a.md": article(status=status, featured_products="[old-kit]")})
    (item,) = desired_of(content).articles
    assert item.ok is not is_error
    if is_error:
        assert "ARCHIVED" in item.errors[0] and item.hints == (INACTIVE_PRODUCT_HINT,)
    else:
        assert "ARCHIVED" in item.warnings[0]
        assert item.fields["featured_products"] == [OLD.id]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def image_articles(tmp_path: Path) -> Content:
    (tmp_path / "articles" / "images").mkdir(parents=True)
    (tmp_path / "articles" / "images" / "x.png").write_bytes(PNG)
    return load(
        tmp_path,
        {
            "local.md": article(image="{src: articles/images/x.png, alt: A diagram}"),
            "also.md": article(image="{src: articles/images/x.png, alt: Same bytes}"),
            "remote.md": article(image="{src: 'https://cdn.example.test/a.jpg', alt: A photo}"),
        },
    )


def test_a_local_image_not_in_the_store_is_an_upload_and_a_pending_src(tmp_path: Path) -> None:
    desired = desired_of(image_articles(tmp_path))
    items = {item.handle: item for item in desired.articles}
    (upload,) = desired.images  # two articles, one file: uploaded once
    assert upload.image.filename.startswith("x-") and upload.image.filename.endswith(".png")
    assert upload.needs_upload
    assert items["local"].fields["image_src"] == PENDING + upload.image.filename
    assert items["also"].fields["image_src"] == PENDING + upload.image.filename
    assert items["local"].fields["image_alt"] == "A diagram"
    assert items["remote"].fields["image_src"] == "https://cdn.example.test/a.jpg"
    assert items["remote"].fields["image_alt"] == "A photo"


def test_a_local_image_already_uploaded_is_its_cdn_url(tmp_path: Path) -> None:
    content = image_articles(tmp_path)
    name = content.images["articles/images/x.png"].filename
    url = f"https://cdn.shopify.com/s/files/1/files/{name}?v=1"
    ready = {name: RemoteFile("gid://shopify/MediaImage/7", "READY", url)}
    desired = desired_of(content, files=ready)
    assert {item.fields["image_src"] for item in desired.articles if item.handle != "remote"} == {
        url
    }
    assert not desired.images[0].needs_upload


def test_an_article_with_errors_uploads_nothing(tmp_path: Path) -> None:
    (tmp_path / "articles" / "images").mkdir(parents=True)
    (tmp_path / "articles" / "images" / "x.png").write_bytes(PNG)
    content = load(
        tmp_path,
        {"a.md": article(image="{src: articles/images/x.png, alt: A}", featured_products="[nope]")},
    )
    desired = desired_of(content)
    assert not desired.articles[0].ok
    assert desired.images == ()


def test_disclaimer_change_changes_the_articles_that_embed_it(tmp_path: Path) -> None:
    files = {"a.md": article(disclaimer="disclaimer"), "pages/disclaimer.md": DISCLAIMER}
    before = desired_of(load(tmp_path, files))
    files["pages/disclaimer.md"] = DISCLAIMER.replace("not medical advice", "no advice at all")
    after = desired_of(load(tmp_path, files))
    assert before.articles[0].fields["body_html"] != after.articles[0].fields["body_html"]
    assert "no advice at all" in after.articles[0].fields["body_html"]
    assert before.pages[0].fields["body_html"] == after.pages[0].fields["body_html"]


def test_order_is_deterministic(tmp_path: Path) -> None:
    content = load(tmp_path, {f"{name}.md": article() for name in ("c", "a", "b")})
    handles = [item.handle for item in desired_of(content).articles]
    assert handles == ["a", "b", "c"]
    content.articles.reverse()
    assert [item.handle for item in desired_of(content).articles] == handles


# ------------------------------------------------------------------ not rendering twice


def remembered(item: DesiredItem) -> dict[str, tuple[str, str]]:
    """What the blog's index holds for a written, untouched article: its inputs and digest."""
    return {item.source: (item.inputs, item.digest)}


def test_an_article_whose_inputs_are_known_is_not_rendered(tmp_path: Path) -> None:
    files = {"a.md": article(featured_products="[original-oriems-ultimate-kit]")}
    (first,) = desired_of(load(tmp_path, files)).articles
    assert first.rendered and "Body <strong>text</strong>" in first.fields["body_html"]

    (again,) = desired_of(load(tmp_path, files), known=remembered(first)).articles
    assert not again.rendered
    assert again.digest == first.digest  # what it would render to, from the index
    assert not set(RENDERED_FIELDS) & set(again.fields)
    # Everything else is there: the plan shows titles, the demo picks a published article.
    assert {k: v for k, v in first.fields.items() if k not in RENDERED_FIELDS} == again.fields


def test_known_inputs_of_another_rendering_are_rendered_again(tmp_path: Path) -> None:
    (first,) = desired_of(load(tmp_path, {"a.md": article()})).articles
    stale = {first.source: ("0" * 16, first.digest)}
    (again,) = desired_of(load(tmp_path, {"a.md": article()}), known=stale).articles
    assert again.rendered and again.fields == first.fields


def _inputs(
    tmp_path: Path, files: dict[str, str], products: dict[str, ResolvedProduct] | None = None
) -> str:
    (item,) = desired_of(load(tmp_path, files), products=products).articles
    return item.inputs


def test_inputs_change_with_anything_the_fields_are_rendered_from(tmp_path: Path) -> None:
    base = {
        "a.md": article(
            featured_products="[original-oriems-ultimate-kit]", disclaimer="disclaimer"
        ),
        "pages/disclaimer.md": DISCLAIMER,
    }
    inputs = _inputs(tmp_path, base)
    assert _inputs(tmp_path, base) == inputs  # the same files: the same inputs
    body = {**base, "a.md": base["a.md"].replace("Body **text**", "Body *text*")}
    assert _inputs(tmp_path, body) != inputs
    notice = {**base, "pages/disclaimer.md": DISCLAIMER.replace("education", "teaching")}
    assert _inputs(tmp_path, notice) != inputs
    renamed = ResolvedProduct(KIT.id, ProductInfo(KIT.info.handle, "The kit, renamed"))
    assert _inputs(tmp_path, base, products={KIT.info.handle: renamed}) != inputs


def test_an_uploaded_image_changes_the_inputs_of_its_articles(tmp_path: Path) -> None:
    content = image_articles(tmp_path)
    pending = {a.handle: a.inputs for a in desired_of(content).articles}
    name = content.images["articles/images/x.png"].filename
    ready = {name: RemoteFile("gid://shopify/MediaImage/7", "READY", f"https://cdn.test/{name}")}
    uploaded = {a.handle: a.inputs for a in desired_of(content, files=ready).articles}
    assert pending["local"] != uploaded["local"] and pending["also"] != uploaded["also"]
    assert pending["remote"] == uploaded["remote"]


def test_the_renderer_digest_names_the_code_and_libraries_it_renders_with() -> None:
    digest = renderer_digest()
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert short_digest("sha256:" + digest) == digest[:16]

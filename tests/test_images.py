"""Local images: content-addressed names, format sniffing, body image paths (pure)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from shopsync.content.images import (
    PENDING,
    ImageProblem,
    ImageUpload,
    inspect_image,
    is_local_src,
    resolve_inline,
    sniff,
    store_filename,
)
from shopsync.vocabulary import RemoteFile

from .images import gif, png


def test_store_names_are_made_from_the_content() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    assert store_filename("articles/images/Hero Shot.PNG", digest) == f"Hero-Shot-{digest[:12]}.png"
    assert store_filename("articles/images/%%%.jpg", digest) == f"image-{digest[:12]}.jpg"


def test_formats_are_recognised_by_their_first_bytes() -> None:
    assert sniff(png(1, 1)) == "image/png"
    assert sniff(gif(1, 1)) == "image/gif"
    assert sniff(b"\xff\xd8\xff\xe0" + bytes(8)) == "image/jpeg"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None  # a RIFF that is not WebP
    assert sniff(b"<svg/>") is None


def test_inspect_reads_size_type_and_name(tmp_path: Path) -> None:
    path = tmp_path / "chart.png"
    path.write_bytes(png(2, 2))
    image = inspect_image("articles/chart.png", path)
    assert (image.mime_type, image.size) == ("image/png", len(png(2, 2)))
    assert image.filename.startswith("chart-") and image.read() == png(2, 2)
    path.write_bytes(png(3, 3))
    with pytest.raises(ImageProblem, match="changed since the plan"):
        image.read()


@pytest.mark.parametrize(
    ("src", "local"),
    [
        ("images/a.png", True),
        ("/media/a.png", True),
        ("a.png", True),
        ("https://x.test/a.png", False),
        ("data:image/png;base64,AAAA", False),
        ("//cdn.test/a.png", False),
        ("#anchor", False),
        ("", False),
    ],
)
def test_which_body_images_are_repository_files(src: str, local: bool) -> None:
    assert is_local_src(src) is local


@pytest.mark.parametrize(
    ("src", "path"),
    [
        ("images/a.png", "articles/images/a.png"),
        ("./images/a%20b.png", "articles/images/a b.png"),
        ("../media/a.png", "media/a.png"),
        ("/media/a.png", "media/a.png"),
        ("images/a.png?v=2#top", "articles/images/a.png"),
        ("../../a.png", None),
        ("/../a.png", None),
    ],
)
def test_body_image_paths_are_relative_to_the_article_file(src: str, path: str | None) -> None:
    assert resolve_inline("articles/post.md", src) == path


def test_an_upload_is_pending_until_its_file_is_ready(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png(1, 1))
    image = inspect_image("a.png", path)
    assert ImageUpload(image).src == PENDING + image.filename
    processing = ImageUpload(image, RemoteFile("gid://shopify/MediaImage/1", "PROCESSING"))
    assert processing.src == PENDING + image.filename and not processing.needs_upload
    failed = ImageUpload(image, RemoteFile("gid://shopify/MediaImage/1", "FAILED"))
    assert failed.needs_upload
    ready = ImageUpload(image, RemoteFile("gid://shopify/MediaImage/1", "READY", "https://c/a.png"))
    assert ready.src == "https://c/a.png" and not ready.needs_upload

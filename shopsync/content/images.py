"""Local article images: what a file in the repository becomes in the store's Content > Files.

An article may name ``image: {src: articles/images/x.png}``. Shopify stores article images by
URL, so a local image is first uploaded as a file and the article then points at the file's CDN
URL. Uploads are *content-addressed*: the store's file is named ``x-<12 hex of sha256>.png``,
so a plan can tell by name alone whether these exact bytes are already in the store (nothing
to upload), and a changed image is a new name (a new upload, and an article update). Re-running
after a failure never uploads the same bytes twice.

Pure apart from reading the image file: no HTTP (``remote.fetch_files`` looks files up,
``apply`` uploads).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from shopsync.content.models import Article
from shopsync.content.render import image_sources
from shopsync.vocabulary import RemoteFile

# Shopify's image limit, and the formats recognised by their first bytes.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
FORMATS: tuple[tuple[str, bytes], ...] = (
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/gif", b"GIF8"),
    ("image/webp", b"RIFF"),
)
# Stands for a file's URL (in ``image_src``, or an ``<img src>`` in the body) until the upload
# has given it one. An https URL on a reserved domain (RFC 2606), so the HTML sanitiser keeps
# it, and never a real address.
PENDING = "https://shopsync.invalid/upload/"


class ImageProblem(ValueError):
    """A local image that cannot be uploaded; the message says why and what to do."""


@dataclass(frozen=True)
class LocalImage:
    """An image file in the repository, identified by its content."""

    src: str  # as written in the front matter, relative to the repository root
    path: Path  # where it is on disk
    filename: str  # its name in the store: stem-<sha256[:12]>.ext
    mime_type: str
    size: int
    sha256: str

    @property
    def placeholder(self) -> str:
        """The article's ``image_src`` while the upload is pending (shown in plan diffs).

        Named by content, like the upload: two paths with the same bytes share one file.
        """
        return PENDING + self.filename

    def to_dict(self) -> dict[str, Any]:
        """Everything but ``path``: that is ``src`` under the repository root, wherever it is."""
        return {
            "src": self.src,
            "filename": self.filename,
            "mime_type": self.mime_type,
            "size": self.size,
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, root: Path) -> LocalImage:
        src = str(data["src"])
        return cls(
            src=src,
            path=root / PurePosixPath(src),
            filename=str(data["filename"]),
            mime_type=str(data["mime_type"]),
            size=int(data["size"]),
            sha256=str(data["sha256"]),
        )

    def read(self) -> bytes:
        """The bytes to upload, refusing a file that changed since it was planned."""
        data = self.path.read_bytes()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise ImageProblem(f"{self.src} changed since the plan was made; run the sync again")
        return data


@dataclass(frozen=True)
class ImageUpload:
    """A local image and what the store has under its content-addressed name."""

    image: LocalImage
    remote: RemoteFile | None = None

    def to_dict(self) -> dict[str, Any]:
        remote = self.remote.to_dict() if self.remote is not None else None
        return {"image": self.image.to_dict(), "remote": remote}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, root: Path) -> ImageUpload:
        remote = data.get("remote")
        return cls(
            image=LocalImage.from_dict(data["image"], root=root),
            remote=RemoteFile.from_dict(remote) if remote is not None else None,
        )

    @property
    def ready(self) -> bool:
        return self.remote is not None and self.remote.status == "READY" and bool(self.remote.url)

    @property
    def needs_upload(self) -> bool:
        return self.remote is None or self.remote.status == "FAILED"

    @property
    def src(self) -> str:
        """What an article's ``image_src`` is: the file's CDN URL, or the pending marker."""
        if self.ready:
            assert self.remote is not None and self.remote.url is not None
            return self.remote.url
        return self.image.placeholder


def is_pending(src: object) -> bool:
    return isinstance(src, str) and src.startswith(PENDING)


def is_local_src(src: str) -> bool:
    """A Markdown image ``src`` that names a file in the repository, not a URL."""
    src = src.strip()
    if not src or src.startswith(("#", "//")):
        return False
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", src) is None


def body_image_paths(article: Article) -> dict[str, str]:
    """A Markdown body's images that are repository files: ``src`` as written -> path."""
    if article.format != "markdown":
        return {}
    found: dict[str, str] = {}
    for src, _line in image_sources(article.body):
        path = resolve_inline(article.source_path, src) if is_local_src(src) else None
        if path is not None:
            found[src] = path
    return found


def image_paths(article: Article) -> list[str]:
    """Every repository image ``article`` uses (featured first), each once."""
    paths = [article.image.src] if article.image is not None and article.image.is_local else []
    return list(dict.fromkeys([*paths, *body_image_paths(article).values()]))


def resolve_inline(source_path: str, src: str) -> str | None:
    """A body image's repository path, or None when it points outside the repository.

    Relative to the article's file, as GitHub shows it in a pull request; a leading ``/``
    means the repository root.
    """
    path = unquote(src.strip().split("#", 1)[0].split("?", 1)[0])
    if path.startswith("/"):
        joined = path.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(source_path), path)
    normal = posixpath.normpath(joined)
    if normal in (".", "..") or normal.startswith("../"):
        return None
    return normal


def sniff(data: bytes) -> str | None:
    """The image's MIME type from its first bytes, or None when it is not one Shopify takes."""
    for mime, magic in FORMATS:
        if data.startswith(magic) and (mime != "image/webp" or data[8:12] == b"WEBP"):
            return mime
    return None


def store_filename(src: str, sha256: str) -> str:
    """``articles/images/Hero Shot.PNG`` → ``Hero-Shot-3fa2b1c4d5e6.png``."""
    path = PurePosixPath(src)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "image"
    return f"{stem}-{sha256[:12]}{path.suffix.lower()}"


def inspect_image(src: str, path: Path) -> LocalImage:
    """Read and check one local image; ImageProblem says what is wrong with it."""
    size = path.stat().st_size
    if size == 0:
        raise ImageProblem(f"image file {src!r} is empty")
    if size > MAX_IMAGE_BYTES:
        raise ImageProblem(
            f"image file {src!r} is {size / 1024 / 1024:.1f} MB; Shopify takes at most 20 MB"
        )
    data = path.read_bytes()
    mime = sniff(data)
    if mime is None:
        raise ImageProblem(
            f"{src!r} is not a PNG, JPEG, GIF or WebP image (the formats shopsync uploads)"
        )
    sha = hashlib.sha256(data).hexdigest()
    return LocalImage(
        src=src,
        path=path,
        filename=store_filename(src, sha),
        mime_type=mime,
        size=size,
        sha256=sha,
    )

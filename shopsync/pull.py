"""Bootstrap a repository from a store: every article and page becomes a file.

Each file is checked the only way that matters: it is loaded and rendered exactly as
``plan`` would, and the result compared with what the store holds. Markdown is written
when it reproduces the stored HTML byte for byte; otherwise the HTML itself is kept
(``format: html``). The parts shopsync adds to a body (product block, "Source" line,
disclaimer notice) become front matter again (``featured_products``, ``citation``,
``disclaimer``) when that reproduces them, and stay inline otherwise. Whatever still
differs (say, markup the sanitiser removes) is reported per file, so the user knows
what the next push would change.

An existing file is compared the way ``plan`` compares it: loaded and rendered as a push
would (its products, disclaimer page and local images), then field by field with what the
store holds. A file in sync is "unchanged" and never rewritten, whatever its formatting;
a file whose item differs is "different", and overwritten only with ``force``. A local image
stays a local path where the store's image is the upload of that very file (the store's
file name carries the content hash, ``content.images``), not the CDN URL.

Pull only reads the store unless ``adopt``: then it marks what it pulled as managed, after
checking, before any file is written, that the token may.
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

import yaml

from shopsync.admin.remote import (
    ARTICLE_PAGE_SIZE,
    PAGE_PAGE_SIZE,
    RemoteItem,
    article_from_node,
    fetch_products,
    page_from_node,
)
from shopsync.content.images import ImageUpload, LocalImage
from shopsync.content.loader import PAGES_DIR, Content, load_content, load_file
from shopsync.content.models import HANDLE_PATTERN, Article, Page, first_paragraph
from shopsync.content.render import PRODUCTS_MARKER, render_markdown
from shopsync.desired import desired_article, desired_page
from shopsync.desired import product_handles as featured_handles
from shopsync.plan import FieldChange, field_diff, shopify_own
from shopsync.sync import READ_PRODUCTS
from shopsync.vocabulary import (
    ARTICLE_FIELDS,
    PAGE_FIELDS,
    READ_CONTENT,
    SHOPIFY_PAGES,
    WRITE_CONTENT,
    RemoteFile,
    ResolvedProduct,
)

if TYPE_CHECKING:
    from shopsync.admin.client import ShopifyClient
    from shopsync.config import Settings

Action = Literal["created", "overwritten", "unchanged", "different", "skipped", "failed"]
ACTIONS: tuple[Action, ...] = (
    "created",
    "overwritten",
    "unchanged",
    "different",
    "skipped",
    "failed",
)


def pull_scopes(*, adopt: bool) -> list[tuple[str, ...]]:
    """What a pull needs: read scopes only (it resolves the products of the product blocks
    it finds); marking the items as managed (``adopt``) writes metafields on them."""
    return [READ_CONTENT, READ_PRODUCTS, *([WRITE_CONTENT] if adopt else [])]


Format = Literal["markdown", "html"]

_DISCLAIMER = re.compile(
    r'(?:\A|\n)<aside class="shopsync-disclaimer">(?P<notice>.*?)<p>Full disclaimer: '
    r'<a href="/pages/(?P<handle>[a-z0-9-]+)" rel="noopener noreferrer">[^<]*</a></p></aside>\Z',
    re.S,
)
_SOURCE = re.compile(
    r'(?:\A|\n)<p class="shopsync-source">Source: (?P<text>[^<]*) <a href="[^"]*" '
    r'rel="noopener noreferrer">(?P<label>[^<]+)</a></p>\Z'
)
_SOURCE_TEXT = re.compile(r"\A(?P<title>.+)\. (?P<journal>.+), (?P<year>\d{4})\.\Z", re.S)
_PRODUCTS = re.compile(
    r'<aside class="shopsync-products"><ul>(?:<li class="shopsync-product">.*?</li>)*'
    r"</ul></aside>",
    re.S,
)
_PRODUCT_HANDLE = re.compile(r'<a href="/products/([a-z0-9-]+)"')
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', re.IGNORECASE)


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PulledFile:
    """What happened to one remote item."""

    resource: Literal["article", "page"]
    handle: str
    #: None: no file, for one of Shopify's own pages.
    path: str | None
    action: Action
    format: Format | None = None
    blog: str | None = None
    # Fields a push would still change (the file cannot say exactly what the store has).
    differences: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    #: An existing file whose item differs from the store's: each field as the file has it
    #: (``before``) and as the store has it (``after``), what pulling it changes.
    changes: tuple[FieldChange, ...] = ()
    adopted: bool = False  # marked as managed from this file by this pull
    shopify_own: bool = False  # one of Shopify's own pages: skipped, by design

    def to_dict(self) -> dict[str, Any]:
        return {
            "adopted": self.adopted,
            "shopify_own": self.shopify_own,
            "resource": self.resource,
            "blog": self.blog,
            "handle": self.handle,
            "path": self.path,
            "action": self.action,
            "format": self.format,
            "differences": list(self.differences),
            "messages": list(self.messages),
            "changes": [change.to_dict() for change in self.changes],
        }


@dataclass(frozen=True)
class PullResult:
    files: tuple[PulledFile, ...] = ()
    notes: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        for item in self.files:
            counts[item.action] += 1
        return counts

    @property
    def ok(self) -> bool:
        return not any(item.action == "failed" for item in self.files)

    @property
    def complete(self) -> bool:
        """Every item written or already identical; Shopify's own pages are left out by
        design and do not count against it."""
        return self.ok and not any(
            item.action == "different" or (item.action == "skipped" and not item.shopify_own)
            for item in self.files
        )

    @property
    def has_changes(self) -> bool:
        """Files written (or, in a dry run, to be), or left different from the store."""
        return any(f.action in ("created", "overwritten", "different") for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.counts(),
            "files": [item.to_dict() for item in self.files],
            "notes": list(self.notes),
        }


# ----------------------------------------------------------------------- HTML → files


def to_markdown(fragment: str) -> str | None:
    """Markdown that renders back to exactly ``fragment``, or None if there is none."""
    from markdownify import markdownify

    if not fragment.strip():
        return ""
    attempts: tuple[dict[str, Any], ...] = (
        {"heading_style": "ATX", "bullets": "-", "escape_misc": False},
        {"heading_style": "ATX", "bullets": "-", "escape_misc": True},
    )
    for options in attempts:
        text = str(markdownify(fragment, **options)).strip()
        text = re.sub(r"[ \t]+\n", "\n", text)
        if render_markdown(text) == fragment:
            return text
    return None


@dataclass
class BodyParts:
    """A stored article body taken apart into what shopsync would have added to it."""

    main: str
    products: list[str] = field(default_factory=list)
    products_inline: bool = False  # the block sat inside the text (a marker line keeps it there)
    citation: dict[str, Any] | None = None
    disclaimer: str | None = None
    notice_html: str | None = None


def split_body(body: str) -> BodyParts:
    """Find the disclaimer notice, the "Source" line and the product block in a body."""
    parts = BodyParts(main=body)
    found = _DISCLAIMER.search(parts.main)
    if found:
        parts.disclaimer = found["handle"]
        parts.notice_html = found["notice"]
        parts.main = parts.main[: found.start()]
    found = _SOURCE.search(parts.main)
    if found:
        citation = _citation(html.unescape(found["text"]), html.unescape(found["label"]))
        if citation is not None:
            parts.citation = citation
            parts.main = parts.main[: found.start()]
    block = _PRODUCTS.search(parts.main)
    if block:
        parts.products = _PRODUCT_HANDLE.findall(block.group())
        before, after = parts.main[: block.start()], parts.main[block.end() :]
        if after:
            parts.products_inline = True
            parts.main = before + PRODUCTS_MARKER + after
        else:  # appended after the text, as render does without a marker
            parts.main = before.removesuffix("\n")
    return parts


def _citation(text: str, label: str) -> dict[str, Any] | None:
    match = _SOURCE_TEXT.match(text)
    if match is None:
        return None
    data: dict[str, Any] = {}
    if label.startswith("PubMed "):
        data["pmid"] = label.removeprefix("PubMed ")
    elif label.startswith("doi:"):
        data["doi"] = label.removeprefix("doi:")
    else:
        return None
    data.update(title=match["title"], journal=match["journal"], year=int(match["year"]))
    return data


def localise(fragment: str, local_images: Mapping[str, str], path: str) -> str:
    """``fragment`` with each ``<img src>`` that is the upload of a repository image pointing
    at that image instead, relative to the file at ``path`` (as Markdown in it names it)."""
    if not local_images:
        return fragment

    def swap(match: re.Match[str]) -> str:
        image = local_images.get(html.unescape(match[2]))
        if image is None:
            return match[0]
        relative = posixpath.relpath(image, posixpath.dirname(path) or ".")
        return match[1] + html.escape(relative, quote=True) + match[3]

    return _IMG_SRC.sub(swap, fragment)


def uploaded_images(
    items: Iterable[RemoteItem], images: Mapping[str, LocalImage]
) -> tuple[dict[str, ImageUpload], dict[str, str]]:
    """The repository images (by path) with the store's upload of their bytes, where an item
    shows one, and the uploads' URLs → paths.

    An upload's name is its content (``content.images.store_filename``): a store URL ending
    in a local image's name is that very file, uploaded; no Files read (no ``read_files``).
    """
    by_name = {image.filename: path for path, image in sorted(images.items())}
    urls: dict[str, str] = {}
    for remote in items:
        found = [remote.fields.get("image_src"), *_body_image_urls(remote)]
        for url in found:
            if not isinstance(url, str):
                continue
            path = by_name.get(unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]))
            if path is not None and urlsplit(url).scheme in ("http", "https"):
                urls[url] = path
    uploaded = {path: url for url, path in sorted(urls.items())}
    # The file's id is not needed (nothing is uploaded or read): only its URL is.
    uploads = {
        path: ImageUpload(
            image,
            RemoteFile(id="", status="READY", url=uploaded[path]) if path in uploaded else None,
        )
        for path, image in images.items()
    }
    return uploads, urls


def _body_image_urls(remote: RemoteItem) -> list[str]:
    body = remote.fields.get("body_html") or ""
    return [html.unescape(m[2]) for m in _IMG_SRC.finditer(body)]


def _main_as_markdown(main: str) -> str | None:
    """The body's own text as Markdown, the product marker kept on a line of its own."""
    if PRODUCTS_MARKER not in main:
        return to_markdown(main)
    before, after = main.split(PRODUCTS_MARKER, 1)
    pieces = [to_markdown(before.strip("\n")), to_markdown(after.strip("\n"))]
    if pieces[0] is None or pieces[1] is None:
        return None
    return "\n\n".join(p for p in (pieces[0], PRODUCTS_MARKER, pieces[1]) if p)


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def file_text(front: Mapping[str, Any], body: str) -> str:
    """``---``, the YAML front matter (keys in the given order), ``---``, the body."""
    yaml_text = yaml.dump(
        dict(front), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
    body = body.strip("\n")
    return f"---\n{yaml_text}---\n" + (f"\n{body}\n" if body else "")


def _common(front: dict[str, Any], fields: Mapping[str, Any]) -> None:
    if fields.get("template_suffix"):
        front["template_suffix"] = fields["template_suffix"]
    seo = {
        key: fields[name]
        for key, name in (("title", "seo_title"), ("description", "seo_description"))
        if fields.get(name)
    }
    if seo:
        front["seo"] = seo


def article_front(
    remote: RemoteItem,
    *,
    summary: str | None,
    fmt: Format,
    parts: BodyParts | None,
    handle_in_front: bool,
    local_images: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Front matter for ``remote``; ``parts`` None keeps the body whole (nothing extracted).

    ``local_images`` maps the store's URL of an uploaded repository image to its path: the
    featured image is then that path, as the file that uploaded it wrote it.
    """
    fields = remote.fields
    front: dict[str, Any] = {"title": fields["title"]}
    if handle_in_front:
        front["handle"] = remote.handle
    front["blog"] = remote.blog
    front["author"] = fields.get("author") or "Unknown"
    if fields.get("tags"):
        front["tags"] = list(fields["tags"])
    if summary is not None:
        front["summary"] = summary
    if fields.get("is_published"):
        front["status"] = "published"
        if fields.get("publish_date"):
            front["publish_date"] = fields["publish_date"]
    elif fields.get("publish_date"):
        front["status"] = "scheduled"
        front["publish_date"] = fields["publish_date"]
    else:
        front["status"] = "draft"
    if fields.get("image_src"):
        front["image"] = {
            "src": (local_images or {}).get(fields["image_src"], fields["image_src"]),
            "alt": fields.get("image_alt") or fields["title"],
        }
    _common(front, fields)
    if parts is not None:
        if parts.products:
            front["featured_products"] = list(parts.products)
        if parts.disclaimer:
            front["disclaimer"] = parts.disclaimer
        if parts.citation:
            front["citation"] = parts.citation
    if fmt == "html":
        front["format"] = "html"
    return front


# ------------------------------------------------------------------------ verification


@dataclass
class _Checker:
    """Loads candidate files exactly as ``plan`` would, in a scratch repository: each at its
    own path, beside copies of the repository images it may name (``copy_images``)."""

    scratch: Path
    default_blog: str
    now: datetime
    uploads: Mapping[str, ImageUpload] = field(default_factory=dict)

    def copy_images(self, paths: Iterable[str]) -> None:
        for path in paths:
            target = self.scratch / PurePosixPath(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.uploads[path].image.path, target)

    def _load(
        self, path: str, text: str, kind: Literal["article", "page"]
    ) -> Article | Page | None:
        target = self.scratch / PurePosixPath(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        loaded = load_file(
            target, root=self.scratch, default_blog=self.default_blog, now=self.now, kind=kind
        )
        return loaded.item if not loaded.problems else None

    def article(
        self,
        path: str,
        text: str,
        remote: RemoteItem,
        products: Mapping[str, ResolvedProduct],
        pages: Mapping[str, Page],
    ) -> tuple[str, ...] | None:
        """Fields that would differ from the store, or None if the file is not valid."""
        item = self._load(path, text, "article")
        if not isinstance(item, Article):
            return None
        if any(h not in products for h in item.featured_products):
            return None
        if item.disclaimer and item.disclaimer not in pages:
            return None
        desired = desired_article(item, products=products, pages=pages, images=self.uploads)
        if not desired.ok:  # e.g. a published article featuring an archived product
            return None
        return tuple(c.field for c in field_diff(remote.fields, desired.fields, ARTICLE_FIELDS))

    def page(self, path: str, text: str, remote: RemoteItem) -> tuple[Page, tuple[str, ...]] | None:
        item = self._load(path, text, "page")
        if not isinstance(item, Page):
            return None
        diff = field_diff(remote.fields, desired_page(item).fields, PAGE_FIELDS)
        return item, tuple(c.field for c in diff)


@contextmanager
def _checker(
    default_blog: str, now: datetime, uploads: Mapping[str, ImageUpload]
) -> Iterator[_Checker]:
    with tempfile.TemporaryDirectory(prefix="shopsync-pull-") as scratch:
        yield _Checker(Path(scratch), default_blog, now, uploads)


@dataclass
class _Doc:
    """A file about to be written."""

    resource: Literal["article", "page"]
    handle: str
    blog: str | None
    path: str
    text: str | None
    fmt: Format | None
    differences: tuple[str, ...] = ()
    messages: list[str] = field(default_factory=list)
    remote: RemoteItem | None = None
    #: The file already there, compared with the store (``compare_local``).
    local: LocalFile | None = None


@dataclass(frozen=True)
class LocalFile:
    """An existing file, compared with the store's item as ``plan`` compares them."""

    #: Field by field: the file's value (``before``), the store's (``after``).
    changes: tuple[FieldChange, ...] = ()
    #: Why it could not be compared (invalid, unknown product...): then it is not in sync.
    problems: tuple[str, ...] = ()

    @property
    def in_sync(self) -> bool:
        return not self.changes and not self.problems


def compare_local(
    item: Article | Page | None,
    remote: RemoteItem,
    *,
    products: Mapping[str, ResolvedProduct],
    pages: Mapping[str, Page],
    uploads: Mapping[str, ImageUpload],
) -> LocalFile:
    """The file's item rendered as a push would, against what the store holds (the plan's own
    comparison: desired against remote canonical fields, nothing textual)."""
    if item is None:
        return LocalFile(problems=("is not a valid file (see shopsync validate)",))
    if isinstance(item, Article):
        desired = desired_article(item, products=products, pages=pages, images=uploads)
        order = ARTICLE_FIELDS
    else:
        desired = desired_page(item)
        order = PAGE_FIELDS
    if not desired.ok:
        return LocalFile(problems=desired.errors)
    changes = field_diff(remote.fields, desired.fields, order)
    return LocalFile(changes=tuple(FieldChange(c.field, c.after, c.before) for c in changes))


def _page_doc(
    remote: RemoteItem, path: str, checker: _Checker, notice_html: str | None
) -> tuple[_Doc, Page | None]:
    fields = remote.fields
    body = fields.get("body_html") or ""
    markdown = to_markdown(body)
    best: tuple[_Doc, Page | None] | None = None
    for fmt, text_body in (("markdown", markdown), ("html", body)):
        if text_body is None:
            continue
        front: dict[str, Any] = {"title": fields["title"]}
        if not fields.get("is_published"):
            front["published"] = False
        _common(front, fields)
        if notice_html is not None:
            default = first_paragraph(text_body) if fmt == "markdown" else ""
            if render_markdown(default) != notice_html:
                notice = to_markdown(notice_html)
                if notice is not None:
                    front["notice"] = notice
        if fmt == "html":
            front["format"] = "html"
        text = file_text(front, text_body)
        checked = checker.page(path, text, remote)
        if checked is None:
            continue
        page, differences = checked
        doc = _Doc("page", remote.handle, None, path, text, fmt, differences)  # type: ignore[arg-type]
        if not differences:
            return doc, page
        if best is None:
            best = (doc, page)
    if best is not None:
        return best
    return _Doc(
        "page",
        remote.handle,
        None,
        path,
        None,
        None,
        messages=["cannot be written as a valid page file"],
    ), None


def _article_doc(
    remote: RemoteItem,
    path: str,
    checker: _Checker,
    products: Mapping[str, ResolvedProduct],
    pages: Mapping[str, Page],
    local_images: Mapping[str, str],
) -> _Doc:
    """The best file for an article: Markdown that renders to what the store holds, else
    HTML; uploaded repository images named by their paths (``local_images``: URL → path)."""
    fields = remote.fields
    body = fields.get("body_html") or ""
    summary_html = fields.get("summary_html")
    summary_md = to_markdown(summary_html) if summary_html else None
    name = posixpath.basename(path)
    handle_in_front = name != f"{remote.handle}.md"
    parts = split_body(body)
    whole = BodyParts(main=body)
    candidates: list[tuple[Format, BodyParts | None]] = [
        ("markdown", parts),
        ("html", parts),
        ("markdown", whole),
        ("html", whole),
    ]
    best: _Doc | None = None
    for fmt, chosen in candidates:
        source = chosen or whole
        if fmt == "markdown":
            text_body = _main_as_markdown(localise(source.main, local_images, path))
            summary = summary_md if summary_html else None
            if text_body is None or (summary_html and summary is None):
                continue
        else:
            text_body, summary = source.main, summary_html
        front = article_front(
            remote,
            summary=summary,
            fmt=fmt,
            parts=source if source is parts else None,
            handle_in_front=handle_in_front,
            local_images=local_images,
        )
        text = file_text(front, text_body)
        differences = checker.article(path, text, remote, products, pages)
        if differences is None:
            continue
        doc = _Doc("article", remote.handle, remote.blog, path, text, fmt, differences)
        if not differences:
            return doc
        if best is None or len(differences) < len(best.differences):
            best = doc
    if best is not None:
        return best
    return _Doc(
        "article",
        remote.handle,
        remote.blog,
        path,
        None,
        None,
        messages=["cannot be written as a valid article file (see shopsync validate)"],
    )


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class StoreContent:
    """Everything pull reads: blogs (handle → id), articles and pages."""

    blogs: Mapping[str, str]
    articles: tuple[RemoteItem, ...]
    pages: tuple[RemoteItem, ...]


def read_store(
    client: ShopifyClient, settings: Settings, *, blogs: Sequence[str] | None = None
) -> StoreContent:
    """Every article of the chosen blogs (default: all) and every page."""
    blog_ids: dict[str, str] = {}
    for node in client.paginate("SyncBlogs", {"first": 250}, path=["blogs"]):
        if blogs is None or node["handle"] in blogs:
            blog_ids[node["handle"]] = node["id"]
    articles: list[RemoteItem] = []
    for handle in sorted(blog_ids):
        variables = {
            "blogId": blog_ids[handle],
            "first": ARTICLE_PAGE_SIZE,
            "productNamespace": settings.product_metafield_namespace,
            "productKey": settings.product_metafield_key,
        }
        for node in client.paginate("SyncBlogArticles", variables, path=["blog", "articles"]):
            articles.append(article_from_node(node))
    pages = [
        page_from_node(node)
        for node in client.paginate("SyncPages", {"first": PAGE_PAGE_SIZE}, path=["pages"])
    ]
    return StoreContent(blogs=blog_ids, articles=tuple(articles), pages=tuple(pages))


# ---------------------------------------------------------------------------- planning


def _safe_source(source: str | None, articles_dir: str) -> str | None:
    """A managed item's recorded file path, if it is a sane path under the articles dir."""
    if not source or not source.endswith(".md"):
        return None
    normal = posixpath.normpath(source)
    if normal.startswith(("/", "../")) or normal == ".." or "\\" in normal:
        return None
    if not normal.startswith(articles_dir.rstrip("/") + "/"):
        return None
    return normal


def plan_files(
    store: StoreContent,
    settings: Settings,
    *,
    root: Path,
    products: Mapping[str, ResolvedProduct],
    local: Content | None = None,
    now: datetime | None = None,
) -> list[_Doc]:
    """Decide each remote item's file and its text, and compare the files already there
    (nothing is written). ``local``: the repository's files (``load_local``)."""
    now = now or datetime.now(UTC)
    articles_dir = posixpath.normpath(settings.articles_dir.as_posix())
    local = local if local is not None else load_local(settings, root=root, now=now)
    local_articles = {(a.blog, a.handle): a.source_path for a in local.articles}
    local_pages = {p.handle: p.source_path for p in local.pages}

    taken: set[str] = set()

    def claim(path: str) -> str:
        taken.add(path)
        return path

    page_paths: dict[str, str] = {}
    for remote in store.pages:
        path = (
            local_pages.get(remote.handle)
            or _safe_source(remote.source, articles_dir)
            or f"{articles_dir}/{PAGES_DIR}/{remote.handle}.md"
        )
        page_paths[remote.handle] = claim(path)
    article_paths: dict[tuple[str, str], str] = {}
    by_handle: dict[str, int] = {}
    for remote in store.articles:
        by_handle[remote.handle] = by_handle.get(remote.handle, 0) + 1
    for remote in store.articles:
        key = (remote.blog or "", remote.handle)
        found = local_articles.get(key) or _safe_source(remote.source, articles_dir)
        path = found if found is not None and found not in taken else ""
        if not path:
            path = f"{articles_dir}/{remote.handle}.md"
            if by_handle[remote.handle] > 1 or path in taken:
                path = f"{articles_dir}/{remote.blog}--{remote.handle}.md"
        article_paths[key] = claim(path)

    notices: dict[str, str] = {}
    for remote in store.articles:
        parts = split_body(remote.fields.get("body_html") or "")
        if parts.disclaimer and parts.notice_html is not None:
            notices.setdefault(parts.disclaimer, parts.notice_html)

    uploads, local_images = uploaded_images((*store.articles, *store.pages), local.images)
    docs: list[_Doc] = []
    with _checker(settings.blog, now, uploads) as checker:
        checker.copy_images(set(local_images.values()))
        pages: dict[str, Page] = {}
        for remote in store.pages:
            doc, page = _page_doc(
                remote, page_paths[remote.handle], checker, notices.get(remote.handle)
            )
            if page is not None:
                pages[page.handle] = page
            doc.remote = remote
            docs.append(_valid_handle(doc))
        for remote in store.articles:
            key = (remote.blog or "", remote.handle)
            doc = _article_doc(remote, article_paths[key], checker, products, pages, local_images)
            doc.remote = remote
            docs.append(_valid_handle(doc))
    invalid = {problem.path for problem in local.problems}
    items: list[Article | Page] = [*local.articles, *local.pages]
    by_path = {item.source_path: item for item in items if item.source_path not in invalid}
    page_items = {page.handle: page for page in local.pages}
    for doc in docs:
        if doc.remote is not None and (root / doc.path).exists():
            doc.local = compare_local(
                by_path.get(doc.path),
                doc.remote,
                products=products,
                pages=page_items,
                uploads=uploads,
            )
    return docs


def load_local(settings: Settings, *, root: Path, now: datetime | None = None) -> Content:
    """The repository's files as a plan loads them (problems kept, not raised)."""
    return load_content(
        [root / settings.articles_dir], root=root, default_blog=settings.blog, now=now
    )


def _valid_handle(doc: _Doc) -> _Doc:
    if not HANDLE_PATTERN.match(doc.handle):
        doc.text = None
        doc.messages.append(f"handle {doc.handle!r} is not one shopsync can keep unchanged")
    return doc


def product_handles(store: StoreContent) -> list[str]:
    """Handles of the products shown in product blocks: what to resolve in the store."""
    return sorted(
        {
            handle
            for remote in store.articles
            for handle in split_body(remote.fields.get("body_html") or "").products
        }
    )


def resolve_products(
    client: ShopifyClient, store: StoreContent, local: Content
) -> dict[str, ResolvedProduct]:
    """The products the store's product blocks show and the files feature: what writing the
    files and comparing those already there need."""
    handles = sorted({*product_handles(store), *featured_handles(local.articles)})
    return fetch_products(client, handles) if handles else {}


def pull(
    settings: Settings,
    client: ShopifyClient,
    *,
    root: Path,
    force: bool = False,
    blogs: Sequence[str] | None = None,
    dry_run: bool = False,
    adopt: bool = False,
    now: datetime | None = None,
) -> PullResult:
    """Write the store's articles and pages under the articles directory.

    Read-only in the store unless ``adopt``: then the items pulled are marked as managed from
    their files, and the token's write access is checked before any file is written. A dry
    run writes nothing anywhere and needs read access only.
    """
    client.check_access(pull_scopes(adopt=adopt and not dry_run))
    store = read_store(client, settings, blogs=blogs)
    own = [page for page in store.pages if shopify_own(page)]
    store = replace(store, pages=tuple(page for page in store.pages if not shopify_own(page)))
    local = load_local(settings, root=root, now=now)
    products = resolve_products(client, store, local)
    docs = plan_files(store, settings, root=root, products=products, local=local, now=now)
    notes: list[str] = []
    if settings.blog not in store.blogs and (blogs is None or settings.blog in blogs):
        found = ", ".join(sorted(store.blogs)) or "none"
        notes.append(
            f"the default blog {settings.blog!r} is not in the store (blogs: {found}); "
            "set SHOPSYNC_BLOG to one of them, or a push will create it"
        )
    files = [write_file(doc, root=root, force=force, dry_run=dry_run) for doc in docs]
    kept = [
        (doc.remote, doc.path)
        for doc, f in zip(docs, files, strict=True)
        if doc.remote is not None
        and f.action in ("created", "overwritten", "unchanged")
        and doc.remote.source != doc.path
    ]
    if adopt and not dry_run:
        adopted = _adopt(client, kept)
        files = [
            replace(f, adopted=True) if doc.remote and doc.remote.id in adopted else f
            for doc, f in zip(docs, files, strict=True)
        ]
    elif kept and not adopt:
        notes.append(unadopted_note(len(kept), dry_run=dry_run))
    return PullResult(files=(*(_left_alone(page) for page in own), *files), notes=tuple(notes))


def unadopted_note(count: int, *, dry_run: bool) -> str:
    """What to do about items pulled without ``--adopt``: plan calls each a conflict."""
    items = "1 item" if count == 1 else f"{count} items"
    verb = "would be" if dry_run else "were"
    return (
        f"{items} {verb} pulled but not adopted: the store does not know them as shopsync's, "
        "so a plan calls them conflicts; run `shopsync pull --adopt` to mark them as managed "
        "from their files (needs write_content), or `shopsync push --adopt` to take them over"
    )


def _left_alone(page: RemoteItem) -> PulledFile:
    """One of Shopify's own pages: no file, no marks (``plan`` refuses to take it over)."""
    return PulledFile(
        resource="page",
        handle=page.handle,
        path=None,
        action="skipped",
        messages=(
            f"Shopify's own {SHOPIFY_PAGES[page.handle]} ({page.fields.get('title')!r}): "
            "shopsync leaves it alone, no file and no marks",
        ),
        shopify_own=True,
    )


METAFIELDS_PER_CALL = 25


def _adopt(client: ShopifyClient, items: Sequence[tuple[RemoteItem, str]]) -> set[str]:
    """Mark pulled items as managed from their new files, as a push would have.

    Pulling is how a store's existing content comes under shopsync: without the marks, the
    next plan would call every pulled item a conflict (an unmanaged item with a file's
    handle). The digest is of what the store holds now, so an admin edit made after the pull
    is still caught. Only the marks are written, never content.
    """
    from shopsync.admin.inputs import ownership_metafields

    todo = [(r, path) for r, path in items if r.source != path]
    metafields = [
        {**mark, "ownerId": remote.id}
        for remote, path in todo
        for mark in ownership_metafields(path, remote.fields)
    ]
    for start in range(0, len(metafields), METAFIELDS_PER_CALL):
        batch = metafields[start : start + METAFIELDS_PER_CALL]
        client.mutate("SyncMetafieldsSet", {"metafields": batch}, idempotent=True)
    return {remote.id for remote, _path in todo}


def write_file(doc: _Doc, *, root: Path, force: bool, dry_run: bool) -> PulledFile:
    """Write one file, unless one already there is in sync with the store (never rewritten)
    or differs from it (rewritten only with ``force``)."""
    base: dict[str, Any] = {
        "resource": doc.resource,
        "handle": doc.handle,
        "path": doc.path,
        "blog": doc.blog,
        "format": doc.fmt,
        "differences": doc.differences,
    }
    messages = list(doc.messages)
    target = root / doc.path
    local = doc.local if target.exists() else None
    if local is not None:
        if local.in_sync or _same_text(target, doc.text):
            # In sync, or already what pull writes (even if the store says more than it can).
            return PulledFile(action="unchanged", messages=tuple(doc.messages), **base)
        base["changes"] = local.changes
        messages.extend(f"the file {problem}" for problem in local.problems)
    if doc.text is None:
        return PulledFile(action="failed", messages=tuple(messages), **base)
    if target.exists():
        if not force:
            messages.append("differs from the store; not overwritten (--force overwrites it)")
            return PulledFile(action="different", messages=tuple(messages), **base)
        action: Action = "overwritten"
    else:
        action = "created"
    if not dry_run:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(doc.text, encoding="utf-8")
    return PulledFile(action=action, messages=tuple(messages), **base)


def _same_text(target: Path, text: str | None) -> bool:
    try:
        return text is not None and target.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False

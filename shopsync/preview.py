"""An article as a reader would see it, offline: a standalone HTML page.

The body is exactly what a push would store (``render_article_body``, with the products'
``ProductInfo`` a plan resolves), wrapped in a plain page with the title, date, author,
tags, summary and featured image, under a banner that says this is a preview. Nothing here
contacts a store: the featured products come from an injected ``ProductLookup`` (the CLI
builds one on the store, through ``catalogue``, with the sandbox's seeded catalogue as the
fallback: ``resolve_catalogue``); a handle found in neither shows as an "unknown product"
and a warning, as a plan would refuse it. The product block and disclaimer notice are
styled by ``theme/shopsync.css``, the stylesheet themes are told to use. The page carries a
Content-Security-Policy that forbids every script, so even a sanitiser bug could not run
one in the preview.

``PreviewSite`` serves the previews of a content directory on 127.0.0.1 for
``shopsync preview --serve``: every request re-reads the files if any changed (and then
resolves their products again), and the page asks the browser to reload every few seconds
(no JavaScript needed). Links in bodies work there as on the store: ``/pages/<handle>``
shows the page's preview, ``/blogs/<blog>/<handle>`` the article's, ``/products/<handle>``
a placeholder.
"""

from __future__ import annotations

import html
import mimetypes
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopsync.content.images import body_image_paths, image_paths
from shopsync.content.loader import Content, display_path, load_content
from shopsync.content.models import Article, Page
from shopsync.content.render import render_article_body, render_page_body, render_summary
from shopsync.errors import ContentError, Problem, ShopsyncError
from shopsync.vocabulary import ProductInfo

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

LOOPBACK = "127.0.0.1"
REFRESH_SECONDS = 2

# No script-src: nothing in a preview may run a script, whatever the body says.
CSP = (
    "default-src 'none'; img-src 'self' https: http: data: file:; "
    "style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'"
)

STYLE = """
:root { color-scheme: light; }
body { margin: 0; font: 17px/1.6 Georgia, 'Times New Roman', serif; color: #1d1d1f;
  background: #fafaf7; }
.shopsync-preview-banner { position: sticky; top: 0; z-index: 10; margin: 0;
  padding: .6em 1em; background: #ffd60a; color: #1d1d1f; border-bottom: 2px solid #1d1d1f;
  font: 600 15px/1.4 system-ui, sans-serif; text-align: center; }
.shopsync-preview-banner small { font-weight: 400; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 2rem; line-height: 1.25; margin: .5rem 0 .75rem; }
.meta { font: 14px/1.5 system-ui, sans-serif; color: #555; margin: 0 0 .5rem; }
.tags { list-style: none; padding: 0; margin: .5rem 0 1rem; display: flex; flex-wrap: wrap;
  gap: .4rem; font: 13px/1.4 system-ui, sans-serif; }
.tags li { background: #e8e8e3; border-radius: 1em; padding: .1em .7em; }
.summary { font-style: italic; color: #333; border-left: 4px solid #d0d0c8;
  padding-left: 1rem; margin: 1rem 0 1.5rem; }
.featured-image { max-width: 100%; height: auto; border-radius: 6px; }
.body img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 1.25rem 0; width: 100%; }
th, td { border: 1px solid #bbb; padding: .45em .7em; text-align: left; vertical-align: top; }
th { background: #eeeeea; }
blockquote { margin: 1rem 0; padding-left: 1rem; border-left: 4px solid #c9c9c0; color: #333; }
.shopsync-preview-notes { border: 2px dashed #b25000; border-radius: 6px;
  padding: .5rem 1rem; margin: 1rem 0; font: 14px/1.5 system-ui, sans-serif; }
.shopsync-preview-notes ul { margin: .25rem 0; padding-left: 1.25rem; }
.problems li { font-family: ui-monospace, monospace; font-size: 14px; margin: .5rem 0; }
"""


IMAGE_MARKER = "https://shopsync.invalid/preview-image/"

#: Where a catalogue's products came from, as the banner and the warnings say it.
FROM_STORE = "the store"
FROM_SANDBOX = "the sandbox's catalogue"


@cache
def theme_css() -> str:
    """The shipped stylesheet for the product block and disclaimer (``theme/shopsync.css``):
    the one a theme adds, so the preview styles them as the store will."""
    return files("shopsync").joinpath("theme/shopsync.css").read_text(encoding="utf-8")


#: Featured products by handle, for the handles asked; a handle it does not know is absent.
ProductLookup = Callable[[Sequence[str]], Mapping[str, ProductInfo]]


@dataclass(frozen=True)
class Catalogue:
    """The featured products a preview shows, where they came from, and what went wrong."""

    products: Mapping[str, ProductInfo] = field(default_factory=dict)
    source: str = FROM_SANDBOX
    warnings: tuple[str, ...] = ()
    #: The store was asked and did not answer: a handle missing here may well be there.
    stood_in: bool = False


def resolve_catalogue(
    handles: Iterable[str], *, store: ProductLookup | None, fallback: ProductLookup
) -> Catalogue:
    """The products of ``handles``: from ``store`` when there is one and it answers, else
    from ``fallback`` with a warning saying why (a preview never fails for the store)."""
    wanted = sorted(set(handles))
    warnings: tuple[str, ...] = ()
    if store is not None:
        try:
            return Catalogue(dict(store(wanted)), FROM_STORE)
        except ShopsyncError as exc:
            warnings = (
                f"could not read the featured products from the store ({exc.message}); "
                f"showing {FROM_SANDBOX} instead",
            )
    return Catalogue(dict(fallback(wanted)), FROM_SANDBOX, warnings, stood_in=bool(warnings))


def unknown_product(handle: str) -> ProductInfo:
    """What the block shows for a handle the catalogue lacks: visibly not a product."""
    return ProductInfo(handle=handle, title=f"[unknown product: {handle}]")


def featured(article: Article, catalogue: Catalogue) -> tuple[list[ProductInfo], list[str]]:
    """The article's products as the block shows them, and what a plan would say of them."""
    shown: list[ProductInfo] = []
    notes: list[str] = []
    for handle in article.featured_products:
        product = catalogue.products.get(handle)
        if product is None:
            shown.append(unknown_product(handle))
            verdict = (
                "the store could not be asked whether it has it"
                if catalogue.stood_in
                else "a plan would refuse it"
            )
            notes.append(f"featured product {handle!r} is not in {catalogue.source}: {verdict}")
            continue
        status = product.status.upper()
        if status != "ACTIVE":
            verdict = "fine for a draft" if article.status == "draft" else "a plan would refuse it"
            notes.append(f"featured product {handle!r} is {status}, not ACTIVE: {verdict}")
        shown.append(product)
    return shown, notes


def wanted_handles(items: Iterable[Article | Page]) -> list[str]:
    """Every featured product handle of ``items``, once, sorted: one lookup for them all."""
    return sorted(
        {h for item in items if isinstance(item, Article) for h in item.featured_products}
    )


@dataclass(frozen=True)
class PreviewContext:
    """What the page around the body needs to know besides the article itself."""

    products: Sequence[ProductInfo] = ()
    #: Where the products came from (the banner says it), and what a plan would say of them.
    products_from: str | None = None
    notes: Sequence[str] = ()
    disclaimer: Page | None = None
    source: str | None = None
    # URL the featured image is shown from (a local image's file URI or served path).
    image_url: str | None = None
    # The same for images in the body: Markdown ``src`` as written -> URL to show it from.
    body_images: Mapping[str, str] = field(default_factory=dict)
    # Where relative links (/pages/x, /products/y) point in a file preview: the shop.
    base_url: str | None = None
    refresh_seconds: int | None = None


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _date_text(moment: datetime) -> str:
    return f"{moment.day} {moment.strftime('%B %Y, %H:%M')} (UTC{moment.strftime('%z')})"


def status_text(article: Article) -> str:
    """What a reader of the store would see, in words (for the meta line)."""
    if article.status == "draft":
        return "Draft: not visible on the store"
    if article.status == "scheduled" and article.publish_date is not None:
        return f"Scheduled for {_date_text(article.publish_date)}"
    if article.publish_date is not None:
        return f"Published {_date_text(article.publish_date)}"
    return "Published when pushed"


def _document(title: str, banner: str, content: str, context: PreviewContext) -> str:
    head = [
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_esc(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
    ]
    if context.refresh_seconds:
        head.append(f'<meta http-equiv="refresh" content="{int(context.refresh_seconds)}">')
    if context.base_url:
        head.append(f'<base href="{_esc(context.base_url.rstrip("/") + "/")}">')
    head.append(f"<title>Preview: {_esc(title)}</title>")
    head.append(f"<style>{STYLE}\n{theme_css()}</style>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n'
        + "\n".join(head)
        + "\n</head>\n<body>\n"
        + f'<p class="shopsync-preview-banner" role="status">{banner}</p>\n'
        + f"<main>\n{content}\n</main>\n</body>\n</html>\n"
    )


def _banner(kind: str, context: PreviewContext) -> str:
    source = f" from <code>{_esc(context.source)}</code>" if context.source else ""
    products = f"; products from {_esc(context.products_from)}" if context.products_from else ""
    return (
        f"PREVIEW of a{'n' if kind == 'article' else ''} {kind} "
        f"<small>rendered{source} by shopsync{products}; not the live store</small>"
    )


def render_article_preview(article: Article, context: PreviewContext | None = None) -> str:
    """The standalone preview page of ``article`` (deterministic: same input, same bytes)."""
    context = context or PreviewContext()
    # The sanitiser drops file:// URLs, so images go in as markers and come back after it.
    markers = {src: f"{IMAGE_MARKER}{n}" for n, src in enumerate(context.body_images)}
    body = render_article_body(
        article, products=list(context.products), disclaimer=context.disclaimer, images=markers
    )
    for src, marker in markers.items():
        body = body.replace(f'"{marker}"', f'"{_esc(context.body_images[src])}"')
    parts = []
    if context.notes:
        items = "".join(f"<li>{_esc(note)}</li>" for note in context.notes)
        parts.append(
            f'<aside class="shopsync-preview-notes" role="note"><strong>Before you push:'
            f"</strong><ul>{items}</ul></aside>"
        )
    parts += ['<article class="shopsync-article">', "<header>"]
    parts.append(f"<h1>{_esc(article.title)}</h1>")
    parts.append(
        f'<p class="meta"><span class="status">{_esc(status_text(article))}</span> · '
        f'by <span class="author">{_esc(article.author)}</span> · blog '
        f"<code>{_esc(article.blog)}</code> · handle <code>{_esc(article.handle)}</code></p>"
    )
    if article.tags:
        items = "".join(f"<li>{_esc(tag)}</li>" for tag in sorted(article.tags))
        parts.append(f'<ul class="tags" aria-label="Tags">{items}</ul>')
    summary = render_summary(article)
    if summary:
        parts.append(f'<div class="summary" aria-label="Summary">{summary}</div>')
    parts.append("</header>")
    if article.image is not None:
        src = context.image_url or article.image.src
        parts.append(
            f'<img class="featured-image" src="{_esc(src)}" alt="{_esc(article.image.alt)}">'
        )
    parts.append(f'<div class="body">\n{body}\n</div>')
    parts.append("</article>")
    return _document(article.title, _banner("article", context), "\n".join(parts), context)


def render_page_preview(page: Page, context: PreviewContext | None = None) -> str:
    """The standalone preview of a page (a disclaimer, usually)."""
    context = context or PreviewContext()
    visibility = "Published" if page.published else "Hidden: not visible on the store"
    content = (
        f'<article class="shopsync-page">\n<header>\n<h1>{_esc(page.title)}</h1>\n'
        f'<p class="meta"><span class="status">{visibility}</span> · handle '
        f"<code>{_esc(page.handle)}</code></p>\n</header>\n"
        f'<div class="body">\n{render_page_body(page)}\n</div>\n</article>'
    )
    return _document(page.title, _banner("page", context), content, context)


def render_problems_page(problems: Sequence[Problem], context: PreviewContext) -> str:
    """What ``--serve`` shows while the file is invalid (it recovers on the next save)."""
    items = "".join(
        f"<li>{_esc(problem.location())}: {_esc(problem.field + ': ' if problem.field else '')}"
        f"{_esc(problem.message)}"
        + (f"<br><small>hint: {_esc(problem.hint)}</small>" if problem.hint else "")
        + "</li>"
        for problem in problems
    )
    content = (
        "<h1>The file has problems</h1>\n<p>Fix them and save; this page reloads by itself.</p>"
        f'\n<ul class="problems">{items}</ul>'
    )
    return _document("problems", _banner("article", context), content, context)


def render_index(
    items: Sequence[Article | Page],
    context: PreviewContext,
    *,
    link: Callable[[Article | Page], str] | None = None,
) -> str:
    """A list of every previewable item, linking its preview (served path by default)."""
    link = link or storefront_path
    rows = []
    for item in items:
        kind = f"{item.status}, " if isinstance(item, Article) else "page, "
        rows.append(
            f'<li><a href="{_esc(link(item))}">{_esc(item.title)}</a> '
            f"<small>({_esc(kind + item.source_path)})</small></li>"
        )
    content = "<h1>Previews</h1>\n<ul>" + "".join(rows) + "</ul>"
    banner = "PREVIEW <small>rendered by shopsync; not the live store</small>"
    return _document("all articles", banner, content, context)


def storefront_path(item: Article | Page) -> str:
    """Where an item lives on a Shopify storefront (and on the preview server)."""
    return article_path(item) if isinstance(item, Article) else page_path(item)


def article_path(article: Article) -> str:
    """Where an article lives on a Shopify storefront (and on the preview server)."""
    return f"/blogs/{article.blog}/{article.handle}"


def page_path(page: Page) -> str:
    return f"/pages/{page.handle}"


def find_item(content: Content, wanted: str, *, root: Path) -> Article | Page | None:
    """An article or page by file path (as given, or repository-relative) or by handle."""
    as_path = Path(wanted)
    shown = display_path(as_path if as_path.is_absolute() else root / as_path, root)
    items: list[Article | Page] = [*content.articles, *content.pages]
    for item in items:
        if item.source_path in (shown, wanted):
            return item
    handle = as_path.stem if wanted.endswith(".md") else wanted
    matches = [a for a in content.articles if a.handle == handle]
    if not matches:
        matches_pages = [p for p in content.pages if p.handle == handle]
        return matches_pages[0] if matches_pages else None
    return matches[0]


def context_for(
    item: Article | Page,
    content: Content,
    *,
    root: Path,
    base_url: str | None = None,
    served: bool = False,
    refresh_seconds: int | None = None,
    catalogue: Catalogue | None = None,
) -> PreviewContext:
    """The preview context of one item of ``content`` (its products from ``catalogue``, its
    disclaimer, warnings).

    Repository images are shown from their files: ``file://`` URIs in a preview file, the
    preview server's ``/files/<path>`` when ``served``.
    """
    if isinstance(item, Page):
        return PreviewContext(
            source=item.source_path, base_url=base_url, refresh_seconds=refresh_seconds
        )

    def url_of(path: str) -> str:
        return "/files/" + path if served else (root / path).resolve().as_uri()

    image_url = None
    if item.image is not None and item.image.is_local:
        image_url = url_of(item.image.src)
    catalogue = catalogue or Catalogue()
    products, notes = featured(item, catalogue)
    return PreviewContext(
        products=products,
        products_from=catalogue.source,
        notes=(*catalogue.warnings, *notes, *claim_notes(content, item.source_path)),
        disclaimer=content.page(item.disclaimer) if item.disclaimer else None,
        source=item.source_path,
        image_url=image_url,
        body_images={src: url_of(path) for src, path in body_image_paths(item).items()},
        base_url=base_url,
        refresh_seconds=refresh_seconds,
    )


def with_findings(content: Content, *, root: Path) -> Content:
    """``content`` with the claim linter's findings, for the notes beside the article."""
    from shopsync.checks import claim_findings

    content.findings = claim_findings(content, root=root)
    return content


def claim_notes(content: Content, source: str) -> list[str]:
    """One file's claim findings as preview notes: where, the sentence, why, what to say."""
    notes = []
    for finding in content.findings:
        if finding.path != source:
            continue
        where = f"line {finding.line}: " if finding.line else ""
        if finding.suppressed:
            notes.append(
                f"{where}reviewed ({finding.rule}): “{finding.sentence}”: {finding.reason}"
            )
        else:
            notes.append(
                f"{where}{finding.rule}: “{finding.sentence}”: {finding.message} "
                f"({finding.source}); say instead: {finding.suggestion}"
            )
    return notes


def render_item(item: Article | Page, context: PreviewContext) -> str:
    if isinstance(item, Article):
        return render_article_preview(item, context)
    return render_page_preview(item, context)


def preview_file_name(item: Article | Page) -> str:
    if isinstance(item, Article):
        return f"{item.blog}--{item.handle}.html"
    return f"page--{item.handle}.html"


# ----------------------------------------------------------------------------- serving


@dataclass
class PreviewSite:
    """The previews of a content directory, re-read whenever a file changes."""

    paths: Sequence[Path]
    root: Path
    default_blog: str
    refresh_seconds: int = REFRESH_SECONDS
    #: The featured products of every reload's handles (``resolve_catalogue``, bound).
    products: Callable[[Sequence[str]], Catalogue] = lambda _handles: Catalogue()
    _signature: tuple[tuple[str, int, int], ...] | None = field(default=None, repr=False)
    _content: Content | None = field(default=None, repr=False)
    _catalogue: Catalogue = field(default_factory=Catalogue, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    loads: int = 0

    def _files(self) -> Iterator[Path]:
        for path in self.paths:
            if path.is_dir():
                yield from sorted(path.rglob("*.md"))
            elif path.exists():
                yield path

    def signature(self) -> tuple[tuple[str, int, int], ...]:
        """(path, mtime, size) of every content file: a change means reload."""
        rows = []
        for file in self._files():
            try:
                stat = file.stat()
            except OSError:
                continue
            rows.append((file.as_posix(), stat.st_mtime_ns, stat.st_size))
        return tuple(rows)

    def content(self) -> Content:
        return self.state()[0]

    def state(self) -> tuple[Content, Catalogue]:
        """The files and their products, both loaded again only when a file changed."""
        with self._lock:
            signature = self.signature()
            if self._content is None or signature != self._signature:
                content = with_findings(
                    load_content(list(self.paths), root=self.root, default_blog=self.default_blog),
                    root=self.root,
                )
                self._catalogue = self.products(wanted_handles(content.articles))
                self._content = content
                self._signature = signature
                self.loads += 1
            return self._content, self._catalogue

    def respond(self, path: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a request path."""
        content, catalogue = self.state()
        context = PreviewContext(refresh_seconds=self.refresh_seconds)
        if path in ("", "/", "/index.html"):
            page = render_index([*content.articles, *content.pages], context)
            return 200, "text/html; charset=utf-8", page.encode()
        for article in content.articles:
            if path == article_path(article):
                return self._item(article, content, catalogue)
        for page_item in content.pages:
            if path == page_path(page_item):
                return self._item(page_item, content, catalogue)
        if path.startswith("/products/"):
            handle = path.removeprefix("/products/")
            product = catalogue.products.get(handle)
            text = (
                f"<h1>{_esc(product.title if product else handle)}</h1><p>The product page "
                f"<code>/products/{_esc(handle)}</code> lives on the store.</p>"
            )
            return (
                200,
                "text/html; charset=utf-8",
                _document(handle, "PREVIEW", text, context).encode(),
            )
        if path.startswith("/files/"):
            return self._local_image(path.removeprefix("/files/"), content)
        # A broken article shows its problems instead of a 404 while it is being edited.
        broken = [p for p in content.problems if path.rstrip("/").endswith(Path(p.path).stem)]
        if broken:
            page = render_problems_page(broken, context)
            return 200, "text/html; charset=utf-8", page.encode()
        return 404, "text/plain; charset=utf-8", b"not found\n"

    def _item(
        self, item: Article | Page, content: Content, catalogue: Catalogue
    ) -> tuple[int, str, bytes]:
        context = context_for(
            item,
            content,
            root=self.root,
            served=True,
            refresh_seconds=self.refresh_seconds,
            catalogue=catalogue,
        )
        return 200, "text/html; charset=utf-8", render_item(item, context).encode()

    def _local_image(self, relative: str, content: Content) -> tuple[int, str, bytes]:
        # Only images that articles use are served: never an arbitrary file.
        allowed = {path for article in content.articles for path in image_paths(article)}
        if relative not in allowed:
            return 404, "text/plain; charset=utf-8", b"not found\n"
        file = self.root / relative
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        try:
            return 200, kind, file.read_bytes()
        except OSError:
            return 404, "text/plain; charset=utf-8", b"not found\n"

    def wsgi_app(self) -> Callable[..., Any]:
        from werkzeug.wrappers import Request, Response

        @Request.application
        def app(request: Request) -> Response:
            if request.method not in ("GET", "HEAD"):
                return Response("method not allowed\n", status=405)
            status, kind, body = self.respond(request.path)
            response = Response(body, status=status, content_type=kind)
            response.headers["Content-Security-Policy"] = CSP
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response

        return app


def make_preview_server(site: PreviewSite, port: int = 0) -> BaseWSGIServer:
    """A threaded server bound to 127.0.0.1 only; ``server.port`` is the port it got.

    OSError when the port is taken (the command turns it into a message with a hint).
    """
    from shopsync.loopback import serve_on

    return serve_on(LOOPBACK, port, site.wsgi_app())


# ------------------------------------------------------------------------ the command's work


@dataclass(frozen=True)
class Written:
    """One preview file written: which item (None for the index) and where, from the root,
    and what a plan would say of its featured products."""

    source: str | None
    handle: str | None
    path: Path
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "handle": self.handle,
            "path": self.path.as_posix(),
            "warnings": list(self.warnings),
        }


def base_url_of(shop: str | None) -> str | None:
    """Relative links of a file preview (/pages/x, /products/y) point at the shop, if known."""
    from shopsync.config import shop_base_url
    from shopsync.errors import ConfigError

    if not shop:
        return None
    try:
        return shop_base_url(shop)
    except ConfigError:
        return None


def content_paths(articles_dir: Path, target: str | None, *, root: Path) -> list[Path]:
    """What a preview loads: the articles directory, plus a file named outside it."""
    paths = [root / articles_dir]
    if target is not None and target.endswith(".md"):
        paths.append(root / target)
    return paths


def select(
    content: Content, target: str | None, *, root: Path, articles_dir: Path
) -> Article | Page | None:
    """The item ``target`` names (None: every item); an error saying why when it names none."""
    if target is None:
        return None
    item = find_item(content, target, root=root)
    if item is not None:
        return item
    own = [p for p in content.problems if Path(p.path).stem == Path(target).stem]
    if own:
        raise ContentError(own)
    raise ShopsyncError(
        f"no article or page {target!r} under {articles_dir.as_posix()}",
        hint="give a file path such as articles/my-post.md, or an article's handle",
    )


def write_previews(
    content: Content,
    item: Article | Page | None,
    *,
    root: Path,
    output: Path | None,
    base_url: str | None,
    catalogue: Catalogue | None = None,
) -> list[Written]:
    """One item's preview (to ``output`` if it ends in .html), or every item's and an index.

    ``catalogue`` has the featured products (``resolve_catalogue`` of ``wanted_handles``).
    """
    catalogue = catalogue or Catalogue()
    items: list[Article | Page] = [*content.articles, *content.pages]
    if item is not None:
        items = [item]
    directory = output or Path("preview")
    if output is not None and item is not None and output.suffix == ".html":
        targets = [output]
    else:
        targets = [directory / preview_file_name(x) for x in items]
    pages: list[tuple[Written, str]] = []
    for entry, path in zip(items, targets, strict=True):
        context = context_for(entry, content, root=root, base_url=base_url, catalogue=catalogue)
        notes = tuple(featured(entry, catalogue)[1]) if isinstance(entry, Article) else ()
        notes = (*notes, *claim_notes(content, entry.source_path))
        written_entry = Written(entry.source_path, entry.handle, path, notes)
        pages.append((written_entry, render_item(entry, context)))
    if item is None:
        index = render_index(items, PreviewContext(), link=preview_file_name)
        pages.append((Written(None, None, directory / "index.html"), index))
    for entry_written, text in pages:
        target = root / entry_written.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return [entry_written for entry_written, _text in pages]

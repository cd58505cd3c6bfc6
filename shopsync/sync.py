"""The sync in three calls, so the CLI (and ``demo``) stay thin.

    with connect(settings) as client:
        plan = build_plan(settings, client, paths, options, root=root)  # reads only
        result = push(settings, client, plan, on_progress=...)          # writes

``build_plan`` validates the files first (a ``ContentError`` before anything is sent), then
reads the store: one snapshot request (the API version and the token's scopes are checked
from it, then the featured products and images it resolved give the desired state), a cheap
scan of each blog, and the full articles only where the blog's index cannot vouch for them
(``admin.index``). Nothing here prints: the caller sees the loaded files (their problems and
warnings) through ``on_loaded``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from shopsync.admin.client import ShopifyClient
from shopsync.admin.index import IndexEntry, Reads, Signal, decide, untouched
from shopsync.admin.inputs import MetafieldNames
from shopsync.admin.remote import (
    RemoteItem,
    RemoteState,
    Snapshot,
    managed_in_blog,
    read_articles,
    read_snapshot,
    read_written,
    scan_blog,
)
from shopsync.apply import ApplyResult, Progress, apply_plan
from shopsync.checks import check_content, check_policies, checks_digest, lint_claims
from shopsync.config import Settings
from shopsync.content.loader import Content, display_path, load_content
from shopsync.desired import (
    DesiredItem,
    DesiredState,
    blog_handles,
    build_desired,
    product_handles,
    resolve_images,
)
from shopsync.errors import ConfigError, ContentError, ScopeError
from shopsync.plan import Plan, PlanOptions, PruneMode, make_plan, plan_definition
from shopsync.vocabulary import (
    READ_CONTENT,
    WRITE_CONTENT,
    content_digest,
    fingerprint,
    short_digest,
)

READ_PRODUCTS = ("read_products",)

#: Called with what was loaded, before anything is sent (the CLI prints problems from it).
ContentReporter = Callable[[Content], None]


def required_scopes(content: Content, *, write: bool) -> list[tuple[str, ...]]:
    """What the token needs to plan (or push) ``content``, each need the scopes any one of
    which will do: products only for featured products, files only for local images (the
    snapshot reads them only then)."""
    scopes: list[tuple[str, ...]] = [READ_CONTENT, WRITE_CONTENT] if write else [READ_CONTENT]
    if product_handles(content.articles):
        scopes.append(READ_PRODUCTS)
    if content.images:
        scopes.append(("write_files",) if write else ("read_files",))
    return scopes


def parse_prune(value: str | None) -> PruneMode | None:
    """``--prune`` / ``--prune=delete`` as given on the command line."""
    if value is None:
        return None
    if value == "unpublish":
        return "unpublish"
    if value == "delete":
        return "delete"
    raise ValueError(f"--prune takes unpublish or delete, not {value!r}")


def connect(settings: Settings, **client_options: Any) -> ShopifyClient:
    """A client for the configured store (``build_plan`` checks its API version first thing).

    Use it as a context manager so its connections are closed. ``client_options`` are
    ``ShopifyClient`` keywords (tests pass a fake ``sleep`` and ``clock``).
    """
    return ShopifyClient.from_settings(settings, **client_options)


def scope_of(paths: Sequence[Path], settings: Settings, *, root: Path) -> tuple[str, ...]:
    """The repository-relative paths a plan covers: where orphans may be looked for."""
    chosen = list(paths) or [settings.articles_dir]
    return tuple(display_path(p if p.is_absolute() else root / p, root) for p in chosen)


def load_valid_content(
    settings: Settings,
    paths: Sequence[Path],
    *,
    root: Path,
    now: datetime | None = None,
    on_loaded: ContentReporter | None = None,
    lint: bool = True,
) -> Content:
    """Load the files; any problem stops everything before the store is contacted.

    ``lint=False`` leaves the claim linter to the plan, which lints only what the blog's
    index cannot vouch for (``plan_content``).

    Relative paths (and the configured articles directory) are relative to ``root``, the
    repository, so the same settings work from any working directory.
    """
    wanted = [root / p for p in paths] or [root / settings.articles_dir]
    content = load_content(wanted, root=root, default_blog=settings.blog, now=now)
    if lint:
        check_content(content, root=root)
    else:
        check_policies(content, root=root)
    if on_loaded is not None:
        on_loaded(content)
    if not content.ok:
        raise ContentError(content.problems)
    return content


def names_of(settings: Settings) -> MetafieldNames:
    return MetafieldNames(
        product_namespace=settings.product_metafield_namespace,
        product_key=settings.product_metafield_key,
    )


def plan_content(
    settings: Settings,
    client: ShopifyClient,
    content: Content,
    options: PlanOptions,
    *,
    write: bool = False,
    lint_root: Path | None = None,
) -> Plan:
    """Read the store (snapshot, scans, what the indexes cannot vouch for) and plan: read-only.

    ``lint_root``: the claim linter reads every file but those the index vouches for (they
    were linted when pushed, with the same code and rules: both are in their inputs); its
    errors stop the plan before anything is planned, let alone written."""
    try:
        snapshot = _snapshot(client, settings, content)
    except ScopeError:
        # The store named what the snapshot lacked; name everything the run lacks at once.
        client.check_access(required_scopes(content, write=write))
        raise
    client.check_supported(snapshot.versions)
    client.note_scopes(snapshot.scopes)
    client.check_access(required_scopes(content, write=write))
    wanted_blogs = blog_handles(content.articles, settings.blog)
    scans = _scan_blogs(client, settings, snapshot, wanted_blogs)
    known = _known(snapshot, scans)
    checks = checks_digest(lint_root) if lint_root is not None else ""

    def desire(known: Mapping[str, tuple[str, str]]) -> DesiredState:
        return build_desired(
            content.articles,
            content.pages,
            products=snapshot.products,
            default_blog=settings.blog,
            blog_title=settings.blog_title,
            images=resolve_images(content.images, snapshot.files),
            known=known,
            checks=checks,
        )

    desired = desire(known)
    reads = _decide(snapshot, scans, desired, options)
    before = client.server_date  # the store's clock, already past when the reads go
    to_read = [a for r in reads.values() for a in r.to_read]
    to_read += _left_behind(client, snapshot, wanted_blogs)
    read = read_articles(client, to_read, **_names(settings))
    settled = {article.id for article in read if _written_before(article, before)}
    unrendered = _unrendered_matches(desired, read)
    if unrendered:  # an article read in full pairs with one left unrendered: render it after all
        desired = desire({k: v for k, v in known.items() if k not in unrendered})
    if lint_root is not None:
        _lint_unvouched(content, desired, lint_root)
    articles, vouched = _with_vouched(read, reads, desired)
    remote = RemoteState(
        blogs=snapshot.blog_ids,
        articles=tuple(articles),
        pages=snapshot.pages,
        indexes=snapshot.indexes,
    )
    definitions = []
    if snapshot.definition_read and any(
        d.ok and d.fields.get("featured_products") for d in desired.articles
    ):
        definition = plan_definition(settings.product_metafield, snapshot.product_definition)
        definitions += [definition] if definition is not None else []
    plan = make_plan(desired, remote, options, definitions=definitions)
    plan = _with_written(client, plan)
    return replace(plan, index=_vouched_index(plan, remote, vouched, settled))


def _lint_unvouched(content: Content, desired: DesiredState, root: Path) -> None:
    """Lint every file but the articles left unrendered (the index vouches for them); a
    claim that is an error stops the plan, with the files' other problems."""
    vouched = {item.source for item in desired.articles if not item.rendered}
    lint_claims(content, root=root, only=lambda source: source not in vouched)
    if not content.ok:
        raise ContentError(content.problems)


def _with_written(client: ShopifyClient, plan: Plan) -> Plan:
    """Conflicts with what shopsync last wrote beside them (one read, only when there are
    any), so the plan shows what the admin changed, not only how the store differs."""
    ids = [item.id for item in plan.of_kind("conflict") if item.id is not None]
    if not ids:
        return plan
    written = read_written(client, ids)
    items = tuple(
        replace(item, written=written[item.id])
        if item.kind == "conflict" and item.id in written
        else item
        for item in plan.items
    )
    return replace(plan, items=items)


def _snapshot(client: ShopifyClient, settings: Settings, content: Content) -> Snapshot:
    handles = product_handles(content.articles)
    filenames = [image.filename for image in content.images.values()]
    try:
        return read_snapshot(
            client, product_handles=handles, filenames=filenames, **_names(settings)
        )
    except ConfigError:
        client.check_api_version()  # a version the store does not serve at all: say which it does
        raise


def _scan_blogs(
    client: ShopifyClient, settings: Settings, snapshot: Snapshot, blogs: Sequence[str]
) -> dict[str, list[Signal]]:
    """Each existing blog the files want, listed cheaply (no bodies)."""
    scans: dict[str, list[Signal]] = {}
    for blog in blogs:
        blog_id = snapshot.blog_ids.get(blog)
        if blog_id is not None:
            scans[blog] = scan_blog(client, blog_id, **_names(settings))
    return scans


def _left_behind(client: ShopifyClient, snapshot: Snapshot, wanted: Sequence[str]) -> list[str]:
    """shopsync's articles in the blogs no file wants: a file moved to another blog (or
    deleted) left its article there, to be matched by its file (a move, never a second
    article) or reported as an orphan. The other articles of those blogs are not read."""
    ids: list[str] = []
    for blog, blog_id in sorted(snapshot.blog_ids.items()):
        if blog not in wanted:
            ids += managed_in_blog(client, blog_id)
    return ids


def _names(settings: Settings) -> dict[str, str]:
    return {
        "product_namespace": settings.product_metafield_namespace,
        "product_key": settings.product_metafield_key,
    }


def _known(snapshot: Snapshot, scans: Mapping[str, list[Signal]]) -> dict[str, tuple[str, str]]:
    """Per file, the (inputs, digest) its untouched article was rendered from and written as."""
    known: dict[str, tuple[str, str]] = {}
    for blog, signals in scans.items():
        entries = snapshot.indexes[blog].entries
        for signal in signals:
            entry = entries.get(signal.id)
            if entry is not None and entry.source and entry.inputs and untouched(signal, entry):
                known[entry.source] = (entry.inputs, entry.digest)
    return known


def _decide(
    snapshot: Snapshot,
    scans: Mapping[str, list[Signal]],
    desired: DesiredState,
    options: PlanOptions,
) -> dict[str, Reads]:
    """Per blog, which articles its index vouches for and which must be read in full."""
    reads: dict[str, Reads] = {}
    for blog, signals in scans.items():
        wanted = [d for d in desired.articles if d.blog == blog and d.ok]
        reads[blog] = decide(
            signals,
            snapshot.indexes[blog].entries,
            wanted={d.source: d.digest for d in wanted},
            wanted_handles=frozenset(d.handle for d in wanted),
            adopt=options.adopt,
            in_scope=options.in_scope,
        )
    return reads


def _unrendered_matches(desired: DesiredState, read: Sequence[RemoteItem]) -> set[str]:
    """Files left unrendered whose article (by file or by handle) was read in full."""
    sources = {a.source for a in read if a.source}
    handles = {(a.blog, a.handle) for a in read}
    return {
        d.source
        for d in desired.articles
        if not d.rendered and (d.source in sources or (d.blog, d.handle) in handles)
    }


def _with_vouched(
    read: list[RemoteItem], reads: Mapping[str, Reads], desired: DesiredState
) -> tuple[list[RemoteItem], dict[str, list[IndexEntry]]]:
    """The articles read, and those the indexes vouch for (what their files want, no body)."""
    articles = list(read)
    vouched: dict[str, list[IndexEntry]] = {}
    for blog, outcome in reads.items():
        wanted = {d.source: d for d in desired.articles if d.blog == blog and d.ok}
        articles += [_vouched_item(blog, s, e, wanted) for s, e in outcome.vouched]
        # What the files render from now, for the next plan (same digest, so same content).
        vouched[blog] = [
            replace(entry, inputs=wanted[entry.source].inputs) if entry.source in wanted else entry
            for _signal, entry in outcome.vouched
        ]
    return articles, vouched


def _written_before(article: RemoteItem, before: datetime | None) -> bool:
    """Last written in a second that had ended when it was read: an edit after the read gets
    a later ``updatedAt``. (One in the read's own second could carry the same whole-second
    ``updatedAt`` as what the read saw: such an article is not recorded, the next plan reads
    it again.)"""
    if before is None or not article.updated_at:
        return False
    try:
        written = datetime.fromisoformat(article.updated_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    return written.tzinfo is not None and written < before


def _vouched_item(
    blog: str, signal: Any, entry: IndexEntry, wanted: dict[str, DesiredItem]
) -> RemoteItem:
    """An untouched article as the index vouches for it: what its file wants (no download)."""
    want = wanted.get(entry.source or "")
    fields = dict(want.fields) if want is not None and entry.source is not None else {}
    return RemoteItem(
        resource="article",
        id=signal.id,
        handle=signal.handle,
        fields=fields,
        blog=blog,
        source=entry.source,
        recorded_fingerprint=fingerprint(fields) if fields else None,
        recorded_digest=content_digest(fields) if fields else None,
        updated_at=signal.updated_at,
        meta=signal.meta,
    )


def _vouched_index(
    plan: Plan,
    remote: RemoteState,
    vouched: dict[str, list[IndexEntry]],
    settled: set[str],
) -> dict[str, tuple[IndexEntry, ...]]:
    """Per blog, the entries the plan vouches for: the index's, and what it read and found
    untouched since shopsync wrote it (never an admin-edited article: it stays a conflict),
    if it was read in a later second than it was written (``settled``)."""
    kept = {e.id for entries in vouched.values() for e in entries}
    planned = {item.remote.id: item for item in plan.items if item.remote is not None}
    index: dict[str, list[IndexEntry]] = {blog: list(e) for blog, e in vouched.items()}
    for article in remote.articles:
        if article.id in kept or article.id not in settled:
            continue
        if article.updated_at is None or article.meta is None:
            continue
        entry = _entry_for(article, planned.get(article.id))
        if entry is not None and article.blog is not None:
            index.setdefault(article.blog, []).append(entry)
    return {blog: tuple(entries) for blog, entries in index.items()}


def _entry_for(article: RemoteItem, item: Any) -> IndexEntry | None:
    assert article.updated_at is not None and article.meta is not None
    if item is None:  # not the plan's business: another app's, or outside the plan's paths
        if not article.managed:
            return IndexEntry(article.id, article.updated_at, "", article.meta, None)
        if article.drifted or article.recorded_digest is None:
            return None
        digest = short_digest(article.recorded_digest)
        return IndexEntry(article.id, article.updated_at, digest, article.meta, article.source)
    if item.kind != "unchanged" or item.desired is None or article.drifted:
        return None  # written by the push (it records its own), or not to be trusted
    desired = item.desired
    return IndexEntry(
        article.id, article.updated_at, desired.digest, article.meta, desired.source, desired.inputs
    )


def build_plan(
    settings: Settings,
    client: ShopifyClient,
    paths: Sequence[Path] = (),
    options: PlanOptions | None = None,
    *,
    root: Path,
    write: bool = False,
    now: datetime | None = None,
    on_loaded: ContentReporter | None = None,
) -> Plan:
    """Validate ``paths`` (default: the articles directory) and plan them against the store.

    ``write``: the token must be allowed to push the plan too (scopes are checked first).
    Orphans are looked for only among items whose source lies under ``paths``.
    """
    content = load_valid_content(
        settings, paths, root=root, now=now, on_loaded=on_loaded, lint=False
    )
    scoped = replace(options or PlanOptions(), scope=scope_of(paths, settings, root=root))
    plan = plan_content(settings, client, content, scoped, write=write, lint_root=root)
    return replace(plan, reviewed=tuple(finding.to_dict() for finding in content.reviewed))


def push(
    settings: Settings,
    client: ShopifyClient,
    plan: Plan,
    *,
    on_progress: Progress | None = None,
) -> ApplyResult:
    """Apply ``plan``; failures are per item in the result (see ``ApplyResult.ok``).

    Every wait (for files Shopify is still processing, as for the store's rate limit) uses
    the client's ``sleep`` and ``clock``: a client built with a fake pair never sleeps.
    """
    return apply_plan(
        plan,
        client,
        names=names_of(settings),
        max_workers=settings.max_in_flight,
        on_progress=on_progress,
        sleep=client.sleep,
        clock=client.clock,
    )

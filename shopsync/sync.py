"""The sync in three calls, so the CLI (and ``demo``) stay thin.

    with connect(settings) as client:                                   # checks the version
        plan = build_plan(settings, client, paths, options, root=root)  # reads only
        result = push(settings, client, plan, on_progress=...)          # writes

``build_plan`` validates the files first (a ``ContentError`` before anything is sent),
checks the token's scopes, then resolves featured products and images, renders the
desired state, reads the store once and plans. Nothing here prints: the caller sees the
loaded files (their problems and warnings) through ``on_loaded``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from shopsync.admin.client import ShopifyClient
from shopsync.admin.inputs import MetafieldNames
from shopsync.admin.remote import fetch_files, fetch_products, fetch_state
from shopsync.apply import ApplyResult, Progress, apply_plan
from shopsync.config import Settings
from shopsync.content.loader import Content, display_path, load_content
from shopsync.desired import build_desired, product_handles, resolve_images
from shopsync.errors import ContentError
from shopsync.plan import Plan, PlanOptions, PruneMode, make_plan

READ_SCOPES: tuple[str, ...] = ("read_content", "read_products")
WRITE_SCOPES: tuple[str, ...] = ("read_content", "write_content", "read_products")

#: Called with what was loaded, before anything is sent (the CLI prints problems from it).
ContentReporter = Callable[[Content], None]


def required_scopes(content: Content, *, write: bool) -> list[str]:
    """The token's scopes a plan (or push) of ``content`` needs: files only for local images."""
    scopes = list(WRITE_SCOPES if write else READ_SCOPES)
    if content.images:
        scopes.append("write_files" if write else "read_files")
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
    """A client for the configured store, whose API version the store still serves.

    Use it as a context manager so its connections are closed. ``client_options`` are
    ``ShopifyClient`` keywords (tests pass a fake ``sleep`` and ``clock``).
    """
    client = ShopifyClient.from_settings(settings, **client_options)
    try:
        client.check_api_version()
    except BaseException:
        client.close()
        raise
    return client


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
) -> Content:
    """Load the files; any problem stops everything before the store is contacted.

    Relative paths (and the configured articles directory) are relative to ``root``, the
    repository, so the same settings work from any working directory.
    """
    wanted = [root / p for p in paths] or [root / settings.articles_dir]
    content = load_content(wanted, root=root, default_blog=settings.blog, now=now)
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
    settings: Settings, client: ShopifyClient, content: Content, options: PlanOptions
) -> Plan:
    """Resolve products and images, render, read the store, plan: read-only."""
    products = fetch_products(client, product_handles(content.articles))
    files = fetch_files(client, [image.filename for image in content.images.values()])
    desired = build_desired(
        content.articles,
        content.pages,
        products=products,
        default_blog=settings.blog,
        blog_title=settings.blog_title,
        images=resolve_images(content.images, files),
    )
    remote = fetch_state(
        client,
        blogs=desired.blogs,
        product_namespace=settings.product_metafield_namespace,
        product_key=settings.product_metafield_key,
    )
    return make_plan(desired, remote, options)


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
    content = load_valid_content(settings, paths, root=root, now=now, on_loaded=on_loaded)
    client.check_access(required_scopes(content, write=write))
    scoped = replace(options or PlanOptions(), scope=scope_of(paths, settings, root=root))
    return plan_content(settings, client, content, scoped)


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

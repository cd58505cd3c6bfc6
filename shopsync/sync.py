"""The sync in three calls, so the CLI (and ``demo``) stay thin.

    prepared = build_plan(settings, client, paths, SyncOptions(...))   # reads only
    result = push(settings, client, prepared.plan, on_progress=...)     # writes

``build_plan`` validates the files first (a ``ContentError`` before anything is sent),
then resolves featured products, renders the desired state, reads the store once and
plans. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from shopsync.admin.inputs import MetafieldNames
from shopsync.admin.remote import RemoteState, fetch_files, fetch_products, fetch_state
from shopsync.apply import ApplyResult, Progress, apply_plan
from shopsync.content.loader import Content, display_path, load_content
from shopsync.desired import DesiredState, build_desired, product_handles, resolve_images
from shopsync.errors import ContentError
from shopsync.plan import Plan, PlanOptions, PruneMode, make_plan

if TYPE_CHECKING:
    from shopsync.admin.client import ShopifyClient
    from shopsync.config import Settings

READ_SCOPES: tuple[str, ...] = ("read_content", "read_products")
WRITE_SCOPES: tuple[str, ...] = ("read_content", "write_content", "read_products")


def required_scopes(content: Content, *, write: bool) -> list[str]:
    """The token's scopes a plan (or push) of ``content`` needs: files only for local images."""
    scopes = list(WRITE_SCOPES if write else READ_SCOPES)
    if content.images:
        scopes.append("write_files" if write else "read_files")
    return scopes


@dataclass(frozen=True)
class SyncOptions:
    force: bool = False
    adopt: bool = False
    prune: PruneMode | None = None


@dataclass(frozen=True)
class Prepared:
    """A plan and what it was made from (for reports and the ``demo`` command)."""

    content: Content
    desired: DesiredState
    remote: RemoteState
    plan: Plan


def parse_prune(value: str | None) -> PruneMode | None:
    """``--prune`` / ``--prune=delete`` as given on the command line."""
    if value is None:
        return None
    if value == "unpublish":
        return "unpublish"
    if value == "delete":
        return "delete"
    raise ValueError(f"--prune takes unpublish or delete, not {value!r}")


def scope_of(paths: Sequence[Path], settings: Settings, *, root: Path) -> list[str]:
    """The repository-relative paths a plan covers: where orphans may be looked for."""
    chosen = list(paths) or [settings.articles_dir]
    return [display_path(p if p.is_absolute() else root / p, root) for p in chosen]


def load_valid_content(
    settings: Settings, paths: Sequence[Path], *, root: Path, now: datetime | None = None
) -> Content:
    """Load the files; any problem stops everything before the store is contacted.

    Relative paths (and the configured articles directory) are relative to ``root``, the
    repository, so the same settings work from any working directory.
    """
    wanted = [root / p for p in paths] or [root / settings.articles_dir]
    content = load_content(wanted, root=root, default_blog=settings.blog, now=now)
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
    options: SyncOptions,
    *,
    scope: Sequence[str] | None = None,
) -> Prepared:
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
    plan_options = PlanOptions(
        force=options.force,
        adopt=options.adopt,
        prune=options.prune,
        scope=tuple(scope) if scope is not None else None,
    )
    return Prepared(
        content=content,
        desired=desired,
        remote=remote,
        plan=make_plan(desired, remote, plan_options),
    )


def build_plan(
    settings: Settings,
    client: ShopifyClient,
    paths: Sequence[Path],
    options: SyncOptions | None = None,
    *,
    root: Path | None = None,
    now: datetime | None = None,
) -> Prepared:
    """Validate ``paths`` (default: the articles directory) and plan them against the store.

    Orphans are looked for only among items whose source lies under ``paths``.
    """
    root = root or Path.cwd()
    content = load_valid_content(settings, paths, root=root, now=now)
    scope = scope_of(paths, settings, root=root)
    return plan_content(settings, client, content, options or SyncOptions(), scope=scope)


def push(
    settings: Settings,
    client: ShopifyClient,
    plan: Plan,
    *,
    on_progress: Progress | None = None,
) -> ApplyResult:
    """Apply ``plan``; failures are per item in the result (see ``ApplyResult.ok``)."""
    return apply_plan(
        plan,
        client,
        names=names_of(settings),
        max_workers=settings.max_in_flight,
        on_progress=on_progress,
    )

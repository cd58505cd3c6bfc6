"""The demo: a whole sync of ``articles/`` against an embedded sandbox store.

It is what a newcomer runs first, so it needs nothing: no store, no token, no ``.env``. It starts
the sandbox (seeded like a new store, with its products), pushes the files through exactly the
code a real sync uses, plans again to show nothing is left to do, and says where to look.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from shopsync.apply import ApplyResult, Progress
from shopsync.config import Settings
from shopsync.plan import Plan
from shopsync.sandbox import SandboxServer
from shopsync.sync import build_plan, connect, push


@dataclass(frozen=True)
class DemoRun:
    sandbox_url: str
    first_plan: Plan
    result: ApplyResult
    second_plan: Plan
    article_urls: dict[str, str]  # "blog/handle" -> storefront URL
    featured_url: str | None  # the first live article: the one to open

    @property
    def ok(self) -> bool:
        return (
            self.result.ok and not self.second_plan.has_changes and not self.second_plan.has_errors
        )


def sandbox_settings(server: SandboxServer, settings: Settings) -> Settings:
    """The user's content settings (blog, folder, metafield), pointed at the sandbox only."""
    return settings.model_copy(
        update={
            "shop": server.url,
            "access_token": SecretStr(server.config.access_token),
            "client_id": None,
            "client_secret": None,
        }
    )


def run_demo(
    server: SandboxServer,
    settings: Settings,
    *,
    root: Path,
    on_progress: Progress | None = None,
    **client_options: Any,
) -> DemoRun:
    """Plan, push and plan again against a running sandbox; raises on invalid content.

    ``client_options`` go to the client (tests pass a fake ``sleep`` and ``clock``).
    """
    settings = sandbox_settings(server, settings)
    with connect(settings, **client_options) as client:
        first = build_plan(settings, client, root=root, write=True)
        result = push(settings, client, first, on_progress=on_progress)
        second = build_plan(settings, client, root=root)
    urls: dict[str, str] = {}
    featured: str | None = None
    for item in first.items:
        if item.resource != "article" or item.desired is None:
            continue
        url = f"{server.url}/blogs/{item.blog}/{item.handle}"
        urls[f"{item.blog}/{item.handle}"] = url
        if featured is None and item.desired.fields.get("is_published"):
            featured = url
    return DemoRun(server.url, first, result, second, urls, featured)

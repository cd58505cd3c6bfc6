"""Shared fixtures. Keep each one small and documented; add yours with a short edit.

``sandbox``: a fresh sandbox store (default config: token ``shpat_sandbox``, Standard-plan
bucket) on a free loopback port, stopped after the test. ``sandbox.url`` is the shop URL
(``SHOPSYNC_SHOP``), ``sandbox.config.access_token`` the token.

``sandbox_factory``: for tests that need another config, ``sandbox_factory(bucket=50,
restore_rate=10)`` or ``sandbox_factory(db_path=tmp_path / "s.db")``; every server it
started is stopped at the end of the test.

``cli``: runs ``shopsync -C <tmp_path> ...`` in process with a clean ``SHOPSYNC_*``
environment (``tests/cli_support.py``); ``cli.for_store(sandbox)`` adds the sandbox's
shop URL and token, ``cli.at(path)`` another repository.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .cli_support import Cli

if TYPE_CHECKING:
    from shopsync.sandbox import SandboxServer

SandboxFactory = Callable[..., "SandboxServer"]


@pytest.fixture
def sandbox_factory() -> Iterator[SandboxFactory]:
    from shopsync.sandbox import SandboxConfig, SandboxServer

    started: list[SandboxServer] = []

    def make(*, db_path: Path | None = None, **config: Any) -> SandboxServer:
        server = SandboxServer(SandboxConfig(**config), db_path=db_path)
        started.append(server)
        return server.start()

    try:
        yield make
    finally:
        for server in reversed(started):
            server.stop()


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> SandboxServer:
    return sandbox_factory()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(root=tmp_path)

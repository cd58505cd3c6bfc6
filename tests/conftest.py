"""Shared fixtures. Keep each one small and documented; add yours with a short edit.

``sandbox``: a fresh sandbox store (default config: token ``shpat_sandbox``, Standard-plan
bucket) on a free loopback port, stopped after the test. ``sandbox.url`` is the shop URL
(``SHOPSYNC_SHOP``), ``sandbox.config.access_token`` the token.

``sandbox_factory``: for tests that need another config, ``sandbox_factory(bucket=50,
restore_rate=10)`` or ``sandbox_factory(db_path=tmp_path / "s.db")``; every server it
started is stopped at the end of the test.

Search lags writes, as on Shopify: every sandbox these fixtures start has a search lag of
``SEARCH_LAG_MS`` (of the store's clock: a test on ``StoreTime`` passes it when the client
sleeps, never really waiting). ``@pytest.mark.search_lag(ms, reason="...")`` sets another for
a test, ``sandbox_factory(search_lag_ms=...)`` for one server; ``0`` needs its reason.

``cli``: runs ``shopsync -C <tmp_path> ...`` in process with a clean ``SHOPSYNC_*``
environment (``tests/cli_support.py``); ``cli.for_store(sandbox)`` adds the sandbox's
shop URL and token, ``cli.at(path)`` another repository.

For the sync's end-to-end tests (``tests/sync_helpers.py`` has the rest):

``settings``: Settings for ``sandbox`` only. ``store_time``: one fake time for the sandbox
store and the client (``StoreTime``). ``client``: a client for ``sandbox`` on that time.
``repo``: ``tmp_path`` holding three articles and the disclaimer page (``write_content``).
``store``: the store read and edited from outside (``Store``). ``store_cli``: ``shopsync -C
<repo> ...`` against ``sandbox``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .cli_support import Cli

if TYPE_CHECKING:
    from shopsync.admin.client import ShopifyClient
    from shopsync.config import Settings
    from shopsync.sandbox import SandboxServer

    from .sync_helpers import Store, StoreTime

SandboxFactory = Callable[..., "SandboxServer"]

#: How far search is behind the writes in every test's sandbox, in ms of the store's clock.
SEARCH_LAG_MS = 300.0


def search_lag_of(request: pytest.FixtureRequest) -> float:
    """The test's ``search_lag`` marker, or ``SEARCH_LAG_MS``; no lag without a reason."""
    marker = request.node.get_closest_marker("search_lag")
    if marker is None:
        return SEARCH_LAG_MS
    lag = float(marker.args[0])
    if lag <= 0 and not marker.kwargs.get("reason"):
        raise pytest.UsageError(f"{request.node.nodeid}: search_lag(0) needs a reason=")
    return lag


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DD",
        default=None,
        help="run as if today were this date (the process's clocks travel there and tick on): "
        "no test and no sample may depend on the real date (.ci/run passes a later one)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """``--today``: every worker travels (time-machine moves time.time, datetime.now...)."""
    today = config.getoption("--today")
    if today:
        import time_machine

        traveller = time_machine.travel(f"{today}T12:00:00+00:00", tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)
        # Subprocesses (the CLI in the workflow and terminal tests) travel too.
        os.environ["TESTS_TODAY"] = today
        travel = str(Path(__file__).parent / "timetravel")
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (travel, os.environ.get("PYTHONPATH")) if p
        )


@pytest.fixture
def sandbox_factory(request: pytest.FixtureRequest) -> Iterator[SandboxFactory]:
    from shopsync.sandbox import SandboxConfig, SandboxServer

    started: list[SandboxServer] = []
    lag = search_lag_of(request)

    def make(*, db_path: Path | None = None, **config: Any) -> SandboxServer:
        config.setdefault("search_lag_ms", lag)
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


# ----------------------------------------------------------------- the sync, end to end


@pytest.fixture
def settings(sandbox: SandboxServer) -> Settings:
    from .sync_helpers import sandbox_settings

    return sandbox_settings(sandbox)


@pytest.fixture
def store_time(sandbox: SandboxServer) -> StoreTime:
    from .sync_helpers import StoreTime

    return StoreTime(sandbox)


@pytest.fixture
def client(settings: Settings, store_time: StoreTime) -> Iterator[ShopifyClient]:
    """A client on the store's fake time: waits for processing and retries take none."""
    with store_time.client(settings) as client:
        yield client


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    from .sync_helpers import write_content

    write_content(tmp_path)
    return tmp_path


@pytest.fixture
def store(client: ShopifyClient, settings: Settings) -> Store:
    from .sync_helpers import Store

    return Store(client, settings)


@pytest.fixture
def store_cli(cli: Cli, sandbox: SandboxServer, repo: Path) -> Cli:
    """``shopsync -C <repo> ...`` against this test's sandbox store."""
    return cli.at(repo).for_store(sandbox)

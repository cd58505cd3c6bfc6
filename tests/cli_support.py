"""One way for every test to run the ``shopsync`` command line.

In process (click's ``CliRunner``), in the repository named by ``-C`` (never by changing
the working directory), with none of the developer's ``SHOPSYNC_*`` variables leaking in.
The ``cli`` fixture of ``conftest.py`` gives one rooted at the test's ``tmp_path``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner, Result

from shopsync.cli import main

if TYPE_CHECKING:
    from shopsync.sandbox import SandboxServer


@dataclass(frozen=True)
class Cli:
    root: Path
    env: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        """``shopsync -C <root> ARGS...``; the result has ``exit_code``, ``stdout``, ``stderr``."""
        unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("SHOPSYNC_")}
        merged: dict[str, str | None] = {**unset, "NO_COLOR": "1", **self.env, **(env or {})}
        return CliRunner().invoke(
            main, ["-C", str(self.root), *args], env=merged, catch_exceptions=False
        )

    def at(self, root: Path) -> Cli:
        """The same settings, in another repository."""
        return replace(self, root=root)

    def with_env(self, **env: str) -> Cli:
        return replace(self, env={**self.env, **env})

    def for_store(self, sandbox: SandboxServer) -> Cli:
        """Pointed at a sandbox store with its token, as a user's .env would be."""
        return self.with_env(
            SHOPSYNC_SHOP=sandbox.url, SHOPSYNC_ACCESS_TOKEN=sandbox.config.access_token
        )

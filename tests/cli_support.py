"""One way for every test to run the ``shopsync`` command line.

In process (click's ``CliRunner``), in the repository named by ``-C`` (never by changing
the working directory), with none of the developer's ``SHOPSYNC_*`` variables leaking in.
The ``cli`` fixture of ``conftest.py`` gives one rooted at the test's ``tmp_path``.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner, Result

from shopsync.cli import main

if TYPE_CHECKING:
    from shopsync.sandbox import SandboxServer


#: How shopsync's yes/no questions end (push's approval), where the terminal types an answer.
PROMPT_END = b"Only 'yes' is accepted: "


@dataclass(frozen=True)
class Terminal:
    """What a run on a pseudo-terminal showed (stdout and stderr as one screen)."""

    exit_code: int
    screen: str


@dataclass(frozen=True)
class Cli:
    root: Path
    env: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        """``shopsync -C <root> ARGS...``; the result has ``exit_code``, ``stdout``, ``stderr``."""
        unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("SHOPSYNC_")}
        # The tests' own CI must not switch output to annotations, nor move their paths.
        unset.update({"GITHUB_ACTIONS": None, "GITHUB_WORKSPACE": None})
        merged: dict[str, str | None] = {**unset, "NO_COLOR": "1", **self.env, **(env or {})}
        return CliRunner().invoke(
            main, ["-C", str(self.root), *args], env=merged, catch_exceptions=False
        )

    def on_terminal(self, *args: str, answer: str | None = None, timeout: float = 60.0) -> Terminal:
        """``shopsync -C <root> ARGS...`` in a child process whose stdin and stdout are a
        pseudo-terminal, as a person would run it; ``answer`` is typed at the first prompt."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")}
        env.update({"NO_COLOR": "1", "CI": "", "COLUMNS": "120", **self.env})
        leader, follower = pty.openpty()
        child = subprocess.Popen(
            [sys.executable, "-m", "shopsync", "-C", str(self.root), *args],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=env,
            close_fds=True,
        )
        os.close(follower)
        screen, typed = b"", answer is None
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([leader], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(leader, 4096)
                    except OSError:  # the child closed the terminal (Linux answers EIO)
                        break
                    if not chunk:
                        break
                    screen += chunk
                if not typed and PROMPT_END in screen:
                    os.write(leader, (answer or "").encode() + b"\r")
                    typed = True
                if not ready and child.poll() is not None:
                    break
            else:
                child.kill()
                raise AssertionError(f"shopsync {' '.join(args)} did not finish: {screen!r}")
            return Terminal(child.wait(timeout=10), screen.decode().replace("\r\n", "\n"))
        finally:
            os.close(leader)

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

"""``shopsync sandbox``: help, refusal of non-loopback hosts, and a real start/stop."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner

from shopsync.sandbox.cli import sandbox_command


def test_help_has_examples_and_every_option() -> None:
    result = CliRunner().invoke(sandbox_command, ["--help"])
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output
    assert "shopsync sandbox --port 8787 --db sandbox.db" in result.output
    for option in (
        "--host",
        "--port",
        "--db",
        "--products",
        "--empty",
        "--bucket",
        "--restore-rate",
        "--latency-ms",
        "--search-lag-ms",
        "--token",
    ):
        assert option in result.output
    assert "SHOPSYNC_SANDBOX_TOKEN" in result.output


def test_non_loopback_host_is_refused() -> None:
    result = CliRunner().invoke(sandbox_command, ["--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "loopback" in result.output


@dataclass
class Child:
    """``shopsync sandbox`` in a subprocess; its stdout is read by a thread of its own."""

    proc: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    pump: threading.Thread | None = None

    def __post_init__(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None

        def pump() -> None:
            for line in stdout:
                self.lines.put(line)

        self.pump = threading.Thread(target=pump, daemon=True)
        self.pump.start()

    def read_until(self, pattern: str, timeout: float = 30.0) -> str:
        """Its stdout up to a line matching ``pattern`` (never blocks past ``timeout``)."""
        seen = ""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            seen += line
            if re.search(pattern, line):
                return seen
        raise AssertionError(f"no {pattern!r} in the sandbox's output: {seen!r}")

    def stop(self) -> str:
        """Ctrl-C, then its stderr; it must have stopped cleanly."""
        self.proc.send_signal(signal.SIGINT)
        stderr = self.proc.stderr.read() if self.proc.stderr else ""
        self.proc.wait(timeout=30)
        self.close()
        assert self.proc.returncode == 0, stderr
        assert "Sandbox stopped." in stderr
        assert "Traceback" not in stderr
        return stderr

    def close(self) -> None:
        """Kill it if it still runs, and close its pipes once the reader is done."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.pump is not None:
            self.pump.join(timeout=10)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


def _start(args: list[str], token: str) -> tuple[Child, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SHOPSYNC_SANDBOX_TOKEN": token}
    child = Child(
        subprocess.Popen(
            [sys.executable, "-m", "shopsync.sandbox.cli", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
    )
    output = child.read_until(r"SHOPSYNC_ACCESS_TOKEN=")
    match = re.search(r"SHOPSYNC_SHOP=(http://127\.0\.0\.1:\d+)", output)
    assert match, output
    assert token not in output  # a custom token is not echoed
    return child, match.group(1)


def _graphql(url: str, token: str, query: str, variables: dict[str, object] | None = None) -> Any:
    response = requests.post(
        f"{url}/admin/api/2026-07/graphql.json",
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


BLOG_CREATE = "mutation($b: BlogCreateInput!) { blogCreate(blog: $b) { blog { handle } } }"


def test_starts_serves_keeps_state_in_db_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    token = "shpat_cli_test"
    db = tmp_path / "sandbox.db"
    products = tmp_path / "products.json"
    products.write_text(
        json.dumps({"products": [{"handle": "cli-widget", "title": "CLI Widget"}]}),
        encoding="utf-8",
    )
    args = ["--db", str(db), "--products", str(products), "--bucket", "500", "--restore-rate", "25"]
    args += ["--search-lag-ms", "600000"]  # ten minutes: search misses the blog made below
    child, url = _start(args, token)
    try:
        scopes = _graphql(url, token, "{ currentAppInstallation { accessScopes { handle } } }")
        assert scopes["data"]["currentAppInstallation"]["accessScopes"]
        throttle = scopes["extensions"]["cost"]["throttleStatus"]
        assert (throttle["maximumAvailable"], throttle["restoreRate"]) == (500, 25)
        created = _graphql(url, token, BLOG_CREATE, {"b": {"title": "Kept", "handle": "kept"}})
        assert created["data"]["blogCreate"]["blog"]["handle"] == "kept"
        searched = _graphql(
            url, token, '{ blogs(first: 5, query: "handle:kept") { nodes { id } } }'
        )
        assert searched["data"]["blogs"]["nodes"] == []
        listed = _graphql(url, token, "{ blogs(first: 5) { nodes { handle } } }")
        assert {"handle": "kept"} in listed["data"]["blogs"]["nodes"]
        widget = requests.get(url + "/products/cli-widget", timeout=10)
        assert widget.status_code == 200 and "CLI Widget" in widget.text
        child.stop()
    finally:
        child.close()

    child, url = _start(["--db", str(db)], token)
    try:
        home = requests.get(url + "/", timeout=10)
        assert 'href="/blogs/kept"' in home.text  # the blog survived the restart
        child.stop()
    finally:
        child.close()


def test_empty_starts_a_store_without_the_seeded_blog_and_pages() -> None:
    token = "shpat_cli_empty"
    query = "{ blogs(first: 5) { nodes { handle } } pages(first: 5) { nodes { handle } } }"
    child, url = _start(["--empty"], token)
    try:
        assert _graphql(url, token, query)["data"] == {
            "blogs": {"nodes": []},
            "pages": {"nodes": []},
        }
        child.stop()
    finally:
        child.close()
    child, url = _start([], token)
    try:
        seeded = _graphql(url, token, query)["data"]
        assert [b["handle"] for b in seeded["blogs"]["nodes"]] == ["news"]
        assert [p["handle"] for p in seeded["pages"]["nodes"]] == [
            "contact",
            "data-sharing-opt-out",
        ]
        child.stop()
    finally:
        child.close()


def test_a_bad_products_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "products.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(sandbox_command, ["--port", "0", "--products", str(bad)])
    assert result.exit_code == 2
    assert "not a products file" in result.output

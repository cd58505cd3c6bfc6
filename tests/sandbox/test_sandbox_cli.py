"""``shopsync sandbox``: help, refusal of non-loopback hosts, and a real start/stop."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

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
        "--bucket",
        "--restore-rate",
        "--latency-ms",
        "--token",
    ):
        assert option in result.output
    assert "SHOPSYNC_SANDBOX_TOKEN" in result.output


def test_non_loopback_host_is_refused() -> None:
    result = CliRunner().invoke(sandbox_command, ["--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "loopback" in result.output


def _read_until(proc: subprocess.Popen[str], pattern: str, timeout: float = 30.0) -> str:
    """The child's stdout up to a line matching ``pattern`` (never blocks past ``timeout``)."""
    assert proc.stdout is not None
    stdout = proc.stdout
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen += line
        if re.search(pattern, line):
            return seen
    raise AssertionError(f"no {pattern!r} in the sandbox's output: {seen!r}")


def test_starts_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SHOPSYNC_SANDBOX_TOKEN": "shpat_cli_test"}
    db = tmp_path / "sandbox.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "shopsync.sandbox.cli", "--port", "0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        output = _read_until(proc, r"SHOPSYNC_ACCESS_TOKEN=")
        match = re.search(r"SHOPSYNC_SHOP=(http://127\.0\.0\.1:\d+)", output)
        assert match, output
        url = match.group(1)
        assert "shpat_cli_test" not in output  # a custom token is not echoed
        query = {"query": "{ currentAppInstallation { accessScopes { handle } } }"}
        ok = requests.post(
            f"{url}/admin/api/2026-07/graphql.json",
            json=query,
            headers={"X-Shopify-Access-Token": "shpat_cli_test"},
            timeout=10,
        )
        assert ok.status_code == 200
        assert ok.json()["data"]["currentAppInstallation"]["accessScopes"]
        assert requests.get(url + "/", timeout=10).status_code == 200
        proc.send_signal(signal.SIGINT)
        stderr = proc.stderr.read() if proc.stderr else ""
        proc.wait(timeout=30)
        assert proc.returncode == 0, stderr
        assert "Sandbox stopped." in stderr
        assert "Traceback" not in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)

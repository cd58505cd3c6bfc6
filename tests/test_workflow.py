"""The GitHub Actions workflow's own steps, run against the sandbox store as CI would run them.

Each ``run:`` step of ``.github/workflows/content.yml`` is executed with bash (``-eo pipefail``,
GitHub's default shell) in a checkout-like directory, with the store's secrets in the
environment, ``CI=true`` and ``GITHUB_STEP_SUMMARY`` pointing at a file. Only the install step
is left out: shopsync is already installed in the test environment, by the same ``pip install``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from shopsync.admin.auth import StaticToken
from shopsync.admin.client import ShopifyClient
from shopsync.sandbox import SandboxServer

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "content.yml"


@dataclass
class StepRun:
    name: str
    returncode: int
    output: str


def job_steps(job: str) -> list[tuple[str, str]]:
    """(name, script) of every ``run:`` step of a job, install steps excepted."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"][job]["steps"]
    return [
        (step.get("name", step["run"]), step["run"])
        for step in steps
        if "run" in step and "pip install" not in step["run"]
    ]


def run_job(job: str, checkout: Path, sandbox: SandboxServer, summary: Path) -> list[StepRun]:
    """Run the steps in order, stopping at the first failure, as Actions does."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "SHOPSYNC_SHOP": sandbox.url,
        "SHOPSYNC_ACCESS_TOKEN": sandbox.config.access_token,
        "SHOPSYNC_CLIENT_ID": "",
        "SHOPSYNC_CLIENT_SECRET": "",
    }
    runs: list[StepRun] = []
    for name, script in job_steps(job):
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        runs.append(StepRun(name, done.returncode, done.stdout + done.stderr))
        if done.returncode != 0:
            break
    return runs


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "articles", tmp_path / "articles")
    return tmp_path


def test_pull_request_job_puts_the_plan_in_the_summary(
    checkout: Path, sandbox: SandboxServer, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    runs = run_job("plan", checkout, sandbox, summary)
    assert [r.returncode for r in runs] == [0, 0], runs
    text = summary.read_text()
    assert "### shopsync plan" in text
    assert "**Plan: 7 to create, 0 to update, 0 to delete" in text
    assert "| `+` | create | `article research-digest/ems-deep-spine-muscles-study` |" in text
    assert sandbox.store.all("article") == []  # a pull request never writes


def test_main_job_pushes_and_verifies_nothing_is_left(
    checkout: Path, sandbox: SandboxServer, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    runs = run_job("push", checkout, sandbox, summary)
    assert [r.returncode for r in runs] == [0, 0, 0], runs
    assert "Push: 7 created" in runs[1].output
    assert "No changes: the store matches the files." in summary.read_text()
    assert len(sandbox.store.all("article")) == 3


def test_an_invalid_article_fails_the_pull_request_before_the_store_is_asked(
    checkout: Path, sandbox: SandboxServer, tmp_path: Path
) -> None:
    (checkout / "articles" / "broken.md").write_text("---\ntitle: ''\nstatus: live\n---\n")
    runs = run_job("plan", checkout, sandbox, tmp_path / "summary.md")
    assert [r.returncode for r in runs] == [1]
    assert "broken.md" in runs[0].output
    assert sandbox.requests == []


def test_an_admin_edit_fails_the_pull_request_with_the_conflict_in_the_summary(
    checkout: Path, sandbox: SandboxServer, tmp_path: Path
) -> None:
    assert all(r.returncode == 0 for r in run_job("push", checkout, sandbox, tmp_path / "a.md"))
    article = next(a for a in sandbox.store.all("article") if a["handle"].startswith("ems-"))
    with ShopifyClient(sandbox.url, "2026-07", auth=StaticToken(sandbox.config.access_token)) as c:
        c.execute(
            'mutation($id: ID!) { articleUpdate(id: $id, article: {title: "Edited in admin"})'
            " { userErrors { message } } }",
            {"id": article["id"]},
        )
    summary = tmp_path / "summary.md"
    runs = run_job("plan", checkout, sandbox, summary)
    assert [r.returncode for r in runs] == [0, 1]
    text = summary.read_text()
    assert "1 conflict" in text and "| `!` | conflict |" in text

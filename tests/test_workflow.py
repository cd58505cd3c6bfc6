"""The GitHub Actions workflow, run job by job against the sandbox store as CI would run it.

``tests/workflow_support.py`` runs a job's steps: its ``if:``, ``env:`` and ``${{ }}``
expressions evaluated as GitHub does, ``run:`` steps with bash in a workspace, and ``uses:``
steps through the stand-ins below: checkout copies the files of the ref it was asked for
(and must not keep credentials), setup-python does nothing, upload-artifact checks its file
exists and keeps it, github-script runs its script with node against a fake pull request.
Secrets are GitHub's: a repository secret for every job of this repository, the environment
``store``'s only for a job in that environment, none for a fork. The static tests read the
YAML for what a run cannot show (pins, permissions, where secrets appear).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from shopsync.admin.auth import StaticToken
from shopsync.admin.client import ShopifyClient
from shopsync.sandbox import SandboxServer

from .conftest import SandboxFactory
from .sync_helpers import mutations
from .workflow_support import Action, JobRun, jobs_that_run, load_workflow, run_job

REPO = Path(__file__).resolve().parent.parent
WORKFLOW_FILE = REPO / ".github" / "workflows" / "content.yml"
WORKFLOW = load_workflow(WORKFLOW_FILE)

REPOSITORY = "oriems/site"
HEAD_SHA, BASE_SHA, MERGE_SHA, MAIN_SHA = "a" * 40, "b" * 40, "c" * 40, "d" * 40
PR_NUMBER = 7
MARKER = "<!-- shopsync-plan -->"
BOT = "github-actions[bot]"
#: What the read-only token may do: plan, never write (images: read_files).
READ_SCOPES = ("read_content", "read_products", "read_files")
#: Repository secrets, and those of the protected environment ``store``.
REPOSITORY_SECRETS = ("SHOPSYNC_READ_TOKEN",)
STORE_SECRETS = ("SHOPSYNC_ACCESS_TOKEN", "SHOPSYNC_CLIENT_SECRET")
NODE = shutil.which("node")


def github_context(event: str, *, fork: bool = False, ref: str = "refs/heads/main") -> Any:
    if event != "pull_request":
        return {"event_name": event, "ref": ref, "sha": MAIN_SHA, "repository": REPOSITORY}
    head_repo = "someone/site" if fork else REPOSITORY
    return {
        "event_name": "pull_request",
        "ref": f"refs/pull/{PR_NUMBER}/merge",
        "sha": MERGE_SHA,
        "repository": REPOSITORY,
        "event": {
            "pull_request": {
                "number": PR_NUMBER,
                "head": {"sha": HEAD_SHA, "repo": {"full_name": head_repo}},
                "base": {"sha": BASE_SHA, "ref": "main"},
            }
        },
    }


@dataclass
class PullRequest:
    """The pull request's comments, as the fake GitHub API of the comment script keeps them."""

    comments: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, calls: list[Any]) -> None:
        for verb, params in calls:
            if verb == "create":
                assert params["issue_number"] == PR_NUMBER
                ids = [c["id"] for c in self.comments] or [100]
                self.comments.append(
                    {"id": max(ids) + 1, "user": {"login": BOT}, "body": params["body"]}
                )
            elif verb == "update":
                [comment] = [c for c in self.comments if c["id"] == params["comment_id"]]
                assert comment["user"]["login"] == BOT  # GitHub refuses others' comments
                comment["body"] = params["body"]

    def plan_comments(self) -> list[dict[str, Any]]:
        return [c for c in self.comments if c["user"]["login"] == BOT]


HARNESS = """
const fs = require('fs');
const state = JSON.parse(fs.readFileSync(process.env.FAKE_STATE, 'utf8'));
const calls = [];
const issues = {
  listComments: async () => { throw new Error('use github.paginate'); },
  createComment: async (p) => { calls.push(['create', p]); return { data: {} }; },
  updateComment: async (p) => { calls.push(['update', p]); return { data: {} }; },
};
const github = {
  rest: { issues },
  paginate: async (method, params) => {
    if (method !== issues.listComments) throw new Error('unexpected paginate');
    calls.push(['list', params]);
    return state.comments;
  },
};
const AsyncFunction = Object.getPrototypeOf(async () => null).constructor;
const script = fs.readFileSync(process.env.FAKE_SCRIPT, 'utf8');
new AsyncFunction('github', 'context', 'require', script)(github, state.context, require).then(
  () => fs.writeFileSync(process.env.FAKE_CALLS, JSON.stringify(calls)),
  (error) => { console.error(error); process.exit(1); },
);
"""


@dataclass
class Runner:
    """GitHub for one repository: its files per ref, its secrets, one pull request."""

    tmp: Path
    sandbox: SandboxServer
    main: Path
    head: Path
    secrets: dict[str, str]
    variables: dict[str, str] = field(default_factory=dict)
    pull_request: PullRequest = field(default_factory=PullRequest)
    artifacts: dict[str, bytes] = field(default_factory=dict)
    checkouts: list[tuple[str, str]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    runs: int = 0

    def run(
        self, job: str, event: str, inputs: dict[str, str] | None = None, **github: Any
    ) -> JobRun:
        self.runs += 1
        workspace = self.tmp / f"run{self.runs}"
        workspace.mkdir()
        context = {**self.context(job, event, **github), "inputs": inputs or {}}
        assert job in jobs_that_run(WORKFLOW, context), (job, event, github)
        stand_ins = {
            "actions/checkout": self.checkout,
            "actions/setup-python": setup_python,
            "actions/upload-artifact": self.upload,
            "actions/github-script": self.github_script,
        }
        return run_job(
            WORKFLOW, job, workspace=workspace, context=context, actions=stand_ins, environ={}
        )

    def context(self, job: str, event: str, **github: Any) -> dict[str, Any]:
        context = github_context(event, **github)
        pr = context.get("event", {}).get("pull_request")
        fork = pr is not None and pr["head"]["repo"]["full_name"] != REPOSITORY
        spec = WORKFLOW["jobs"][job]
        names: tuple[str, ...] = () if fork else REPOSITORY_SECRETS
        if spec.get("environment") == "store":
            names += STORE_SECRETS
        return {
            "github": {**context, "server_url": "https://github.com"},
            "inputs": {},
            "vars": {"SHOPSYNC_SHOP": self.sandbox.url, **self.variables},
            "secrets": {k: self.secrets[k] for k in names if k in self.secrets},
        }

    def checkout(self, action: Action) -> int:
        assert action.inputs.get("persist-credentials") == "false", action.inputs
        ref = action.inputs.get("ref", "")
        event = action.context["github"]["event_name"]
        default = self.head if event == "pull_request" else self.main
        source = {
            HEAD_SHA: self.head,
            f"refs/pull/{PR_NUMBER}/head": self.head,
            BASE_SHA: self.main,
            MAIN_SHA: self.main,
            "main": self.main,
            "": default,
        }[ref]
        path = action.inputs.get("path", ".")
        self.checkouts.append((path, ref))
        shutil.copytree(source, action.workspace / path, dirs_exist_ok=True)
        return 0

    def upload(self, action: Action) -> int:
        path = action.workspace / action.inputs["path"]
        if not path.is_file():
            return 1 if action.inputs.get("if-no-files-found") == "error" else 0
        self.artifacts[action.inputs["name"]] = path.read_bytes()
        return 0

    def github_script(self, action: Action) -> int:
        script = action.inputs["script"]
        self.scripts.append(script)
        if NODE is None:  # checked by test_the_comment_script_finds_its_own_comment_only
            return 0
        state = self.tmp / "script-state.json"
        context = {
            "repo": {"owner": REPOSITORY.split("/")[0], "repo": REPOSITORY.split("/")[1]},
            "serverUrl": "https://github.com",
            "runId": 4242,
        }
        state.write_text(json.dumps({"comments": self.pull_request.comments, "context": context}))
        files = {"FAKE_STATE": state, "FAKE_SCRIPT": self.tmp / "script.js"}
        files["FAKE_SCRIPT"].write_text(script)
        calls = self.tmp / "script-calls.json"
        harness = self.tmp / "harness.js"
        harness.write_text(HARNESS)
        env = {**action.env, **{k: str(v) for k, v in files.items()}, "FAKE_CALLS": str(calls)}
        done = subprocess.run(
            [NODE, str(harness)], cwd=action.workspace, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        self.pull_request.apply(json.loads(calls.read_text()))
        return 0


def setup_python(action: Action) -> int:
    assert action.inputs["python-version"] == "3.11"
    return 0


@pytest.fixture
def runner(tmp_path: Path, sandbox: SandboxServer) -> Iterator[Runner]:
    main, head = tmp_path / "main", tmp_path / "head"
    for files in (main, head):
        shutil.copytree(REPO / "articles", files / "articles")
    secrets = {
        "SHOPSYNC_READ_TOKEN": sandbox.issue_token(READ_SCOPES),
        "SHOPSYNC_ACCESS_TOKEN": sandbox.config.access_token,
    }
    yield Runner(tmp_path, sandbox, main, head, secrets)


def outcomes(run: JobRun) -> dict[str, str]:
    return {s.name: s.outcome for s in run.steps}


def merge(runner: Runner) -> None:
    shutil.rmtree(runner.main / "articles")
    shutil.copytree(runner.head / "articles", runner.main / "articles")


# ------------------------------------------------------------------------ the runs


def test_a_pull_request_is_planned_read_only_then_pushed_on_merge(runner: Runner) -> None:
    sandbox = runner.sandbox
    first = runner.run("push", "push")  # main as it was: the store in sync
    assert first.ok, first.steps
    assert len(sandbox.store.all("article")) == 3

    # The pull request edits one article and deletes another.
    ems = runner.head / "articles" / "ems-deep-spine-muscles-study.md"
    ems.write_text(ems.read_text().replace("A university study", "A 2016 university study", 1))
    (runner.head / "articles" / "transversus-abdominis-timing-back-pain.md").unlink()

    assert runner.run("validate", "pull_request").ok
    before = len(sandbox.requests)
    plan = runner.run("plan", "pull_request")
    assert plan.ok, plan.steps
    assert outcomes(plan)["Install shopsync from the base branch"] == "skipped"  # installed
    assert ("tool", BASE_SHA) in runner.checkouts and ("content", HEAD_SHA) in runner.checkouts
    summary = plan.summary.read_text()
    assert summary.startswith("### shopsync plan")
    assert "| `~` | update | `article research-digest/ems-deep-spine-muscles-study` |" in summary
    assert "| `?` | orphan |" in summary  # the deleted file: pruned only on main
    assert json.loads(runner.artifacts["shopsync-plan"])["format"] == "shopsync-saved-plan"
    assert sandbox.requests[before:] and mutations(sandbox.requests[before:]) == []  # reads only

    merge(runner)
    assert runner.run("validate", "push").ok
    pushed = runner.run("push", "push")
    assert pushed.ok, pushed.steps
    assert "Push: " in pushed.step("Push exactly that plan").output
    text = pushed.summary.read_text()
    assert "| `~` | update | `article research-digest/ems-deep-spine-muscles-study` |" in text
    pushed_plan, check = text.split("### shopsync plan")[1:]
    assert "| `-` | unpublish |" in pushed_plan  # --prune on main
    assert "**Plan: 0 to create, 0 to update, 0 to delete, 4 unchanged" in check
    assert json.loads(runner.artifacts["shopsync-push-plan"])["plan"]["options"]["prune"]
    articles = {a["handle"]: a for a in sandbox.store.all("article")}
    assert "A 2016 university study" in json.dumps(articles["ems-deep-spine-muscles-study"])
    assert articles["transversus-abdominis-timing-back-pain"]["isPublished"] is False

    before = len(sandbox.requests)
    again = runner.run("push", "push")
    assert again.ok, again.steps
    assert again.summary.read_text().count("**Plan: 0 to create, 0 to update, 0 to delete") == 2
    # Nothing left to write: no article, page, blog or file (the blog's index may be refreshed).
    assert set(mutations(sandbox.requests[before:])) <= {"metafieldsSet"}


@pytest.mark.skipif(NODE is None, reason="node runs actions/github-script's script")
def test_the_plan_comment_is_one_sticky_comment(runner: Runner) -> None:
    someone = {"id": 1, "user": {"login": "reviewer"}, "body": f"{MARKER} quoting the bot"}
    runner.pull_request.comments.append(someone)
    assert runner.run("plan", "pull_request").ok
    [comment] = runner.pull_request.plan_comments()
    assert comment["body"].startswith(f"{MARKER}\n### shopsync plan")
    assert "**Plan: 7 to create" in comment["body"]
    assert f"Planned for {HEAD_SHA}" in comment["body"]

    (runner.head / "articles" / "transversus-abdominis-timing-back-pain.md").unlink()
    assert runner.run("plan", "pull_request").ok
    [updated] = runner.pull_request.plan_comments()
    assert updated["id"] == comment["id"] and "**Plan: 6 to create" in updated["body"]
    assert someone["body"] == f"{MARKER} quoting the bot"  # never another's comment
    assert runner.sandbox.store.all("article") == []  # a pull request never writes


def test_main_may_push_with_the_apps_client_credentials(
    tmp_path: Path, sandbox_factory: SandboxFactory
) -> None:
    """A Dev Dashboard app has no lasting token: the push job takes its credentials instead."""
    sandbox = sandbox_factory(clients={"client-id": "client-secret"})
    shutil.copytree(REPO / "articles", tmp_path / "main" / "articles")
    main = tmp_path / "main"
    runner = Runner(tmp_path, sandbox, main, main, {"SHOPSYNC_CLIENT_SECRET": "client-secret"})
    runner.variables["SHOPSYNC_CLIENT_ID"] = "client-id"
    run = runner.run("push", "push")
    assert run.ok, run.steps
    assert len(sandbox.store.all("article")) == 3
    assert any(r.path == "/admin/oauth/access_token" for r in sandbox.requests)


def test_without_the_read_token_the_plan_is_skipped_saying_why(runner: Runner) -> None:
    del runner.secrets["SHOPSYNC_READ_TOKEN"]
    run = runner.run("plan", "pull_request")
    assert run.ok, run.steps
    output = run.step("Plan against the store (read-only token)").output
    assert output.startswith("::notice title=shopsync plan skipped::No SHOPSYNC_READ_TOKEN")
    assert run.summary.read_text().startswith("### shopsync plan skipped")
    assert "shopsync-plan" not in runner.artifacts and runner.sandbox.requests == []
    if NODE is not None:
        [comment] = runner.pull_request.plan_comments()
        assert "shopsync plan skipped" in comment["body"]


def test_the_plan_runs_neither_the_pull_requests_code_nor_its_settings(runner: Runner) -> None:
    (runner.head / "shopsync").mkdir()
    (runner.head / "shopsync" / "__init__.py").write_text("raise SystemExit('PR code ran')\n")
    (runner.head / ".env").write_text("SHOPSYNC_API_VERSION=2025-10\nSHOPSYNC_BLOG=other\n")
    run = runner.run("plan", "pull_request")
    assert run.ok, run.steps
    assert "PR code ran" not in run.step("Plan against the store (read-only token)").output
    assert "`article research-digest/ems-deep-spine-muscles-study`" in run.summary.read_text()
    assert {r.path for r in runner.sandbox.requests} == {"/admin/api/2026-07/graphql.json"}


def test_an_invalid_article_fails_validate_with_an_annotation(runner: Runner) -> None:
    (runner.head / "articles" / "broken.md").write_text("---\ntitle: ''\nstatus: live\n---\n")
    run = runner.run("validate", "pull_request")
    assert outcomes(run)["Validate the content files"] == "failure"
    output = run.step("Validate the content files").output
    assert "::error file=articles/broken.md,line=2,title=shopsync::title: " in output
    assert runner.sandbox.requests == []


def test_an_admin_edit_fails_the_plan_with_the_conflict_in_summary_and_comment(
    runner: Runner,
) -> None:
    assert runner.run("push", "push").ok
    sandbox = runner.sandbox
    article = next(a for a in sandbox.store.all("article") if a["handle"].startswith("ems-"))
    with ShopifyClient(sandbox.url, "2026-07", auth=StaticToken(sandbox.config.access_token)) as c:
        c.execute(
            'mutation($id: ID!) { articleUpdate(id: $id, article: {title: "Edited in admin"})'
            " { userErrors { message } } }",
            {"id": article["id"]},
        )
    run = runner.run("plan", "pull_request")
    steps = outcomes(run)
    assert steps["Plan against the store (read-only token)"] == "failure"
    # The plan is kept and shown even so.
    assert steps["Keep the plan"] == "success"
    assert steps["Put the plan in the pull request's comment"] == "success"
    summary = run.summary.read_text()
    assert "1 conflict" in summary and "| `!` | conflict |" in summary
    if NODE is not None:
        [comment] = runner.pull_request.plan_comments()
        assert "| `!` | conflict |" in comment["body"]


def test_a_maintainer_plans_a_fork_by_hand_with_mains_shopsync(runner: Runner) -> None:
    (runner.head / "articles" / "transversus-abdominis-timing-back-pain.md").unlink()
    run = runner.run("plan", "workflow_dispatch", inputs={"pull_request": str(PR_NUMBER)})
    assert run.ok, run.steps
    assert runner.checkouts == [("content", f"refs/pull/{PR_NUMBER}/head"), ("tool", MAIN_SHA)]
    assert "**Plan: 6 to create" in run.summary.read_text()
    if NODE is not None:
        [comment] = runner.pull_request.plan_comments()
        assert f"Planned for refs/pull/{PR_NUMBER}/head" in comment["body"]


def test_a_fork_is_validated_and_told_why_it_is_not_planned(runner: Runner) -> None:
    context = runner.context("fork", "pull_request", fork=True)
    assert context["secrets"] == {}  # GitHub gives forks none
    assert jobs_that_run(WORKFLOW, context) == ["validate", "fork"]
    assert runner.run("validate", "pull_request", fork=True).ok
    run = runner.run("fork", "pull_request", fork=True)
    assert run.ok
    [notice] = [x for x in run.steps[0].output.splitlines() if x.startswith("::notice")]
    assert notice.startswith("::notice title=shopsync plan skipped::This pull request comes from")
    assert "no secrets" in notice and "Run workflow" in notice and f"request {PR_NUMBER}" in notice
    assert "shopsync plan skipped" in run.summary.read_text()
    assert runner.sandbox.requests == []


# --------------------------------------------------------------------- which jobs run


@pytest.mark.parametrize(
    ("event", "extra", "jobs"),
    [
        ("pull_request", {}, ["validate", "plan"]),
        ("pull_request", {"fork": True}, ["validate", "fork"]),
        ("push", {}, ["validate", "push"]),
        ("workflow_dispatch", {}, ["validate", "push"]),
        ("workflow_dispatch", {"ref": "refs/heads/other"}, ["validate"]),
    ],
)
def test_which_jobs_run(event: str, extra: dict[str, Any], jobs: list[str]) -> None:
    context = {"github": github_context(event, **extra), "inputs": {}}
    if event == "workflow_dispatch":
        context["inputs"] = {"pull_request": ""}
    assert jobs_that_run(WORKFLOW, context) == jobs


def test_a_maintainer_can_plan_a_pull_request_by_hand() -> None:
    context = {
        "github": github_context("workflow_dispatch"),
        "inputs": {"pull_request": str(PR_NUMBER)},
    }
    assert jobs_that_run(WORKFLOW, context) == ["validate", "plan"]


# --------------------------------------------------------------------- the YAML itself


def job_text(job: str) -> str:
    return yaml.safe_dump(WORKFLOW["jobs"][job])


def test_every_action_is_pinned_by_commit_with_its_version() -> None:
    lines = [x.strip() for x in WORKFLOW_FILE.read_text().splitlines() if "uses:" in x]
    assert lines
    for line in lines:
        assert re.fullmatch(r"(- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line


def test_secrets_only_where_they_are_used() -> None:
    assert "secrets." not in yaml.safe_dump(WORKFLOW.get("env", {}))
    validate = WORKFLOW["jobs"]["validate"]
    assert validate["permissions"] == {"contents": "read"}
    assert "env" not in validate
    assert {job for job in WORKFLOW["jobs"] if "secrets." in job_text(job)} == {"plan", "push"}
    for job in ("plan", "push"):  # only the steps that run shopsync against the store see one
        assert "secrets." not in yaml.safe_dump(WORKFLOW["jobs"][job].get("env", {}))
        for step in WORKFLOW["jobs"][job]["steps"]:
            if "secrets." in yaml.safe_dump(step):
                assert "uses" not in step and "pip" not in step["run"], step
                assert "shopsync " in step["run"], step
    assert "secrets.SHOPSYNC_READ_TOKEN" in job_text("plan")
    assert "SHOPSYNC_ACCESS_TOKEN }}" not in job_text("plan")
    assert "secrets.SHOPSYNC_ACCESS_TOKEN" in job_text("push")
    assert "SHOPSYNC_READ_TOKEN" not in job_text("push")
    assert WORKFLOW["jobs"]["push"]["environment"] == "store"
    assert "environment" not in WORKFLOW["jobs"]["plan"]
    raw = WORKFLOW_FILE.read_text()
    assert "vars.SHOPSYNC_SHOP" in raw and "secrets.SHOPSYNC_SHOP" not in raw


def test_permissions_are_the_least_each_job_needs() -> None:
    assert WORKFLOW["permissions"] == {}
    jobs = WORKFLOW["jobs"]
    assert jobs["plan"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert jobs["push"]["permissions"] == {"contents": "read"}
    assert jobs["fork"]["permissions"] == {}
    assert jobs["push"]["concurrency"]["cancel-in-progress"] is False


def test_the_plan_job_never_runs_the_pull_requests_code() -> None:
    steps = WORKFLOW["jobs"]["plan"]["steps"]
    checkouts = {s["with"]["path"]: s["with"] for s in steps if "checkout" in s.get("uses", "")}
    assert "head.sha" in checkouts["content"]["ref"] and "base.sha" in checkouts["tool"]["ref"]
    assert all(c["persist-credentials"] is False for c in checkouts.values())
    installs = [s["run"] for s in steps if "pip install" in s.get("run", "")]
    assert installs == ["python -m pip install --quiet ./tool"]
    for step in steps:  # the others only run shopsync on the files
        if "run" in step and "pip install" not in step["run"]:
            assert step.get("working-directory") == "content"
            for word in ("python", "pip", "./", "bash", "source", "make", "npm", "node"):
                assert word not in step["run"], (word, step["run"])


def test_no_expression_is_pasted_into_a_script() -> None:
    for job in WORKFLOW["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", "") + step.get("with", {}).get("script", "")


def test_the_push_job_pushes_the_plan_it_made() -> None:
    runs = [s["run"] for s in WORKFLOW["jobs"]["push"]["steps"] if "run" in s]
    assert runs[1:] == [
        'shopsync plan --prune --out plan.json --markdown >> "$GITHUB_STEP_SUMMARY"',
        "shopsync push plan.json",
        'shopsync plan --prune --detailed-exitcode --markdown >> "$GITHUB_STEP_SUMMARY"',
    ]


def test_the_comment_script_finds_its_own_comment_only() -> None:
    [script] = [
        s["with"]["script"]
        for s in WORKFLOW["jobs"]["plan"]["steps"]
        if "github-script" in s.get("uses", "")
    ]
    assert f"const marker = '{MARKER}';" in script
    assert f"c.user.login === '{BOT}'" in script and ".startsWith(marker)" in script
    assert script.count("updateComment") == 1 and script.count("createComment") == 1
    assert "process.env.PR_NUMBER" in script

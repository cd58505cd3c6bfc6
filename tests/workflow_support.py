"""Run a GitHub Actions workflow's jobs here, as Actions would, against the sandbox store.

``expression`` evaluates GitHub's ``${{ }}`` expressions (the subset workflows use: contexts,
literals, ``! == != && || ()``, ``format``, ``contains``, ``startsWith`` and the status
functions) with GitHub's rules: ``||``/``&&`` give an operand, strings compare without case,
values of different types compare as numbers (so ``null == ''``). ``run_job`` runs a job's
steps in order: job and step ``if:``, ``env:`` at every level, ``working-directory``,
``run:`` with bash ``-eo pipefail`` (GitHub's default), ``GITHUB_STEP_SUMMARY`` and
``GITHUB_OUTPUT``. A ``uses:`` step runs only through the stand-in the test gives for that
action (none given: the test fails), and an install step (``pip install``) is recorded as
skipped: shopsync is already installed in the test environment.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!().,\[\]])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot read expression at {text[pos:]!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        pos = match.end()
    return found


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip()) if value.strip() else 0.0
        except ValueError:
            return math.nan
    return math.nan


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right) and not isinstance(left, int | float):
        return bool(left == right)
    return _number(left) == _number(right)


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "")


def _format(template: str, *args: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: _text(args[int(m.group(1))]), template)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any], functions: Mapping[str, Any]):
        self.tokens = _tokens(text)
        self.pos = 0
        self.context = context
        self.functions = functions

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise ValueError(f"expected {expected!r}, got {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.either()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()!r}")
        return value

    def either(self) -> Any:
        value = self.both()
        while self.peek() == "||":
            self.take()
            other = self.both()
            value = value if truthy(value) else other
        return value

    def both(self) -> Any:
        value = self.comparison()
        while self.peek() == "&&":
            self.take()
            other = self.comparison()
            value = other if truthy(value) else value
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            other = self.unary()
            value = _equal(value, other) == (op == "==")
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            inner = self.either()
            self.take(")")
            return inner
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text)
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        if self.peek() == "(":
            self.take("(")
            args = []
            while self.peek() != ")":
                args.append(self.either())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            return self.functions[text.lower()](*args)
        value: Any = self.context.get(text)
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                key: Any = self.take()[1]
            else:
                key = self.either()
                self.take("]")
            value = value.get(key) if isinstance(value, Mapping) else None
        return value


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "format": _format,
    "contains": lambda haystack, needle: (
        any(_equal(x, needle) for x in haystack)
        if isinstance(haystack, list)
        else _text(needle).casefold() in _text(haystack).casefold()
    ),
    "startswith": lambda text, prefix: _text(text).casefold().startswith(_text(prefix).casefold()),
}


def expression(
    text: str, context: Mapping[str, Any], *, failed: bool = False, cancelled: bool = False
) -> Any:
    """The value of one expression (without its ``${{ }}``)."""
    status = {
        "success": lambda: not failed and not cancelled,
        "failure": lambda: failed,
        "always": lambda: True,
        "cancelled": lambda: cancelled,
    }
    return _Parser(text, context, {**FUNCTIONS, **status}).parse()


def substitute(text: str, context: Mapping[str, Any]) -> str:
    """A value with its ``${{ }}`` parts replaced by their text."""
    return re.sub(
        r"\$\{\{(.*?)\}\}", lambda m: _text(expression(m.group(1), context)), text, flags=re.S
    )


def condition(text: str | bool | None, context: Mapping[str, Any], *, failed: bool) -> bool:
    """An ``if:`` (with or without ``${{ }}``); absent means ``success()``."""
    if text is None:
        text = "success()"
    if isinstance(text, bool):
        return text
    inner = text.strip()
    if inner.startswith("${{") and inner.endswith("}}"):
        inner = inner[3:-2]
    if not re.search(r"\b(success|failure|always|cancelled)\(", inner):
        inner = f"success() && ({inner})"
    return truthy(expression(inner, context, failed=failed))


# ----------------------------------------------------------------------------- jobs


@dataclass
class StepRun:
    name: str
    outcome: str  # success, failure, skipped
    returncode: int | None = None
    output: str = ""


@dataclass
class JobRun:
    job: str
    summary: Path
    steps: list[StepRun] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.outcome != "failure" for s in self.steps)

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)

    def ran(self) -> list[str]:
        return [s.name for s in self.steps if s.outcome != "skipped"]


@dataclass
class Action:
    """What a stand-in for a ``uses:`` step is given."""

    workspace: Path
    inputs: dict[str, str]
    env: dict[str, str]
    context: Mapping[str, Any]


ActionStandIn = Callable[[Action], int]


def load_workflow(path: Path) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key ``on`` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def step_name(step: Mapping[str, Any]) -> str:
    return str(step.get("name") or step.get("uses") or step["run"])


def run_job(
    workflow: Mapping[str, Any],
    job: str,
    *,
    workspace: Path,
    context: Mapping[str, Any],
    actions: Mapping[str, ActionStandIn],
    environ: Mapping[str, str],
) -> JobRun:
    """Run ``job``'s steps in ``workspace`` as Actions would (see the module docstring)."""
    spec = workflow["jobs"][job]
    summary = workspace.parent / f"{workspace.name}-{job}-summary.md"
    summary.write_text("")
    base_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SHOPSYNC_", "GITHUB_"))},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(workspace.parent),
        **environ,
    }
    steps_ctx: dict[str, Any] = {}
    ctx = {**context, "steps": steps_ctx}
    run = JobRun(job, summary)
    failed = False
    for step in spec["steps"]:
        name = step_name(step)
        if not condition(step.get("if"), ctx, failed=failed):
            run.steps.append(StepRun(name, "skipped"))
            _note(steps_ctx, step, "skipped", {})
            continue
        env = dict(base_env)
        for level in (workflow.get("env"), spec.get("env"), step.get("env")):
            env.update({k: substitute(_text(v), ctx) for k, v in (level or {}).items()})
        outputs_file = workspace.parent / f"{workspace.name}-{job}-output"
        outputs_file.write_text("")
        env["GITHUB_OUTPUT"] = str(outputs_file)
        if "uses" in step:
            action = step["uses"].split("@")[0]
            inputs = {k: substitute(_text(v), ctx) for k, v in (step.get("with") or {}).items()}
            code = actions[action](Action(workspace, inputs, env, ctx))
            result = StepRun(name, "success" if code == 0 else "failure", code)
        elif "pip install" in step["run"]:
            result = StepRun(name, "skipped", output="install: shopsync is already installed")
        else:
            cwd = workspace / str(step.get("working-directory", "."))
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            outcome = "success" if done.returncode == 0 else "failure"
            result = StepRun(name, outcome, done.returncode, done.stdout + done.stderr)
        run.steps.append(result)
        _note(steps_ctx, step, result.outcome, _outputs(outputs_file))
        failed = failed or result.outcome == "failure"
    return run


def _note(
    steps: dict[str, Any], step: Mapping[str, Any], outcome: str, out: dict[str, str]
) -> None:
    if "id" in step:
        steps[step["id"]] = {"outcome": outcome, "conclusion": outcome, "outputs": out}


def _outputs(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs}


def jobs_that_run(workflow: Mapping[str, Any], context: Mapping[str, Any]) -> list[str]:
    """The jobs whose ``if:`` holds for this event (``needs`` assumed to have succeeded)."""
    return [
        name
        for name, spec in workflow["jobs"].items()
        if condition(spec.get("if"), context, failed=False)
    ]

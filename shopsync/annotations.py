"""GitHub Actions workflow commands for content problems (``::error file=...,line=...::``).

A problem printed this way shows on the pull request's diff, at its file and line, instead
of only in the job's log. The escaping follows GitHub's toolkit (``@actions/core``'s
``command.ts``): in the message ``%``, CR and LF are percent-encoded; in a property ``:``
and ``,`` are too, since they separate properties. Pure functions: the CLI prints.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from shopsync.errors import Problem

Level = Literal["error", "warning", "notice"]

#: The annotation's title, shown above its message on GitHub.
TITLE = "shopsync"


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also ``:`` and ``,``, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(level: Level, message: str, properties: Mapping[str, str]) -> str:
    """``::level key=value,...::message``, each part escaped for its place."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    head = f"::{level} {props}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def problem_annotation(problem: Problem, level: Level = "error") -> str:
    """One problem as one annotation on its file (and line, when known); the field leads the
    message and the hint follows it on a line of its own."""
    properties = {"file": problem.path}
    if problem.line:
        properties["line"] = str(problem.line)
    properties["title"] = TITLE
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    if problem.hint:
        message += f"\nhint: {problem.hint}"
    return workflow_command(level, message, properties)


def repository_path(path: str, root: Path, workspace: Path) -> str:
    """``path`` (relative to the ``-C`` root, as problems are) relative to the checkout
    GitHub resolves annotation paths against; unchanged when it lies outside it."""
    full = Path(os.path.abspath(root / path))
    try:
        return full.relative_to(os.path.abspath(workspace)).as_posix()
    except ValueError:
        return path


def in_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    """True in a GitHub Actions job, which sets ``GITHUB_ACTIONS=true``."""
    return (os.environ if environ is None else environ).get("GITHUB_ACTIONS") == "true"

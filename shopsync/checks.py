"""The checks that come after loading, in one place: each blog's policy and the claim linter.

``validate``, ``plan``, ``push`` and ``lint`` all run them, so a post that makes a health
claim, or lacks what its blog requires, stops before it reaches the store. The rules come
from the repository (``shopsync.toml``'s ``[blogs.*]``, ``shopsync-claims.yaml`` over the
packaged claim rules). A claim finding that is an error is a validation problem; a
warning is a warning; a reviewed one (suppressed, with its reason) is kept on
``Content.reviewed`` so the plan and ``--json`` can show it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from shopsync.content.claims import Finding, lint_content
from shopsync.content.claims_rules import REPOSITORY_RULES_FILE, load_rules
from shopsync.content.loader import Content
from shopsync.content.policy import apply_policies
from shopsync.errors import Problem
from shopsync.project import load_policies


def check_content(content: Content, *, root: Path) -> list[Finding]:
    """Add policy and claim problems to ``content``; every finding, reviewed ones too."""
    check_policies(content, root=root)
    return lint_claims(content, root=root)


def check_policies(content: Content, *, root: Path) -> None:
    """Each blog's policy, from ``root``'s shopsync.toml (or pyproject)."""
    apply_policies(content, load_policies(root))


def claim_findings(
    content: Content, *, root: Path, only: Callable[[str], bool] | None = None
) -> list[Finding]:
    """The claim linter over ``content`` (``only``: the files it picks), with ``root``'s
    rules and the files' own lines; nothing is added to ``content``."""
    return lint_content(
        content,
        load_rules(root),
        body_lines=content.body_lines,
        key_lines=content.key_lines,
        only=only,
    )


def lint_claims(
    content: Content, *, root: Path, only: Callable[[str], bool] | None = None
) -> list[Finding]:
    """The claim linter's part of ``check_content``: errors and warnings become problems,
    reviewed findings are kept on ``content.reviewed``. A plan passes ``only`` to skip the
    articles the blog's index vouches for (their inputs, ``checks_digest`` among them, are
    those it pushed, and so linted, before)."""
    findings = claim_findings(content, root=root, only=only)
    content.findings = list(findings)
    content.reviewed += [f for f in findings if f.suppressed]
    content.add_problems(
        [claim_problem(f) for f in findings if not f.suppressed and f.severity == "error"],
        [claim_problem(f) for f in findings if not f.suppressed and f.severity != "error"],
    )
    return findings


def checks_digest(root: Path) -> str:
    """What the checks read besides the files and shopsync's own code: the repository's
    claim rules (``shopsync-claims.yaml``). Part of an article's inputs."""
    extra = root / REPOSITORY_RULES_FILE
    data = extra.read_bytes() if extra.is_file() else b""
    return hashlib.sha256(data).hexdigest()[:16]


def claim_problem(finding: Finding) -> Problem:
    """A finding as the loader's problems read: where, which rule and sentence, what to do."""
    return Problem(
        path=finding.path,
        line=finding.line,
        field=finding.field or f"claim {finding.rule}",
        message=f"{finding.message}: “{finding.sentence}” ({finding.source})",
        hint=f"say instead: {finding.suggestion}; or, once reviewed, put "
        f"<!-- shopsync: allow {finding.rule} -- why --> on the line before",
    )

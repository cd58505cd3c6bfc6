"""The checks that come after loading, in one place: each blog's policy and the claim linter.

``validate``, ``plan``, ``push`` and ``lint`` all run them, so a post that makes a health
claim, or lacks what its blog requires, stops before it reaches the store. The rules come
from the repository (``shopsync.toml``'s ``[blogs.*]``, ``shopsync-claims.yaml`` over the
packaged claim rules). A claim finding that is an error is a validation problem; a
warning is a warning; a reviewed one (suppressed, with its reason) is kept on
``Content.reviewed`` so the plan and ``--json`` can show it.
"""

from __future__ import annotations

from pathlib import Path

from shopsync.content.claims import Finding, lint_content
from shopsync.content.claims_rules import load_rules
from shopsync.content.loader import Content
from shopsync.content.policy import apply_policies
from shopsync.errors import Problem
from shopsync.project import load_policies


def check_content(content: Content, *, root: Path) -> list[Finding]:
    """Add policy and claim problems to ``content``; every finding, reviewed ones too."""
    apply_policies(content, load_policies(root))
    findings = lint_content(
        content, load_rules(root), body_lines=content.body_lines, key_lines=content.key_lines
    )
    content.findings = list(findings)
    for finding in findings:
        if finding.suppressed:
            content.reviewed.append(finding)
        elif finding.severity == "error":
            content.problems.append(claim_problem(finding))
        else:
            content.warnings.append(claim_problem(finding))
    content.problems.sort(key=lambda p: (p.path, p.line or 0))
    content.warnings.sort(key=lambda p: (p.path, p.line or 0))
    return findings


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

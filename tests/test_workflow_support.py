"""The expression evaluator the workflow tests rely on keeps GitHub's rules."""

from __future__ import annotations

import pytest

from .workflow_support import condition, expression, substitute

CONTEXT = {
    "github": {"event_name": "push", "event": {"pull_request": None}},
    "inputs": {"pull_request": "7"},
}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("github.event_name == 'push'", True),
        ("github.event_name == 'PUSH'", True),  # strings compare without case
        ("github.event.pull_request.number == ''", True),  # null and '' are both 0
        ("github.nothing.at.all", None),
        ("github.event.pull_request.number || inputs.pull_request", "7"),  # an operand
        ("inputs.pull_request && 'x'", "x"),
        ("!(github.event_name != 'push')", True),
        ("format('refs/pull/{0}/head', inputs.pull_request)", "refs/pull/7/head"),
        ("'it''s'", "it's"),
        ("startsWith('refs/heads/main', 'refs/heads/')", True),
    ],
)
def test_expressions(text: str, value: object) -> None:
    assert expression(text, CONTEXT) == value


def test_conditions_and_templates() -> None:
    assert condition(None, CONTEXT, failed=False) and not condition(None, CONTEXT, failed=True)
    assert condition("${{ !cancelled() }}", CONTEXT, failed=True)
    assert not condition("github.event_name == 'push'", CONTEXT, failed=True)  # success() &&
    assert substitute("pr-${{ inputs.pull_request }}-${{ github.nope }}", CONTEXT) == "pr-7-"

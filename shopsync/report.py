"""Plans and push results as text (Terraform-like), JSON-able dicts and Markdown.

Pure: every function returns a string or a dict; the CLI prints. Long text fields
(bodies, summaries) are shown as compact unified diffs, everything else as
``before → after``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shopsync.plan import FieldChange, Plan, PlanItem

if TYPE_CHECKING:
    from shopsync.apply import ApplyResult

TEXT_FIELDS = frozenset({"body_html", "summary_html"})
MAX_DIFF_LINES = 40
MAX_VALUE_CHARS = 120

SYMBOLS: dict[str, str] = {
    "create": "+",
    "update": "~",
    "unpublish": "-",
    "delete": "-",
    "unchanged": " ",
    "conflict": "!",
    "orphan": "?",
    "error": "x",
}
STYLES: dict[str, str] = {
    "create": "green",
    "update": "yellow",
    "unpublish": "red",
    "delete": "red",
    "unchanged": "dim",
    "conflict": "bold red",
    "orphan": "magenta",
    "error": "bold red",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(plan: Plan) -> str:
    """``Plan: 2 to create, 1 to update, 0 to delete, 7 unchanged, 1 conflict``."""
    counts = plan.summary()
    parts = [
        f"{counts['create']} to create",
        f"{counts['update']} to update",
        f"{counts['delete']} to delete",
        f"{counts['unchanged']} unchanged",
        _plural(counts["conflict"], "conflict"),
    ]
    if counts["unpublish"]:
        parts.insert(2, f"{counts['unpublish']} to unpublish")
    if counts["orphan"]:
        parts.append(_plural(counts["orphan"], "orphan"))
    if counts["error"]:
        parts.append(_plural(counts["error"], "error"))
    return "Plan: " + ", ".join(parts)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 3] + "..."
    return text


def text_diff(
    before: str | None, after: str | None, *, max_lines: int = MAX_DIFF_LINES
) -> list[str]:
    """A unified diff with one line of context, cut to ``max_lines``."""
    old = (before or "").splitlines()
    new = (after or "").splitlines()
    lines = [
        line
        for line in difflib.unified_diff(old, new, "store", "files", n=1, lineterm="")
        if not line.startswith(("---", "+++"))
    ]
    if len(lines) > max_lines:
        hidden = len(lines) - max_lines
        lines = [*lines[:max_lines], f"... {hidden} more diff line{'s' if hidden != 1 else ''}"]
    return lines


def change_lines(change: FieldChange, *, creating: bool = False) -> list[str]:
    """One field change as display lines (no indentation)."""
    if creating:
        if change.after is None or change.after == [] or change.after == "":
            return []
        if change.field in TEXT_FIELDS:
            size = len(str(change.after))
            return [f"+ {change.field}: ({size:,} characters)"]
        return [f"+ {change.field}: {_short(change.after)}"]
    if change.field in TEXT_FIELDS and (
        isinstance(change.before, str) or isinstance(change.after, str)
    ):
        return [
            f"~ {change.field}:",
            *(
                "    " + line
                for line in text_diff(
                    change.before if isinstance(change.before, str) else None,
                    change.after if isinstance(change.after, str) else None,
                )
            ),
        ]
    return [f"~ {change.field}: {_short(change.before)} → {_short(change.after)}"]


def _headline(item: PlanItem) -> str:
    symbol = SYMBOLS[item.kind]
    extra = []
    if item.source:
        extra.append(item.source)
    if item.kind in ("conflict", "error", "orphan"):
        extra.append(item.kind)
    if item.redirect and item.remote is not None:
        extra.append(f"renamed from {item.remote.handle}, with redirect")
    if item.kind in ("unpublish", "delete"):
        extra.append(item.kind)
    suffix = f"  ({'; '.join(extra)})" if extra else ""
    return f"{symbol} {item.label}{suffix}"


def item_lines(item: PlanItem, *, verbose: bool = False) -> list[str]:
    """An item's headline, its field changes and messages."""
    lines = [_headline(item)]
    if item.kind == "unchanged" and not verbose:
        return lines
    creating = item.kind == "create"
    for change in item.diff:
        lines += ["    " + line for line in change_lines(change, creating=creating)]
    for message in item.messages:
        lines.append(f"    {message}")
    for hint in item.hints:
        lines.append(f"    hint: {hint}")
    for warning in item.warnings:
        lines.append(f"    warning: {warning}")
    return lines


def plan_text(plan: Plan, *, show_unchanged: bool = False) -> str:
    """The human plan: changed items with their diffs, then the summary line."""
    blocks: list[str] = []
    for item in plan.items:
        if item.kind == "unchanged" and not show_unchanged:
            if item.warnings:
                blocks.append("\n".join(item_lines(item, verbose=True)))
            continue
        blocks.append("\n".join(item_lines(item)))
    if not plan.has_changes and not plan.has_errors:
        blocks.append("No changes: the store matches the files.")
    blocks.append(summary_line(plan))
    return "\n\n".join(blocks)


def plan_styles(plan: Plan) -> Iterable[tuple[str, str]]:
    """(text, rich style) pairs, for a coloured rendering of ``plan_text``."""
    for item in plan.items:
        if item.kind == "unchanged" and not item.warnings:
            continue
        for index, line in enumerate(item_lines(item)):
            yield line, STYLES[item.kind] if index == 0 else ""
        yield "", ""
    yield summary_line(plan), "bold"


def item_json(item: PlanItem) -> dict[str, Any]:
    """What ``plan --json`` shows of an item: the decision and its diff, not the bodies."""
    data: dict[str, Any] = {
        "kind": item.kind,
        "resource": item.resource,
        "handle": item.handle,
        "blog": item.blog,
        "source": item.source,
        "id": item.id,
        "diff": [change.to_dict() for change in item.diff],
        "messages": list(item.messages),
        "hints": list(item.hints),
        "warnings": list(item.warnings),
    }
    if item.redirect:
        data["redirect"] = True
    return data


def plan_json(plan: Plan) -> dict[str, Any]:
    return {"summary": plan.summary(), "items": [item_json(item) for item in plan.items]}


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def plan_markdown(plan: Plan) -> str:
    """A GitHub-flavoured Markdown summary, e.g. for ``$GITHUB_STEP_SUMMARY``."""
    lines = ["### shopsync plan", "", f"**{summary_line(plan)}**", ""]
    shown = [item for item in plan.items if item.kind != "unchanged"]
    if not shown:
        lines.append("No changes: the store matches the files.")
        return "\n".join(lines) + "\n"
    lines += ["| | change | item | source | details |", "|---|---|---|---|---|"]
    for item in shown:
        details = "; ".join(
            [*item.messages, *(f"hint: {h}" for h in item.hints)]
            or [", ".join(c.field for c in item.diff if item.kind != "create")]
        )
        lines.append(
            f"| `{SYMBOLS[item.kind].strip() or ' '}` | {item.kind} | `{_md_escape(item.label)}` | "
            f"{_md_escape(item.source or '')} | {_md_escape(details)} |"
        )
    for item in shown:
        if item.kind not in ("update", "conflict") or not item.diff:
            continue
        body = [line for change in item.diff for line in change_lines(change)]
        lines += [
            "",
            f"<details><summary>{item.kind}: {_md_escape(item.label)}</summary>",
            "",
            "```diff",
            *body,
            "```",
            "",
            "</details>",
        ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------- push results


def result_summary(result: ApplyResult) -> str:
    counts = result.counts()
    parts = [f"{counts['ok']} ok", f"{counts['failed']} failed", f"{counts['skipped']} skipped"]
    return "Push: " + ", ".join(parts)


def result_json(result: ApplyResult) -> dict[str, Any]:
    return result.to_dict()

"""Plans and push results as text (Terraform-like), JSON-able dicts and Markdown.

Pure: every function returns a string or a dict; the CLI prints. Long text fields
(bodies, summaries) are shown as compact unified diffs, everything else as
``before → after``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shopsync.errors import Problem
from shopsync.plan import FieldChange, Plan, PlanItem, field_diff
from shopsync.renames import url_path

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
    """Changed lines with one line of context, each changed line as a word diff.

    Lines that were replaced one for one are shown once, with ``[-removed-]{+added+}``
    around the words that changed (as ``git diff --word-diff=plain``): a body whose
    paragraph gained a word shows that word, not the whole paragraph twice.
    """
    old = (before or "").splitlines()
    new = (after or "").splitlines()
    lines: list[str] = []
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(1):
        lines.append(f"@@ line {group[0][3] + 1} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += ["  " + line for line in old[i1:i2]]
            elif tag == "replace" and i2 - i1 == j2 - j1:
                lines += [
                    "~ " + word_diff(a, b) for a, b in zip(old[i1:i2], new[j1:j2], strict=True)
                ]
            else:
                lines += ["- " + line for line in old[i1:i2]]
                lines += ["+ " + line for line in new[j1:j2]]
    if len(lines) > max_lines:
        hidden = len(lines) - max_lines
        lines = [*lines[:max_lines], f"... {hidden} more diff line{'s' if hidden != 1 else ''}"]
    return lines


#: Words, runs of punctuation, tags and spaces: "showed" and "showed," differ by a comma.
_WORDS = re.compile(r"<[^>]*>|\w+|[^\w\s<]+|\s+")


def word_diff(before: str, after: str) -> str:
    """``after`` with ``[-removed-]`` and ``{+added+}`` where its words differ from ``before``."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    parts: list[tuple[str, str]] = []  # (tag, text): "=", "-" or "+"
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            parts.append(("=", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("-", "".join(old[i1:i2])))
        if j2 > j1:
            parts.append(("+", "".join(new[j1:j2])))
    return "".join(_marked(parts))


def _marked(parts: list[tuple[str, str]]) -> list[str]:
    """Slide a change's leading space past it (``did{+ not+} show`` reads ``did {+not +}show``)."""
    out: list[str] = []
    for index, (tag, text) in enumerate(parts):
        following = parts[index + 1] if index + 1 < len(parts) else None
        if tag != "=" and following is not None and following[0] == "=":
            lead = len(text) - len(text.lstrip())
            if lead and following[1][:lead] == text[:lead]:
                out.append(text[:lead])
                text = text[lead:] + following[1][:lead]
                parts[index + 1] = ("=", following[1][lead:])
        out.append(text if tag == "=" else f"[-{text}-]" if tag == "-" else f"{{+{text}+}}")
    return out


def shown(field: str, value: Any, item: PlanItem | None = None) -> Any:
    """A field's value as the file says it: product handles, not ids; the date in the
    file's own offset, not UTC."""
    desired = item.desired if item is not None else None
    if desired is None:
        return value
    if field == "featured_products" and isinstance(value, list):
        return [desired.product_handles.get(v, v) if isinstance(v, str) else v for v in value]
    if field == "publish_date" and isinstance(value, str) and desired.utc_offset:
        return local_time(value, desired.utc_offset)
    return value


def local_time(stamp: str, offset: str) -> str:
    """``2025-01-19T22:00:00Z`` at ``+11:00`` is ``2025-01-20T09:00:00+11:00``."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        zone = datetime.strptime(offset.replace(":", ""), "%z").tzinfo
    except ValueError:
        return stamp
    return moment.astimezone(zone).isoformat()


def change_lines(
    change: FieldChange, *, creating: bool = False, item: PlanItem | None = None
) -> list[str]:
    """One field change as display lines (no indentation)."""
    before, after = (
        shown(change.field, change.before, item),
        shown(change.field, change.after, item),
    )
    if creating:
        if after is None or after == [] or after == "":
            return []
        if change.field in TEXT_FIELDS:
            size = len(str(after))
            return [f"+ {change.field}: ({size:,} characters)"]
        return [f"+ {change.field}: {_short(after)}"]
    if change.field in TEXT_FIELDS and (isinstance(before, str) or isinstance(after, str)):
        return [
            f"~ {change.field}:",
            *(
                "    " + line
                for line in text_diff(
                    before if isinstance(before, str) else None,
                    after if isinstance(after, str) else None,
                )
            ),
        ]
    return [f"~ {change.field}: {_short(before)} → {_short(after)}"]


def _headline(item: PlanItem) -> str:
    symbol = SYMBOLS[item.kind]
    extra = []
    if item.source:
        extra.append(item.source)
    if item.kind in ("conflict", "error", "orphan"):
        extra.append(item.kind)
    renamed = renamed_from(item)
    if renamed is not None:
        whence = f" ({renamed['source']})" if renamed["source"] != item.source else ""
        extra.append(
            f"renamed from {renamed['handle']}{whence}, "
            f"redirect {renamed['path']} → {renamed['target']}"
        )
    if item.kind in ("unpublish", "delete"):
        extra.append(item.kind)
    suffix = f"  ({'; '.join(extra)})" if extra else ""
    return f"{symbol} {item.label}{suffix}"


def admin_edit(item: PlanItem) -> tuple[FieldChange, ...]:
    """A conflict's admin edit: what shopsync last wrote against what the store holds now
    (empty when the store did not keep what shopsync wrote)."""
    if item.kind != "conflict" or item.written is None or item.remote is None:
        return ()
    return field_diff(item.written, item.remote.fields, list(item.remote.fields))


def renamed_from(item: PlanItem) -> dict[str, Any] | None:
    """An update that changes the item's handle: its old handle and file, and the redirect
    from its old URL to the new one (``redirectNewHandle``), else None."""
    old = item.remote
    if not item.redirect or old is None:
        return None
    return {
        "handle": old.handle,
        "source": old.source,
        "path": url_path(old.resource, old.blog, old.handle),
        "target": url_path(item.resource, item.blog, item.handle),
    }


def item_lines(item: PlanItem, *, verbose: bool = False) -> list[str]:
    """An item's headline, its field changes and messages."""
    lines = [_headline(item)]
    if item.kind == "unchanged" and not verbose:
        return lines
    creating = item.kind == "create"
    admin = admin_edit(item)
    if admin:
        lines.append("    the admin changed (what shopsync wrote → the store now):")
        for change in admin:
            lines += ["        " + line for line in change_lines(change, item=item)]
        lines.append("    a push would write (the store now → the files):")
    indent = "        " if admin else "    "
    for change in item.diff:
        lines += [indent + line for line in change_lines(change, creating=creating, item=item)]
    for message in item.messages:
        lines.append(f"    {message}")
    for hint in item.hints:
        lines.append(f"    hint: {hint}")
    for warning in item.warnings:
        lines.append(f"    warning: {warning}")
    return lines


#: What each symbol means, for the legend under a plan (only the symbols it uses).
LEGEND: dict[str, str] = {
    "create": "+ create",
    "update": "~ update",
    "unpublish": "- unpublish (hidden, kept in the store)",
    "delete": "- delete",
    "conflict": "! conflict: edited in the Shopify admin since shopsync wrote it "
    "(push leaves it; --force overwrites)",
    "orphan": "? orphan: shopsync manages it but its file is gone (--prune removes it)",
    "error": "x error: not pushed, see its message",
}
_LINE_STYLES = {"+": "green", "-": "red", "~": "yellow", "!": "bold red", "x": "bold red"}


def legend(plan: Plan) -> str | None:
    kinds = {item.kind for item in plan.items}
    used = [text for kind, text in LEGEND.items() if kind in kinds]
    return "Legend: " + "; ".join(used) if used else None


def plan_text(plan: Plan, *, show_unchanged: bool = False) -> str:
    """The human plan: changed items with their diffs, a legend, then the summary line."""
    blocks: list[str] = []
    for item in plan.items:
        if item.kind == "unchanged" and not show_unchanged:
            if item.warnings:
                blocks.append("\n".join(item_lines(item, verbose=True)))
            continue
        blocks.append("\n".join(item_lines(item)))
    if not plan.has_changes and not plan.has_errors:
        blocks.append("No changes: the store matches the files.")
    reviewed = reviewed_lines(plan)
    if reviewed:
        blocks.append("\n".join(reviewed))
    key = legend(plan)
    if key:
        blocks.append(key)
    blocks.append(summary_line(plan))
    return "\n\n".join(blocks)


def plan_styles(plan: Plan) -> Iterable[tuple[str, str]]:
    """(text, rich style) pairs, for a coloured rendering of ``plan_text``: each headline in
    its kind's colour, each diff line by its sign."""
    for item in plan.items:
        if item.kind == "unchanged" and not item.warnings:
            continue
        for index, line in enumerate(item_lines(item)):
            sign = line.lstrip()[:1]
            yield line, STYLES[item.kind] if index == 0 else _LINE_STYLES.get(sign, "")
        yield "", ""
    if not plan.has_changes and not plan.has_errors:
        yield "No changes: the store matches the files.", "green"
        yield "", ""
    for line in reviewed_lines(plan):
        yield line, "dim"
    if plan.reviewed:
        yield "", ""
    key = legend(plan)
    if key:
        yield key, "dim"
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
    renamed = renamed_from(item)
    if renamed is not None:
        data["redirect"] = True
        data["renamed_from"] = renamed
    admin = admin_edit(item)
    if admin:
        data["admin_edit"] = [change.to_dict() for change in admin]
    return data


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "summary": plan.summary(),
        "items": [item_json(item) for item in plan.items],
        "reviewed_claims": [dict(finding) for finding in plan.reviewed],
    }


def _where(finding: Mapping[str, Any]) -> str:
    line = finding.get("line")
    return f"{finding['path']}:{line}" if line else str(finding["path"])


def reviewed_lines(plan: Plan) -> list[str]:
    """The claims let through after review: where, which rule, the sentence and why."""
    lines = []
    for finding in plan.reviewed:
        where = _where(finding)
        lines.append(
            f"  {where}  {finding['rule']}: “{finding['sentence']}” ({finding.get('reason')})"
        )
    return ["Reviewed claims (suppressed in the files):", *lines] if lines else []


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def problems_markdown(
    problems: Sequence[Problem], warnings: Sequence[Problem], *, heading: bool = True
) -> str:
    """The files' problems (nothing was planned) or warnings, as Markdown for a PR comment:
    each at its file and line, with its hint."""
    lines = ["### shopsync plan", "", "**The files have problems: nothing was planned.**", ""]
    lines = lines if heading and problems else []
    for title, found in (("Problems", problems), ("Warnings", warnings)):
        if not found:
            continue
        lines += [f"#### {title}", ""]
        for problem in found:
            field = f" `{problem.field}`" if problem.field else ""
            hint = f" ({_md_escape(problem.hint)})" if problem.hint else ""
            lines.append(f"- `{problem.location()}`{field}: {_md_escape(problem.message)}{hint}")
        lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")


def plan_markdown(plan: Plan) -> str:
    """A GitHub-flavoured Markdown summary, e.g. for ``$GITHUB_STEP_SUMMARY``."""
    lines = ["### shopsync plan", "", f"**{summary_line(plan)}**", ""]
    if plan.reviewed:
        lines += ["Reviewed claims (suppressed in the files, with the reason given):", ""]
        for finding in plan.reviewed:
            where = (
                f"{finding['path']}:{finding['line']}" if finding.get("line") else finding["path"]
            )
            lines.append(
                f"- `{_md_escape(where)}` {finding['rule']}: “{_md_escape(finding['sentence'])}” "
                f"— {_md_escape(str(finding.get('reason')))}"
            )
        lines.append("")
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


_DONE = {
    "create": "created",
    "update": "updated",
    "rename": "updated",
    "unpublish": "unpublished",
    "delete": "deleted",
    "none": "unchanged",
}


def result_summary(result: ApplyResult) -> str:
    """What happened, in words: ``Push: 1 created, 2 updated, 5 unchanged, 1 failed``."""
    counts: dict[str, int] = {}
    for item in result.items:
        if item.status == "ok":
            word = _DONE.get(item.action, item.action)
        elif item.status == "failed":
            word = "failed"
        else:
            word = "held back" if item.kind in ("conflict", "error") else "skipped"
        counts[word] = counts.get(word, 0) + 1
    order = [*dict.fromkeys(_DONE.values()), "failed", "held back", "skipped"]
    parts = [f"{counts[word]} {word}" for word in order if counts.get(word)]
    return "Push: " + (", ".join(parts) if parts else "nothing to do")


def result_json(result: ApplyResult) -> dict[str, Any]:
    return result.to_dict()

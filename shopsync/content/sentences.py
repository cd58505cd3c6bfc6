"""Markdown → the sentences a reader sees, each with the file lines it came from.

What a reader does not read as the writer's own words is dropped or marked here, so the
claim rules never see it: code, link and image URLs, raw HTML and HTML comments are
dropped; block quotes are marked (quotation); a list keeps the sentence that introduces it
("This study does NOT claim:") so a negation there can cover its items. Parsing is
markdown-it's, configured as the renderer's, so what counts as a list or a code block is
exactly what the store will show.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

# An HTML comment, possibly over several lines (suppressions are read from the raw text).
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BARE_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# A sentence ends at . ! ? (or several), then any closing quotes or brackets, then a space.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")
_ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "vs",
        "etc",
        "fig",
        "al",
        "approx",
        "no",
        "u.s",
        "u.k",
        "st",
        "vol",
        "ed",
    }
)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Sentence:
    """One sentence as written (markup gone), located in its file."""

    text: str
    line: int | None  # first line in the file (None: not known)
    last_line: int | None
    field: str | None = None  # the front-matter key it came from; None for the body
    block_quote: bool = False
    lead_in: str | None = None  # the sentence ending in ':' that introduced its list


@cache
def _markdown() -> MarkdownIt:
    # As shopsync.content.render's: CommonMark plus GFM tables and strikethrough.
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    return md


def without_comments(markdown: str) -> str:
    """``markdown`` with its HTML comments removed, each line kept where it was."""
    return HTML_COMMENT.sub(lambda match: "\n" * match.group().count("\n"), markdown)


def markdown_sentences(
    markdown: str, *, first_line: int = 1, field: str | None = None
) -> list[Sentence]:
    """Every sentence of ``markdown``; its line 1 is line ``first_line`` of the file."""
    tokens = _markdown().parse(without_comments(markdown))
    sentences: list[Sentence] = []
    quote_depth = 0
    list_lead_ins: list[str | None] = []
    previous_block: list[Sentence] = []  # sentences of the block just before this token
    block_line = 0
    for token in tokens:
        if token.map is not None:
            block_line = token.map[0]
        if token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lead_in = _lead_in(previous_block)
            inherited = list_lead_ins[-1] if list_lead_ins else None
            list_lead_ins.append(lead_in or inherited)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_lead_ins.pop()
        elif token.type == "inline":
            line = first_line + (token.map[0] if token.map is not None else block_line)
            block = [
                Sentence(
                    text=text,
                    line=start if field is None else first_line,
                    last_line=end if field is None else first_line,
                    field=field,
                    block_quote=quote_depth > 0,
                    lead_in=list_lead_ins[-1] if list_lead_ins else None,
                )
                for text, start, end in _split(_inline_text(token.children or [], line))
            ]
            sentences.extend(block)
            previous_block = block
        elif token.type in ("fence", "code_block", "html_block", "hr", "table_open"):
            previous_block = []
    return sentences


def plain_sentences(text: str, *, line: int | None, field: str) -> list[Sentence]:
    """The sentences of a plain-text field (a title, an SEO description)."""
    return [
        Sentence(text=part, line=line, last_line=line, field=field)
        for part, _start, _end in _split([(text.replace("\n", " "), 0)])
    ]


def _lead_in(block: list[Sentence]) -> str | None:
    if block and block[-1].text.rstrip(" *_").endswith(":"):
        return block[-1].text
    return None


def _inline_text(children: list[Token], line: int) -> list[tuple[str, int]]:
    """The inline's readable text as (piece, line) runs; URLs and code left out."""
    runs: list[tuple[str, int]] = []
    in_autolink = False
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            runs.append((" ", line))
            line += 1
        elif child.type == "link_open":
            in_autolink = child.markup == "autolink"
        elif child.type == "link_close":
            in_autolink = False
        elif child.type == "text" and not in_autolink:
            runs.append((_BARE_URL.sub(" ", child.content), line))
        elif child.type == "code_inline":
            runs.append((" ", line))
    return runs


def _split(runs: list[tuple[str, int]]) -> Iterator[tuple[str, int | None, int | None]]:
    """(sentence, first line, last line) for each sentence in the runs' joined text."""
    text = "".join(piece for piece, _line in runs)
    lines: list[int] = []
    for piece, line in runs:
        lines.extend([line] * len(piece))
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if _is_abbreviation(text, match.start()):
            continue
        yield from _sentence(text, lines, start, match.end())
        start = match.end()
    yield from _sentence(text, lines, start, len(text))


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = text[:dot].rsplit(None, 1)[-1] if text[:dot].strip() else ""
    return word.lower().strip('("“') in _ABBREVIATIONS or bool(re.fullmatch(r"[A-Z]", word))


def _sentence(
    text: str, lines: list[int], start: int, end: int
) -> Iterator[tuple[str, int | None, int | None]]:
    raw = text[start:end]
    stripped = raw.strip()
    if not stripped or not _LETTER.search(stripped):
        return
    first = start + (len(raw) - len(raw.lstrip()))
    last = first + len(stripped) - 1
    yield " ".join(stripped.split()), lines[first], lines[last]


_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])\s")
_FENCE = re.compile(r"\s{0,3}(```|~~~)")


def _chunks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line ranges between blank lines, never splitting a fenced code block or
    an HTML comment (either may hold blank lines)."""
    chunks: list[tuple[int, int]] = []
    start: int | None = None
    fence: str | None = None
    in_comment = False
    for index, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        if "<!--" in line and "-->" not in line.split("<!--")[-1]:
            in_comment = True
        elif in_comment and "-->" in line:
            in_comment = False
        blank = not line.strip() and fence is None and not in_comment
        if blank:
            if start is not None:
                chunks.append((start, index))
                start = None
        elif start is None:
            start = index
    if start is not None:
        chunks.append((start, len(lines)))
    return chunks


def triggered_sentences(
    markdown: str,
    trigger: re.Pattern[str] | None,
    *,
    first_line: int = 1,
    words: tuple[str, ...] | None = None,
) -> list[Sentence]:
    """``markdown_sentences`` of only the blocks that contain a trigger word, each with the
    block before it (back through a list's items and indented parts to what introduces the
    list): a block without one breaks no rule, and parsing is most of the linter's cost.
    ``words`` (one of which any trigger needs) spare the regex most blocks."""
    if trigger is None:
        return markdown_sentences(markdown, first_line=first_line)
    if words is not None:
        whole = markdown.lower()
        if not any(word in whole for word in words):
            return []
    lines = markdown.split("\n")
    chunks = _chunks(lines)
    wanted: set[int] = set()
    for index, (start, end) in enumerate(chunks):
        text = "\n".join(lines[start:end])
        if words is not None:
            lower = text.lower()
            if not any(word in lower for word in words):
                continue
        if not trigger.search(text):
            continue
        wanted.add(index)
        step = index
        while step > 0:  # the block before, and on while this one is a list's item or part
            first = lines[chunks[step][0]]
            inside = first[:1].isspace() or _LIST_ITEM.match(first.lstrip()) is not None
            step -= 1
            wanted.add(step)
            if not inside:
                break
    runs: list[list[int]] = []  # consecutive chunks are parsed together
    for index in sorted(wanted):
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    sentences: list[Sentence] = []
    for run in runs:
        start, end = chunks[run[0]][0], chunks[run[-1]][1]
        text = "\n".join(lines[start:end])
        sentences.extend(markdown_sentences(text, first_line=first_line + start))
    return sentences

"""The health-claim linter: each sentence of an article against the claim rules.

It reads language, not keywords: a claim word inside a negation's scope ("this study does
not say NMES treats pain"), in a question, in quoted speech or a block quote, or in the
cited study's own title is not a claim. Everything else that matches a rule is a
``Finding`` with the rule's source and a softer wording. A reviewed sentence is kept with
``<!-- shopsync: allow RULE_ID -- reason -->`` on its line or the line before; the finding
is still returned, marked suppressed with the reason, so a plan can show it.

Plain regular expressions over markdown-it's text, no language model: the packaged rules
lint the sample articles in about a millisecond each (see the README).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Any

from shopsync.content.claims_rules import Rule, Rules
from shopsync.content.loader import Content, KeyPath
from shopsync.content.models import Article, Page, first_paragraph
from shopsync.content.sentences import (
    Sentence,
    markdown_sentences,
    plain_sentences,
    triggered_sentences,
)

SUPPRESSION = re.compile(r"<!--\s*shopsync:\s*allow\b(?P<body>.*?)-->", re.DOTALL)
SHORT_SCOPE_WORDS = 3  # a `short` negation cue covers its noun phrase: this many words
SUPPRESSION_SOURCE = "shopsync (inline suppression)"
SUPPRESSION_SYNTAX = "<!-- shopsync: allow RULE_ID -- why this sentence is acceptable -->"

# Where one clause ends and the next begins: a negation does not reach past these.
_CLAUSE_BREAK = re.compile(
    r";|:(?!\d)|\s[—–-]\s|—|(?:,\s*|\s+)(?:but|however|whereas|although|though|instead)\b"
    r"|,\s*(?:yet|while|so)\b",
    re.IGNORECASE,
)
_DOUBLE_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_QUESTION_END = re.compile(r"\?[\s\"'”’)\]*_]*$")
_WORD = re.compile(r"[\w'-]+")
_SUBORDINATE = re.compile(
    r"\W*(?:even )?(?:if|when|whenever|unless|because|since|whether|as long as|once)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    """One sentence that breaks one rule, located and explained."""

    path: str
    line: int | None
    sentence: str
    rule: str
    severity: str
    message: str
    source: str
    suggestion: str
    suppressed: bool = False
    reason: str | None = None
    field: str | None = None  # the front-matter key, None for the body

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Suppression:
    line: int
    rules: tuple[str, ...]
    reason: str


def lint_content(
    content: Content,
    rules: Rules,
    *,
    body_lines: Mapping[str, int] | None = None,
    key_lines: Mapping[str, Mapping[KeyPath, int]] | None = None,
    only: Callable[[str], bool] | None = None,
) -> list[Finding]:
    """Every article's and page's findings, in file order (``only``: of the files it picks).

    ``body_lines`` (path → the file line the body starts on) and ``key_lines`` (path →
    front-matter key → line, as ``LoadedFile`` has them) make the lines file lines; without
    them body lines count from the body's first line and front-matter findings have none.
    """
    findings: list[Finding] = []
    items: list[Article | Page] = [*content.articles, *content.pages]
    for item in sorted(items, key=lambda each: each.source_path):
        path = item.source_path
        if only is not None and not only(path):
            continue
        body_line = (body_lines or {}).get(path, 1)
        lines = (key_lines or {}).get(path)
        if isinstance(item, Article):
            findings.extend(lint_article(item, rules, body_line=body_line, key_lines=lines))
        else:
            findings.extend(lint_page(item, rules, body_line=body_line, key_lines=lines))
    return findings


def lint_article(
    article: Article,
    rules: Rules,
    *,
    body_line: int = 1,
    key_lines: Mapping[KeyPath, int] | None = None,
) -> list[Finding]:
    """One article's findings: its title, summary, SEO text and body."""
    fields: list[tuple[str, str | None]] = [("title", article.title)]
    fields.append(("summary", article.summary))
    if article.seo is not None:
        fields += [("seo.title", article.seo.title), ("seo.description", article.seo.description)]
    return lint_markdown(
        article.source_path,
        article.body,
        rules,
        html=article.format == "html",
        has_citation=article.citation is not None,
        featured_products=article.featured_products,
        citation_title=article.citation.title if article.citation is not None else None,
        first_line=body_line,
        fields=_located(fields, key_lines),
    )


def lint_page(
    page: Page,
    rules: Rules,
    *,
    body_line: int = 1,
    key_lines: Mapping[KeyPath, int] | None = None,
) -> list[Finding]:
    """A page's findings (a page has no citation and features no product)."""
    # A notice not written in the front matter is the body's first paragraph: read once.
    notice = None if page.notice == first_paragraph(page.body) else page.notice
    fields: list[tuple[str, str | None]] = [("title", page.title), ("notice", notice)]
    if page.seo is not None:
        fields += [("seo.title", page.seo.title), ("seo.description", page.seo.description)]
    return lint_markdown(
        page.source_path,
        page.body,
        rules,
        html=page.format == "html",
        has_citation=False,
        featured_products=(),
        citation_title=None,
        first_line=body_line,
        fields=_located(fields, key_lines),
    )


def _located(
    fields: Sequence[tuple[str, str | None]], key_lines: Mapping[KeyPath, int] | None
) -> list[tuple[str, str, int | None]]:
    return [
        (name, text, (key_lines or {}).get(tuple(name.split(".")))) for name, text in fields if text
    ]


def lint_markdown(
    path: str,
    body: str,
    rules: Rules,
    *,
    has_citation: bool,
    featured_products: Sequence[str],
    citation_title: str | None,
    first_line: int = 1,
    fields: Iterable[tuple[str, str, int | None]] = (),
    html: bool = False,
) -> list[Finding]:
    """The findings of one Markdown ``body`` (and front-matter ``fields``: name, text, line).

    ``first_line`` is the file line the body starts on. Suppressions are read from the body.
    An ``html`` body (``format: html``, as ``pull`` writes one that Markdown cannot
    round-trip) is read through markdownify: its findings have no line, and it takes no
    suppressions.
    """
    sentences: list[Sentence] = []
    for name, text, line in fields:
        if name == "summary" or name == "notice":
            sentences.extend(
                replace(sentence, line=line, last_line=line)
                for sentence in markdown_sentences(text, field=name)
            )
        else:
            sentences.extend(plain_sentences(text, line=line, field=name))
    if html:
        sentences.extend(
            replace(sentence, line=None, last_line=None)
            for sentence in markdown_sentences(_html_text(body))
        )
        body = ""  # no suppressions: their lines could not be matched
    else:
        sentences.extend(
            triggered_sentences(
                body, rules.trigger, first_line=first_line, words=rules.trigger_words
            )
        )
    applicable = [
        rule
        for rule in rules.rules
        if rule.when is None
        or (rule.when == "featured_products" and bool(featured_products))
        or (rule.when == "no_citation" and not has_citation)
    ]
    title = _normal(citation_title) if citation_title else None
    findings = [
        Finding(
            path=path,
            line=sentence.line,
            sentence=sentence.text,
            rule=rule.id,
            severity=rule.severity,
            message=rule.message,
            source=rule.source,
            suggestion=rule.suggestion,
            field=sentence.field,
        )
        for sentence in sentences
        for rule in sentence_rules(sentence, applicable, rules, citation_title=title)
    ]
    suppressions, problems = read_suppressions(body, path=path, rules=rules, first_line=first_line)
    marked = _apply_suppressions(findings, sentences, suppressions, path) + problems
    return sorted(marked, key=lambda finding: finding.line or 0)  # stable: rule order kept


def _html_text(fragment: str) -> str:
    """An HTML body as Markdown, for reading only (the conversion ``pull`` uses)."""
    from markdownify import markdownify  # only HTML bodies need it

    return str(markdownify(fragment, heading_style="ATX", bullets="-"))


def sentence_rules(
    sentence: Sentence, applicable: Sequence[Rule], rules: Rules, *, citation_title: str | None
) -> list[Rule]:
    """The rules ``sentence`` breaks (``citation_title`` already normalised)."""
    if _QUESTION_END.search(sentence.text):
        return []
    text = _expanded(sentence.text)
    if citation_title:
        normal = _normal(text)
        if len(normal.split()) >= 3 and normal in citation_title:
            return []
        text = _title_pattern(citation_title).sub(" ", text)
    if rules.ignore is not None:
        text = rules.ignore.sub(" ", text)
    if rules.trigger is None or not rules.trigger.search(text):
        return []
    if sentence.lead_in is not None and _negates(_expanded(sentence.lead_in), rules):
        return []  # an item of a list introduced by "This study does NOT claim:"
    unquoted = _DOUBLE_QUOTED.sub(lambda m: " " * len(m.group()), text)
    whole = [(clause, negation_scopes(clause, rules)) for clause in _clauses(text)]
    clauses = {
        True: whole,
        False: whole
        if unquoted == text
        else [(clause, negation_scopes(clause, rules)) for clause in _clauses(unquoted)],
    }
    return [
        rule
        for rule in applicable
        if (rule.in_quotes or not sentence.block_quote)
        and any(_breaks(rule, clause, scopes) for clause, scopes in clauses[rule.in_quotes])
    ]


def _breaks(rule: Rule, clause: str, scopes: Sequence[tuple[int, int]]) -> bool:
    if not _matches(rule.pattern, clause, scopes):
        return False
    return rule.requires is None or _matches(rule.requires, clause, scopes)


def _matches(pattern: re.Pattern[str], clause: str, scopes: Sequence[tuple[int, int]]) -> bool:
    """Whether ``pattern`` matches somewhere in ``clause`` outside every negation scope."""
    return any(
        not any(start <= match.start() < end for start, end in scopes)
        for match in pattern.finditer(clause)
    )


def negation_scopes(clause: str, rules: Rules) -> list[tuple[int, int]]:
    """The character ranges of ``clause`` that a negation cue covers."""

    def cues(group: str) -> list[re.Match[str]]:
        pattern = rules.negation.get(group)
        return [] if pattern is None else list(pattern.finditer(clause))

    pseudo = [match.span() for match in cues("pseudo")]

    def real(match: re.Match[str]) -> bool:
        return not any(start <= match.start() < end for start, end in pseudo)

    scopes = [(m.end(), _clause_scope_end(clause, m.end())) for m in cues("clause") if real(m)]
    for match in cues("short"):
        if real(match):
            words = list(_WORD.finditer(clause, match.end()))[:SHORT_SCOPE_WORDS]
            scopes.append((match.end(), words[-1].end() if words else match.end()))
    scopes += [(0, m.start()) for m in cues("after") if real(m)]
    return scopes


def _clause_scope_end(clause: str, cue_end: int) -> int:
    """Where a clause cue's scope ends: the clause's end, or the comma that closes a leading
    subordinate clause ("If it does not help, ..." leaves the main clause un-negated)."""
    if _SUBORDINATE.match(clause):
        comma = clause.find(",", cue_end)
        if comma != -1:
            return comma
    return len(clause)


def _negates(lead_in: str, rules: Rules) -> bool:
    """Whether a list's lead-in ("This study does NOT claim:") negates its items."""
    return any(negation_scopes(clause, rules) for clause in _clauses(lead_in.rstrip(" :*_")))


def _clauses(text: str) -> list[str]:
    return [part for part in _CLAUSE_BREAK.split(text) if part.strip()]


def _expanded(text: str) -> str:
    """Curly apostrophes straightened and contractions written out ("doesn't" → "does not")."""
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"\b(can)'t\b", r"\1not", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(wo)n't\b", "will not", text, flags=re.IGNORECASE)
    return re.sub(r"n't\b", " not", text, flags=re.IGNORECASE)


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@cache
def _title_pattern(normal_title: str) -> re.Pattern[str]:
    """The cited title as written anywhere in a sentence, whatever its punctuation."""
    words = r"\W+".join(re.escape(word) for word in normal_title.split())
    return re.compile(words, re.IGNORECASE)


def read_suppressions(
    body: str, *, path: str, rules: Rules, first_line: int = 1
) -> tuple[list[Suppression], list[Finding]]:
    """The body's ``shopsync: allow`` comments, and a finding for each one that is void."""
    suppressions: list[Suppression] = []
    problems: list[Finding] = []
    for match in SUPPRESSION.finditer(body):
        line = first_line + body.count("\n", 0, match.start())
        ids_text, _dashes, reason = match.group("body").partition("--")
        ids = tuple(part for part in re.split(r"[\s,]+", ids_text.strip()) if part)
        reason = " ".join(reason.split())
        comment = " ".join(match.group().split())
        if not ids or not reason:
            problems.append(
                _meta(
                    path,
                    line,
                    comment,
                    "suppression-needs-reason",
                    "error",
                    "a suppression must name the rule and give the reason it is acceptable",
                )
            )
            continue
        known = tuple(rule_id for rule_id in ids if rule_id in rules.ids())
        unknown = [rule_id for rule_id in ids if rule_id not in known]
        if unknown:
            problems.append(
                _meta(
                    path,
                    line,
                    comment,
                    "suppression-unknown-rule",
                    "error",
                    f"no claim rule is called {', '.join(unknown)}",
                )
            )
        if known:
            suppressions.append(Suppression(line=line, rules=known, reason=reason))
    return suppressions, problems


def _meta(path: str, line: int, comment: str, rule: str, severity: str, message: str) -> Finding:
    return Finding(
        path=path,
        line=line,
        sentence=comment,
        rule=rule,
        severity=severity,
        message=message,
        source=SUPPRESSION_SOURCE,
        suggestion=f"write {SUPPRESSION_SYNTAX} on the sentence's line or the line before",
    )


def _apply_suppressions(
    findings: list[Finding],
    sentences: Sequence[Sentence],
    suppressions: Sequence[Suppression],
    path: str,
) -> list[Finding]:
    """Findings a suppression covers marked so; a suppression that covers none is a warning."""
    spans = {
        (sentence.text, sentence.line): (sentence.line, sentence.last_line)
        for sentence in sentences
        if sentence.field is None
    }
    used: set[int] = set()
    marked: list[Finding] = []
    for finding in findings:
        span = spans.get((finding.sentence, finding.line)) if finding.field is None else None
        for index, suppression in enumerate(suppressions):
            if span is None or finding.rule not in suppression.rules:
                continue
            first, last = span
            if first is None or last is None:
                continue
            if first == suppression.line + 1 or first <= suppression.line <= last:
                finding = replace(finding, suppressed=True, reason=suppression.reason)
                used.add(index)
                break
        marked.append(finding)
    for index, suppression in enumerate(suppressions):
        if index not in used:
            marked.append(
                Finding(
                    path=path,
                    line=suppression.line,
                    sentence=f"allow {' '.join(suppression.rules)}",
                    rule="suppression-unused",
                    severity="warning",
                    message="this suppression covers no finding on its line or the next",
                    source=SUPPRESSION_SOURCE,
                    suggestion="remove it, or move it to the line before the sentence",
                )
            )
    return marked

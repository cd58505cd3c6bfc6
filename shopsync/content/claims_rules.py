"""The health-claim rules: the packaged file, a repository's additions, compiled once.

Rules are data (``claims_rules.yaml``) so staff can add a phrase or a condition without
touching code; a repository's ``shopsync-claims.yaml`` is merged over the packaged file
(lists added to, rules added or amended). The format is the README's "Health-claim checks".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopsync.errors import ConfigError

REPOSITORY_RULES_FILE = "shopsync-claims.yaml"
Severity = Literal["error", "warning"]
Condition = Literal["featured_products", "no_citation"]
NEGATION_GROUPS = ("clause", "short", "after", "pseudo")

_SPACES = re.compile(" +")
_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


class RuleSpec(BaseModel):
    """One rule as written in a rules file (an amendment may leave fields out)."""

    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    kind: str | None = None
    severity: Severity | None = None
    patterns: list[str] = Field(default_factory=list)
    requires: str | None = None
    when: Condition | None = None
    in_quotes: bool | None = None
    source: str | None = None
    message: str | None = None
    suggestion: str | None = None
    enabled: bool = True


class RulesFile(BaseModel):
    model_config = _STRICT

    version: Literal[1] = 1
    terms: dict[str, list[str]] = Field(default_factory=dict)
    negation: dict[Literal["clause", "short", "after", "pseudo"], list[str]] = Field(
        default_factory=dict
    )
    ignore: list[str] = Field(default_factory=list)
    rules: list[RuleSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    """A compiled rule: what it matches, when it applies and what to tell the writer."""

    id: str
    kind: str
    severity: Severity
    pattern: re.Pattern[str]  # all its patterns as one alternation
    requires: re.Pattern[str] | None
    when: Condition | None
    in_quotes: bool
    source: str
    message: str
    suggestion: str
    # One of these must appear in a sentence for the rule to break: its own patterns, or
    # those of ``requires`` (the benefit words, rarer than the conditions they go with).
    triggers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    """Every rule, the negation cues and the ignored phrases, compiled."""

    rules: tuple[Rule, ...]
    negation: Mapping[str, re.Pattern[str] | None]  # each group's cues as one alternation
    ignore: re.Pattern[str] | None
    sources: tuple[str, ...]  # the files they came from, packaged one first
    # Any rule's triggers: a sentence this does not match breaks no rule, so the negation
    # and clause work is skipped for it (most sentences; a third of the linter's time).
    trigger: re.Pattern[str] | None = None
    #: One word each trigger cannot match without (lowercase), for a substring test before
    #: the regex; None when some trigger has no such word (then every block is searched).
    trigger_words: tuple[str, ...] | None = None

    def ids(self) -> frozenset[str]:
        return frozenset(rule.id for rule in self.rules)


def compile_patterns(patterns: Sequence[str]) -> re.Pattern[str]:
    """Whole words, case-insensitive; a space in a pattern matches any run of spaces.

    One alternation for all of them: matching a clause against a rule is one regex search.
    """
    bodies = "|".join("(?:" + _SPACES.sub(r"\\s+", pattern.strip()) + ")" for pattern in patterns)
    return re.compile(rf"(?<!\w)(?:{bodies})(?!\w)", re.IGNORECASE)


def load_rules(root: Path | None = None) -> Rules:
    """The packaged rules, with ``root/shopsync-claims.yaml`` merged over them if present."""
    packaged = files("shopsync.content").joinpath("claims_rules.yaml").read_text("utf-8")
    layers = [("shopsync/content/claims_rules.yaml", _parse(packaged, "packaged claim rules"))]
    if root is not None:
        extra = root / REPOSITORY_RULES_FILE
        if extra.is_file():
            try:
                text = extra.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"cannot read {REPOSITORY_RULES_FILE}: {exc}",
                    hint="save it as UTF-8 text",
                ) from exc
            layers.append((REPOSITORY_RULES_FILE, _parse(text, REPOSITORY_RULES_FILE)))
    return build_rules(layers)


def _parse(text: str, name: str) -> RulesFile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{name} is not valid YAML: {exc}", hint="check its indentation"
        ) from None
    if data is None:
        data = {}
    try:
        return RulesFile.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(
            f"{name} is not a claim-rules file: {where}",
            hint="see the README's 'Health-claim checks' for the format",
        ) from None


def build_rules(layers: Sequence[tuple[str, RulesFile]]) -> Rules:
    """Merge the layers in order (later ones add to earlier ones) and compile them."""
    terms: dict[str, list[str]] = {}
    negation: dict[str, list[str]] = {group: [] for group in NEGATION_GROUPS}
    ignore: list[str] = []
    merged: dict[str, dict[str, Any]] = {}
    for name, layer in layers:
        for term, patterns in layer.terms.items():
            terms.setdefault(term, []).extend(patterns)
        for group, cues in layer.negation.items():
            negation[group].extend(cues)
        ignore.extend(layer.ignore)
        for spec in layer.rules:
            given = spec.model_dump(exclude_unset=True)
            if spec.id in merged:
                rule = merged[spec.id]
                rule["patterns"] = [*rule["patterns"], *given.pop("patterns", [])]
                rule.update(given)
            else:
                merged[spec.id] = {"patterns": [], **given, "file": name}
    rules = tuple(
        _compile_rule(spec, terms) for spec in merged.values() if spec.get("enabled", True)
    )
    return Rules(
        rules=rules,
        negation={
            group: _compiled(cues, f"negation cue in {group}") if cues else None
            for group, cues in negation.items()
        },
        ignore=_compiled(ignore, "ignore") if ignore else None,
        sources=tuple(name for name, _layer in layers),
        trigger=compile_patterns([t for rule in rules for t in rule.triggers]) if rules else None,
        trigger_words=required_words([t for rule in rules for t in rule.triggers]),
    )


_QUANTIFIER = frozenset("?*+{")


def required_words(patterns: Sequence[str]) -> tuple[str, ...] | None:
    """Words of which a text must hold one to match any of ``patterns`` (lowercase): per
    pattern, its longest word outside any group or optional part, or a group it cannot do
    without whose every alternative has such a word. None if a pattern has neither (of three
    letters or more): then nothing can be skipped."""
    words: set[str] = set()
    for pattern in patterns:
        found = _required(pattern)
        if found is None:
            return None
        words |= found
    return tuple(sorted(words))


_WORD_CHARS = re.compile(r"[\w'-]+")


def _required(pattern: str) -> frozenset[str] | None:
    """The best set of words one of which ``pattern`` needs (see ``required_words``)."""
    options: list[frozenset[str]] = []
    depth, start, literal = 0, 0, ""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        optional = index + 1 < len(pattern) and pattern[index + 1] in _QUANTIFIER
        if char == "\\":
            options += _words_of(literal)
            literal, index = "", index + 2
            continue
        if char == "(":
            if depth == 0:
                options += _words_of(literal)
                literal, start = "", index
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and not optional:
                alternatives = _top_alternatives(pattern[start + 1 : index])
                best = [max(_WORD_CHARS.findall(a), key=len, default="") for a in alternatives]
                if best and all(len(word) >= 3 for word in best):
                    options.append(frozenset(word.lower() for word in best))
        elif char == "[" and depth == 0:
            options += _words_of(literal)
            literal = ""
            index = pattern.index("]", index)
        elif char == "|" and depth == 0:
            return None  # a top-level alternation: no word is required
        elif depth == 0:
            if optional:
                options += _words_of(literal)
                literal = ""
            else:
                literal += char
        index += 1
    options += _words_of(literal)
    if not options:
        return None
    return max(options, key=lambda words: min(len(word) for word in words))


def _words_of(literal: str) -> list[frozenset[str]]:
    return [frozenset({w.lower()}) for w in _WORD_CHARS.findall(literal) if len(w) >= 3]


def _top_alternatives(group: str) -> list[str]:
    """``a|b(c|d)|e`` → ``["a", "b(c|d)", "e"]``; a nested alternative's words are not
    required, so only its text outside parentheses is kept."""
    parts, depth, current = [], 0, ""
    for char in group:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(current)
            current = ""
            continue
        elif depth == 0:
            current += char
    parts.append(current)
    return parts


def _compile_rule(spec: Mapping[str, Any], terms: Mapping[str, list[str]]) -> Rule:
    rule_id = str(spec["id"])
    missing = [
        key for key in ("kind", "severity", "source", "message", "suggestion") if not spec.get(key)
    ]
    if missing or not spec["patterns"]:
        needed = [*missing, *([] if spec["patterns"] else ["patterns"])]
        raise ConfigError(
            f"claim rule {rule_id!r} in {spec['file']} has no {', '.join(needed)}",
            hint="a new rule needs id, kind, severity, patterns, source, message and suggestion",
        )
    patterns = _expand(spec["patterns"], terms, rule_id)
    required = _expand([f"@{spec['requires']}"], terms, rule_id) if spec.get("requires") else []
    requires = _compiled(required, f"rule {rule_id!r}") if required else None
    return Rule(
        id=rule_id,
        kind=str(spec["kind"]),
        severity=spec["severity"],
        pattern=_compiled(patterns, f"rule {rule_id!r}"),
        requires=requires,
        when=spec.get("when"),
        in_quotes=bool(spec.get("in_quotes", False)),
        source=" ".join(str(spec["source"]).split()),
        message=" ".join(str(spec["message"]).split()),
        suggestion=" ".join(str(spec["suggestion"]).split()),
        triggers=tuple(required or patterns),
    )


def _expand(patterns: Sequence[str], terms: Mapping[str, list[str]], rule_id: str) -> list[str]:
    """The rule's patterns with each "@name" replaced by that term list's patterns."""
    expanded: list[str] = []
    for pattern in patterns:
        if pattern.startswith("@"):
            name = pattern[1:]
            if name not in terms:
                raise ConfigError(
                    f"claim rule {rule_id!r} refers to term list {name!r}, which no rules "
                    "file defines",
                    hint=f"add it under terms:, or use one of {', '.join(sorted(terms))}",
                )
            expanded.extend(terms[name])
        else:
            expanded.append(pattern)
    return expanded


def _compiled(patterns: Sequence[str], where: str) -> re.Pattern[str]:
    """``compile_patterns``, naming the first bad pattern when one does not compile."""
    for pattern in patterns:
        try:
            compile_patterns([pattern])
        except re.error as exc:
            raise ConfigError(
                f"claim pattern {pattern!r} ({where}) is not a valid regular expression: {exc}",
                hint="escape a literal . ( ) [ ] ? * + with a backslash",
            ) from None
    return compile_patterns(patterns)

"""The health-claim linter (issue 14): rules, language (negation, quotation, questions, the
cited title), suppressions, the repository's rules file, the seed, the samples, the corpus."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from shopsync.content.claims import Finding, lint_article, lint_content, lint_markdown
from shopsync.content.claims_rules import REPOSITORY_RULES_FILE, Rules, load_rules
from shopsync.content.loader import load_content, load_file
from shopsync.content.models import Article
from shopsync.errors import ConfigError
from tests.shared import REPO, shared_dir

DATA = Path(__file__).parent / "data"
SEED = "seeds/000_7e08be50b2bc65ce.txt"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
PRODUCTS = ["original-oriems-ultimate-kit"]
CORPUS: dict[str, Any] = yaml.safe_load((DATA / "claims_corpus.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(None)


def lint(
    body: str,
    rules: Rules,
    *,
    citation: bool = True,
    products: bool = True,
    title: str | None = None,
) -> list[Finding]:
    return lint_markdown(
        "articles/a.md",
        body,
        rules,
        has_citation=citation,
        featured_products=PRODUCTS if products else [],
        citation_title=title,
    )


def broken(findings: list[Finding]) -> set[str]:
    return {finding.rule for finding in findings if not finding.suppressed}


# --- the corpus: no miss, no false alarm -------------------------------------------------


@pytest.mark.parametrize("case", CORPUS["claims"], ids=lambda case: case["text"][:40])
def test_corpus_claim_breaks_exactly_its_rules(case: dict[str, Any], rules: Rules) -> None:
    found = lint(
        case["text"],
        rules,
        citation=case.get("citation", True),
        products=case.get("products", True),
    )
    assert broken(found) == set(case["rules"])


@pytest.mark.parametrize("text", CORPUS["compliant"], ids=lambda text: text[:40])
def test_corpus_compliant_sentence_breaks_nothing(text: str, rules: Rules) -> None:
    assert lint(text, rules) == []


def test_the_corpus_is_big_enough_and_exercises_every_packaged_rule(rules: Rules) -> None:
    assert len(CORPUS["claims"]) >= 40
    assert len(CORPUS["compliant"]) >= 30
    exercised = {rule for case in CORPUS["claims"] for rule in case["rules"]}
    assert exercised == rules.ids()


# --- the seed and the samples lint clean -------------------------------------------------


def seed_markdown(text: str) -> tuple[str, str]:
    """The seed post (plain lines, a lone "-" before each list item) as Markdown, and the
    cited study's title (the line after "Original Study Title:")."""
    lines = [line.strip() for line in text.splitlines()]
    title = lines[lines.index("Original Study Title:") + 1]
    blocks: list[str] = []
    bullet = False
    for line in lines:
        if line == "-":
            bullet = True
        elif line:
            blocks.append(f"- {line}" if bullet else f"\n{line}\n")
            bullet = False
    return "\n".join(blocks), title


def test_the_seed_article_lints_clean(rules: Rules) -> None:
    body, title = seed_markdown((shared_dir() / SEED).read_text("utf-8"))
    assert "- Sciatica treatment" in body  # the negated list stayed a list
    assert lint(body, rules, title=title) == []
    # Without the language rules it would not be clean: the claim words are there.
    assert re.search(r"\btreats pain\b", body) and re.search(r"\bSciatica treatment\b", body)


def test_every_sample_article_and_page_lints_clean(rules: Rules) -> None:
    content = load_content([REPO / "articles"], root=REPO, default_blog="news", now=NOW)
    assert content.ok and content.articles and content.pages
    assert lint_content(content, load_rules(REPO)) == []


# --- language, not keywords --------------------------------------------------------------


def test_a_negation_covers_its_clause_but_not_the_next(rules: Rules) -> None:
    assert lint("This study does not say NMES treats pain.", rules) == []
    assert lint("This research does not promise pain relief.", rules) == []
    found = lint("This study does not measure pain, but EMS cures sciatica.", rules)
    assert broken(found) == {"cure-claim", "featured-product-condition"}


def test_not_just_is_not_a_negation(rules: Rules) -> None:
    assert "cure-claim" in broken(lint("It does not just activate muscles, it cures pain.", rules))


def test_a_list_introduced_by_a_negation_is_negated(rules: Rules) -> None:
    negated = "This study does NOT claim:\n\n- Pain relief\n- Sciatica treatment\n- Nerve healing\n"
    assert lint(negated, rules) == []
    shown = "It DOES show:\n\n- Pain relief\n- Nerve healing\n"
    found = lint(shown, rules)
    assert [(f.line, f.rule) for f in found] == [
        (3, "treatment-claim"),
        (3, "featured-product-condition"),
        (4, "cure-claim"),
    ]


def test_quotation_and_block_quotes_are_not_the_writers_claim(rules: Rules) -> None:
    assert lint("Some ads say “EMS cures sciatica”; this study does not.", rules) == []
    assert lint('Some ads say "EMS cures sciatica"; this study does not.', rules) == []
    assert lint("> EMS cures sciatica, a headline once read.\n", rules) == []
    # A testimonial is a quotation by nature: its markers count inside quotes too.
    assert broken(lint("> “My sciatica was gone,” says a verified buyer.\n", rules)) == {
        "testimonial"
    }


def test_a_question_is_not_a_claim_but_the_answer_can_be(rules: Rules) -> None:
    assert lint("Can EMS relieve sciatica?", rules) == []
    found = lint("Can EMS relieve sciatica? Yes, it relieves sciatica.", rules)
    assert [f.sentence for f in found] == ["Yes, it relieves sciatica."] * 2


def test_the_cited_studys_own_title_is_not_flagged(rules: Rules) -> None:
    title = "Electrical stimulation relieves chronic low back pain: a randomised trial"
    assert lint(title, rules, title=title) == []
    assert lint(f"**Original Study Title:** {title}", rules, title=title) == []
    assert broken(lint(title, rules)) == {"treatment-claim", "featured-product-condition"}


def test_code_urls_and_comments_are_not_read(rules: Rules) -> None:
    body = (
        "```\nEMS cures sciatica\n```\n\n"
        "Run `cures --sciatica` to build.\n\n"
        "Read [the study](https://example.com/ems-cures-sciatica) or "
        "<https://example.com/heals>.\n\n"
        "<!-- EMS cures sciatica -->\n"
    )
    assert lint(body, rules) == []
    assert broken(lint("Read [how EMS cures sciatica](https://example.com).", rules))


def test_each_rule_applies_only_where_it_should(rules: Rules) -> None:
    sentence = "Studies show EMS relieves sciatica."
    assert broken(lint(sentence, rules, citation=False)) == {
        "evidence-needs-citation",
        "treatment-claim",
        "featured-product-condition",
    }
    assert broken(lint(sentence, rules, products=False)) == {"treatment-claim"}


# --- findings: where, what, why ----------------------------------------------------------


def test_a_finding_locates_the_sentence_and_explains_itself(rules: Rules) -> None:
    body = "Intro line.\n\nA first sentence. Our kit cures\nsciatica fast.\n"
    [cure, featured] = lint_markdown(
        "articles/x.md",
        body,
        rules,
        has_citation=True,
        featured_products=PRODUCTS,
        citation_title=None,
        first_line=10,
    )
    assert cure.to_dict() == {
        "path": "articles/x.md",
        "line": 12,
        "sentence": "Our kit cures sciatica fast.",
        "rule": "cure-claim",
        "severity": "error",
        "message": "says the product or method cures or heals a condition",
        "source": cure.source,
        "suggestion": cure.suggestion,
        "suppressed": False,
        "reason": None,
        "field": None,
    }
    assert "Advertising Code" in cure.source and "FTC" in cure.source
    assert cure.suggestion and cure.location() == "articles/x.md:12"
    assert featured.rule == "featured-product-condition"


def test_an_articles_front_matter_text_is_linted_at_its_key_lines(
    rules: Rules, tmp_path: Path
) -> None:
    path = tmp_path / "articles" / "claim.md"
    path.parent.mkdir()
    path.write_text(
        "---\ntitle: Relieve Sciatica With EMS\nauthor: A\nsummary: |\n  A summary.\n"
        "seo:\n  description: Clinically proven pain relief.\n---\n\nText.\n\nEMS heals.\n",
        "utf-8",
    )
    loaded = load_file(path, root=tmp_path, default_blog="news", now=NOW)
    assert isinstance(loaded.item, Article)
    found = lint_article(loaded.item, rules, body_line=loaded.body_line, key_lines=loaded.key_lines)
    assert [(f.field, f.line, f.rule) for f in found] == [
        ("title", 2, "treatment-claim"),
        ("seo.description", 7, "treatment-claim"),
        ("seo.description", 7, "clinically-proven"),
        ("seo.description", 7, "evidence-needs-citation"),  # the file has no citation
        (None, 12, "cure-claim"),
    ]


# --- suppressions ------------------------------------------------------------------------


def test_a_suppression_with_a_reason_marks_its_finding(rules: Rules) -> None:
    body = (
        "<!-- shopsync: allow cure-claim -- quotes the regulator's own bad example -->\n"
        "EMS cures back stiffness.\n\n"
        "EMS heals. <!-- shopsync: allow cure-claim -- reviewed by compliance, 2026-11 -->\n"
    )
    found = lint(body, rules)
    assert [(f.line, f.rule, f.suppressed, f.reason) for f in found] == [
        (2, "cure-claim", True, "quotes the regulator's own bad example"),
        (4, "cure-claim", True, "reviewed by compliance, 2026-11"),
    ]
    assert found[0].to_dict()["suppressed"] is True


def test_a_suppression_covers_only_its_rules_and_its_sentence(rules: Rules) -> None:
    body = (
        "<!-- shopsync: allow cure-claim -- reviewed -->\nEMS cures sciatica.\n\n"
        "EMS cures sciatica.\n"
    )
    found = [(f.line, f.rule, f.suppressed) for f in lint(body, rules)]
    assert found == [
        (2, "cure-claim", True),
        (2, "featured-product-condition", False),
        (4, "cure-claim", False),
        (4, "featured-product-condition", False),
    ]


def test_a_suppression_without_a_reason_is_an_error_and_suppresses_nothing(
    rules: Rules,
) -> None:
    body = "<!-- shopsync: allow cure-claim -->\nEMS heals.\n"
    found = lint(body, rules)
    assert [(f.line, f.rule, f.severity, f.suppressed) for f in found] == [
        (1, "suppression-needs-reason", "error", False),
        (2, "cure-claim", "error", False),
    ]
    assert "allow RULE_ID -- " in found[0].suggestion


def test_suppressions_of_unknown_rules_or_covering_nothing_are_reported(rules: Rules) -> None:
    body = (
        "<!-- shopsync: allow cure-clam -- typo -->\nEMS heals.\n\n"
        "<!-- shopsync: allow miracle -- nothing here -->\nA plain sentence.\n"
    )
    assert [(f.line, f.rule, f.severity) for f in lint(body, rules)] == [
        (1, "suppression-unknown-rule", "error"),
        (2, "cure-claim", "error"),
        (4, "suppression-unused", "warning"),
    ]


def test_the_featured_products_marker_is_not_a_suppression(rules: Rules) -> None:
    assert lint("Text.\n\n<!-- shopsync:featured-products -->\n", rules) == []


# --- the rules file ----------------------------------------------------------------------


def test_a_repository_rules_file_extends_the_packaged_rules(tmp_path: Path) -> None:
    (tmp_path / REPOSITORY_RULES_FILE).write_text(
        """
terms:
  condition: [plantar fasciitis]
negation:
  clause: [far from]
ignore: [Heal-X Pro]
rules:
  - id: detox
    kind: claim
    severity: warning
    patterns: ['detox(es|ed|ing)?']
    source: Store policy
    message: says the product detoxes
    suggestion: Leave detox claims out.
  - id: testimonial
    patterns: ['(mum|dad) swears by it']
  - id: miracle
    enabled: false
""",
        "utf-8",
    )
    rules = load_rules(tmp_path)
    assert rules.sources == ("shopsync/content/claims_rules.yaml", REPOSITORY_RULES_FILE)
    assert "miracle" not in rules.ids() and "detox" in rules.ids()
    assert broken(lint("EMS eases plantar fasciitis.", rules)) == {"featured-product-condition"}
    assert [(f.rule, f.severity) for f in lint("It detoxes the body.", rules)] == [
        ("detox", "warning")
    ]
    assert broken(lint("My mum swears by it.", rules)) == {"testimonial"}
    assert broken(lint("My back pain was gone.", rules)) == {"testimonial"}  # still there
    assert lint("A miracle of engineering.", rules) == []
    assert lint("Far from saying EMS cures sciatica, it measures muscles.", rules) == []
    assert lint("Meet the Heal-X Pro kit.", rules) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [{id: x, kind: claim}]", "has no severity, source, message, suggestion"),
        ("rules: [{id: x, kind: k, severity: error, patterns: ['(']", "not valid YAML"),
        (
            "rules: [{id: x, kind: k, severity: error, patterns: ['('], source: s, message: m,"
            " suggestion: s}]",
            "not a valid regular expression",
        ),
        (
            "rules: [{id: x, kind: k, severity: error, patterns: ['@nope'], source: s,"
            " message: m, suggestion: s}]",
            "term list 'nope'",
        ),
        ("rules: [{id: miracle, severity: fatal}]", "rules.0.severity"),
        ("colour: blue", "colour"),
    ],
)
def test_a_bad_rules_file_is_refused_with_what_to_fix(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / REPOSITORY_RULES_FILE).write_text(text, "utf-8")
    with pytest.raises(ConfigError) as error:
        load_rules(tmp_path)
    assert message in error.value.message
    assert error.value.hint


def test_an_html_body_is_read_too_without_lines(rules: Rules) -> None:
    body = "<h2>What it means</h2><p>This study does not say NMES treats pain.</p>"
    assert (
        lint_markdown(
            "a.md",
            body,
            rules,
            has_citation=True,
            featured_products=[],
            citation_title=None,
            html=True,
        )
        == []
    )
    found = lint_markdown(
        "a.md",
        "<ul><li>NMES <strong>treats</strong> pain.</li></ul><pre>cures</pre>",
        rules,
        has_citation=True,
        featured_products=[],
        citation_title=None,
        html=True,
    )
    assert [(f.line, f.rule, f.sentence) for f in found] == [
        (None, "treatment-claim", "NMES treats pain.")
    ]


def test_lint_content_gives_file_lines_when_told_where_bodies_start(
    rules: Rules, tmp_path: Path
) -> None:
    articles = tmp_path / "articles"
    (articles / "pages").mkdir(parents=True)
    (articles / "a.md").write_text("---\ntitle: EMS Heals\nauthor: A\n---\n\nIt cures.\n", "utf-8")
    (articles / "pages" / "p.md").write_text("---\ntitle: P\n---\n\nA miracle.\n", "utf-8")
    content = load_content([articles], root=tmp_path, default_blog="news", now=NOW)
    assert content.ok
    loaded = {
        path: load_file(tmp_path / path, root=tmp_path, default_blog="news", now=NOW)
        for path in ("articles/a.md", "articles/pages/p.md")
    }
    plain = [(f.path, f.line, f.rule) for f in lint_content(content, rules)]
    assert plain == [
        ("articles/a.md", None, "cure-claim"),
        ("articles/a.md", 2, "cure-claim"),
        ("articles/pages/p.md", 2, "miracle"),
    ]
    located = lint_content(
        content,
        rules,
        body_lines={path: result.body_line for path, result in loaded.items()},
        key_lines={path: result.key_lines for path, result in loaded.items()},
    )
    assert [(f.path, f.line, f.field, f.rule) for f in located] == [
        ("articles/a.md", 2, "title", "cure-claim"),
        ("articles/a.md", 6, None, "cure-claim"),
        ("articles/pages/p.md", 5, None, "miracle"),
    ]


def readme_block(after: str, language: str) -> str:
    """The first ``language`` code block of the README after the text ``after``."""
    text = (REPO / "README.md").read_text("utf-8")
    rest = text[text.index(after) :]
    start = rest.index(f"```{language}\n") + len(language) + 4
    return rest[start : rest.index("```", start)]


def test_the_readmes_suppression_example_suppresses(rules: Rules) -> None:
    example = readme_block("A reviewed sentence of the body", "markdown")
    [finding] = lint(example, rules, products=False)
    assert finding.suppressed and finding.rule == "treatment-claim" and finding.reason


def test_the_readmes_rules_file_example_loads(tmp_path: Path) -> None:
    (tmp_path / REPOSITORY_RULES_FILE).write_text(
        readme_block("**Extending the rules.**", "yaml"), "utf-8"
    )
    rules = load_rules(tmp_path)
    assert "detox" in rules.ids()
    assert broken(lint("EMS eases plantar fasciitis.", rules)) == {"featured-product-condition"}

"""What each blog requires of its articles (``[blogs.<handle>]`` in shopsync.toml).

The research digest's posts cite a study, link the disclaimer page and carry a summary; a
post missing one must not reach the store. Per blog, because a store's other blogs (News)
need none of it. A published or scheduled article missing a requirement is an error; a
draft gets a warning, so staff see what is left to do before it can go out. Pure: the
policies come in as values (``shopsync.project.load_policies`` reads them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shopsync.content.loader import Content
from shopsync.content.models import Article
from shopsync.errors import Problem

#: What a blog can require, with why (the message) and what to do (the hint).
REQUIREMENTS: dict[str, tuple[str, str]] = {
    "citation": (
        "a citation of the study it reports",
        "add citation: {pmid: ..., title: ..., journal: ..., year: ...} (or doi:)",
    ),
    "disclaimer": (
        "a link to the disclaimer page",
        "add disclaimer: disclaimer (a page file in articles/pages/)",
    ),
    "summary": (
        "a summary for the blog listing",
        "add summary: one or two plain sentences on what the study asked and found",
    ),
}


@dataclass(frozen=True)
class BlogPolicy:
    blog: str
    require: frozenset[str] = frozenset()
    #: Where it was configured, for messages (``shopsync.toml [blogs.research-digest]``).
    source: str = ""


def _missing(article: Article, requirement: str) -> bool:
    if requirement == "citation":
        return article.citation is None
    if requirement == "disclaimer":
        return article.disclaimer is None
    return not (article.summary or "").strip()


def policy_problems(
    articles: Iterable[Article], policies: Mapping[str, BlogPolicy]
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings): each article against its blog's policy."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for article in articles:
        policy = policies.get(article.blog)
        if policy is None:
            continue
        for requirement in sorted(policy.require):
            if not _missing(article, requirement):
                continue
            what, hint = REQUIREMENTS[requirement]
            going_out = article.status in ("published", "scheduled")
            problem = Problem(
                path=article.source_path,
                line=1,
                field=requirement,
                message=f"the {article.blog} blog requires {what}"
                + ("" if going_out else " before the draft is published")
                + (f" ({policy.source})" if policy.source else ""),
                hint=hint,
            )
            (errors if going_out else warnings).append(problem)
    return errors, warnings


def apply_policies(content: Content, policies: Mapping[str, BlogPolicy]) -> Content:
    """``content`` with its articles' policy errors and warnings added (in file order)."""
    content.add_problems(*policy_problems(content.articles, policies))
    return content

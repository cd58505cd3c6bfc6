"""A new article file (``shopsync new``) that validates as written, and the front matter's
JSON Schema (``shopsync schema``) for editors.

The scaffold is a draft in the seed post's shape: the keys staff fill in are there, the
optional ones are YAML comments ready to uncomment, and the body has the digest's sections.
Both are pure: the CLI decides where the text goes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from shopsync.content.hints import HINTS
from shopsync.content.models import ARTICLE_HANDLE_MAX, Article, Page, slugify

#: Handles of new files stop at a word boundary near this length: Shopify allows 265, but a
#: handle is also the file name and the article's URL.
SCAFFOLD_HANDLE_LENGTH = 80

DEFAULT_AUTHOR = "Research Team"

_OPTIONAL = """\
# When it is ready: status: published (now), or status: scheduled with
# publish_date: 2027-03-02T09:00:00+11:00 (a date with its offset).
# featured_products: [product-handle]
# image:
#   src: articles/images/your-image.png
#   alt: What the image shows
# seo:
#   title: At most 70 characters for search results
#   description: One line for search results, at most 320 characters
# citation:
#   pmid: 12345678              # or doi: 10.1000/xyz123
#   title: The study's own title
#   journal: The journal
#   year: 2024
"""

_BODY = """
## THE QUESTION

What did the researchers want to find out? One or two plain sentences.

## WHAT THE RESEARCHERS DID

Who took part, what was measured, and how.

## WHAT THEY FOUND

The results as the study reports them. A table helps:

| Measure | Before | After |
|---|---|---|
| ... | ... | ... |

## WHAT THIS STUDY DOES NOT SAY

What the study does not show, in plain words.
"""


@dataclass(frozen=True)
class Scaffold:
    handle: str
    text: str


def scaffold_handle(title: str) -> str:
    """The title's handle, cut at the last hyphen before ``SCAFFOLD_HANDLE_LENGTH``."""
    handle = slugify(title)
    if len(handle) > SCAFFOLD_HANDLE_LENGTH:
        handle = handle[:SCAFFOLD_HANDLE_LENGTH].rsplit("-", 1)[0]
    return handle[:ARTICLE_HANDLE_MAX]


def usual_author(authors: Iterable[str]) -> str:
    """The author most articles already name (staff post as one team), else a neutral one."""
    counts = Counter(authors).most_common(1)
    return counts[0][0] if counts else DEFAULT_AUTHOR


def new_article(
    title: str, *, handle: str, blog: str, author: str, disclaimer: str | None
) -> Scaffold:
    """A draft article file with ``title``; the keys are YAML-quoted as needed."""
    keys: dict[str, Any] = {
        "title": title,
        "handle": handle,
        "blog": blog,
        "author": author,
        "tags": [blog],
        "summary": "One or two sentences for the blog listing: what the study asked and found.",
        "status": "draft",
    }
    if disclaimer:
        keys["disclaimer"] = disclaimer
    front = yaml.safe_dump(keys, sort_keys=False, allow_unicode=True, width=1_000)
    front = front.replace(f"tags:\n- {blog}\n", f"tags: [{blog}]\n")
    return Scaffold(handle, f"---\n{front}{_OPTIONAL}---\n{_BODY}")


# ------------------------------------------------------------------------------ schema

#: Filled in by the loader when absent, so optional in a file.
_DEFAULTED = {"handle", "blog"}
#: Not front matter: where the file is and what follows it.
_NOT_KEYS = {"source_path", "body"}
#: The models nested under a key, so their fields get that key's hints.
_NESTED = {"ArticleImage": "image", "Seo": "seo", "Citation": "citation"}


def front_matter_schema(kind: str = "article") -> dict[str, Any]:
    """JSON Schema (2020-12) of an article's or a page's front matter, from the models."""
    model = Article if kind == "article" else Page
    schema = model.model_json_schema(mode="validation")
    properties = {k: v for k, v in schema["properties"].items() if k not in _NOT_KEYS}
    required = [k for k in schema.get("required", []) if k not in _NOT_KEYS | _DEFAULTED]
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://shopsync.invalid/schema/{kind}.json",
        "title": f"shopsync {kind} front matter",
        "description": (
            "The YAML between the --- lines of a shopsync "
            f"{kind} file; `shopsync validate` checks the rest (handles, dates, files)."
        ),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    defs = schema.get("$defs", {})
    if defs:
        out["$defs"] = defs
    _describe(properties, prefix="")
    for name, model_schema in defs.items():
        _describe(model_schema.get("properties", {}), prefix=_NESTED.get(name, name) + ".")
    pmid = defs.get("Citation", {}).get("properties", {}).get("pmid")
    if pmid is not None:  # YAML reads pmid: 27064323 as a number; the loader takes both
        pmid["anyOf"] = [{"type": "string"}, {"type": "integer"}, {"type": "null"}]
    return out


def _describe(properties: dict[str, Any], *, prefix: str) -> None:
    """Editors show ``description`` on completion: the loader's hint for that key."""
    for key, prop in properties.items():
        hint = HINTS.get(prefix + key)
        if hint:
            prop["description"] = hint[0].upper() + hint[1:] + "."

"""The repository's own shopsync settings that are not about a store: per-blog policies.

In ``shopsync.toml``::

    [blogs.research-digest]
    require = ["citation", "disclaimer", "summary"]

or in ``pyproject.toml`` under ``[tool.shopsync.blogs.research-digest]``. Committed with
the content, so every run (a laptop, CI) applies the same rules. Unknown keys and
requirements are refused with a hint, never ignored.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from shopsync.content.policy import REQUIREMENTS, BlogPolicy
from shopsync.environments import project_tables
from shopsync.errors import ConfigError

BLOG_KEYS = frozenset({"require"})


def load_policies(root: Path) -> dict[str, BlogPolicy]:
    """Every blog's policy defined under ``root`` (none: nothing is required)."""
    policies: dict[str, BlogPolicy] = {}
    for found in project_tables(root, "blogs"):
        for blog, values in found.table.items():
            where = found.where(blog)
            if not isinstance(values, dict):
                raise ConfigError(
                    f"{where} must be a table", hint='e.g. require = ["citation", "summary"]'
                )
            unknown = sorted(set(values) - BLOG_KEYS)
            if unknown:
                raise ConfigError(
                    f"{where}: unknown key {unknown[0]!r}", hint="the key is require = [...]"
                )
            require = values.get("require", [])
            if not isinstance(require, list) or not all(isinstance(r, str) for r in require):
                raise ConfigError(
                    f"{where}: require must be a list of names",
                    hint="e.g. require = " + str(list(REQUIREMENTS)).replace("'", '"'),
                )
            for name in require:
                if name not in REQUIREMENTS:
                    guess = difflib.get_close_matches(name, REQUIREMENTS, n=1)
                    raise ConfigError(
                        f"{where}: {name!r} is not something a blog can require",
                        hint=f"did you mean {guess[0]!r}?"
                        if guess
                        else "choose from " + ", ".join(REQUIREMENTS),
                    )
            if blog in policies:
                raise ConfigError(
                    f"blog {blog!r} has a policy in both {policies[blog].source} and {where}",
                    hint="keep it in one file",
                )
            policies[blog] = BlogPolicy(blog=blog, require=frozenset(require), source=where)
    return policies

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
from typing import Any

from shopsync.content.policy import REQUIREMENTS, BlogPolicy
from shopsync.environments import PYPROJECT_TOML, SHOPSYNC_TOML, read_toml
from shopsync.errors import ConfigError

BLOG_KEYS = frozenset({"require"})


def _blog_tables(root: Path) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    own = root / SHOPSYNC_TOML
    if own.is_file():
        table = read_toml(own).get("blogs", {})
        found.append((f"{SHOPSYNC_TOML} [blogs.%s]", table if isinstance(table, dict) else {}))
    project = root / PYPROJECT_TOML
    if project.is_file():
        tool = read_toml(project).get("tool", {})
        shopsync = tool.get("shopsync", {}) if isinstance(tool, dict) else {}
        table = shopsync.get("blogs", {}) if isinstance(shopsync, dict) else {}
        found.append(
            (f"{PYPROJECT_TOML} [tool.shopsync.blogs.%s]", table if isinstance(table, dict) else {})
        )
    return found


def load_policies(root: Path) -> dict[str, BlogPolicy]:
    """Every blog's policy defined under ``root`` (none: nothing is required)."""
    policies: dict[str, BlogPolicy] = {}
    for pattern, table in _blog_tables(root):
        for blog, values in table.items():
            where = pattern % blog
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

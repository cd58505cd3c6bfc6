"""Named environments: several stores from one repository (``--env au``).

An environment is a table of *non-secret* settings, in ``shopsync.toml``::

    [environments.au]
    shop = "oriems-au"
    blog = "research-digest"

or in ``pyproject.toml`` under ``[tool.shopsync.environments.au]``. Tokens never live
in these files (they are committed): a file that names ``access_token`` or
``client_secret`` is refused. Secrets come from the environment (or ``.env``):
``SHOPSYNC_AU_ACCESS_TOKEN`` / ``SHOPSYNC_AU_CLIENT_SECRET`` first, then the plain
``SHOPSYNC_ACCESS_TOKEN`` / ``SHOPSYNC_CLIENT_SECRET``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shopsync.errors import ConfigError

SHOPSYNC_TOML = "shopsync.toml"
PYPROJECT_TOML = "pyproject.toml"
ENV_VAR = "SHOPSYNC_ENV"

# What a committed file may set; everything else in Settings is either a secret or
# unknown, and both are refused with a hint rather than silently ignored.
ALLOWED_KEYS = frozenset(
    {
        "shop",
        "api_version",
        "blog",
        "blog_title",
        "articles_dir",
        "product_metafield",
        "client_id",
        "timeout",
        "connect_timeout",
        "max_in_flight",
    }
)
SECRET_KEYS = ("access_token", "client_secret")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Environment:
    """One named store: its settings and the file that defined it."""

    name: str
    settings: Mapping[str, Any]
    source: str

    @property
    def secret_prefix(self) -> str:
        """``SHOPSYNC_AU_`` for ``au``: where this environment's secrets are looked for."""
        return f"SHOPSYNC_{re.sub(r'[^A-Za-z0-9]', '_', self.name).upper()}_"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not valid TOML: {exc}".splitlines()[0],
            hint=f"fix the syntax of {path.name}",
        ) from None


@dataclass(frozen=True)
class ProjectTable:
    """One table of shopsync's settings in a repository file, and where it was found."""

    source: str  # the file: shopsync.toml or pyproject.toml
    section: str  # its name there: "environments", or "tool.shopsync.environments"
    table: dict[str, Any]

    def where(self, name: str) -> str:
        """``shopsync.toml [environments.au]``: how messages name one entry."""
        return f"{self.source} [{self.section}.{name}]"


def project_tables(root: Path, key: str) -> list[ProjectTable]:
    """The ``key`` table of shopsync.toml, then of pyproject.toml's ``[tool.shopsync]``."""
    found: list[ProjectTable] = []
    own = root / SHOPSYNC_TOML
    if own.is_file():
        table = read_toml(own).get(key, {})
        found.append(ProjectTable(SHOPSYNC_TOML, key, table if isinstance(table, dict) else {}))
    project = root / PYPROJECT_TOML
    if project.is_file():
        tool = read_toml(project).get("tool", {})
        shopsync = tool.get("shopsync", {}) if isinstance(tool, dict) else {}
        table = shopsync.get(key, {}) if isinstance(shopsync, dict) else {}
        found.append(
            ProjectTable(
                PYPROJECT_TOML, f"tool.shopsync.{key}", table if isinstance(table, dict) else {}
            )
        )
    return found


def load_environments(root: Path) -> dict[str, Environment]:
    """Every environment defined under ``root``; a name defined twice is an error."""
    environments: dict[str, Environment] = {}
    for found in project_tables(root, "environments"):
        source = found.source
        for name, values in found.table.items():
            where = found.where(name)
            if not NAME_PATTERN.match(name):
                raise ConfigError(
                    f"{where}: {name!r} is not an environment name",
                    hint="use letters, digits, - and _, e.g. au",
                )
            if not isinstance(values, dict):
                raise ConfigError(
                    f"{where} must be a table of settings",
                    hint='e.g. [environments.au] with shop = "my-au-store"',
                )
            if name in environments:
                raise ConfigError(
                    f"environment {name!r} is defined in both {environments[name].source} "
                    f"and {source}",
                    hint="keep it in one file",
                )
            _check_keys(values, where)
            environments[name] = Environment(name=name, settings=dict(values), source=source)
    return environments


def _check_keys(values: Mapping[str, Any], where: str) -> None:
    for key in values:
        if key in SECRET_KEYS:
            raise ConfigError(
                f"{where}: {key} must not be in a committed file",
                hint=f"remove it and set SHOPSYNC_<ENV>_{key.upper()} in the environment "
                "(or .env, which is never committed)",
            )
        if key not in ALLOWED_KEYS:
            raise ConfigError(
                f"{where}: unknown setting {key!r}",
                hint="allowed: " + ", ".join(sorted(ALLOWED_KEYS)),
            )


def _env_file_values(env_file: Path | None, root: Path) -> dict[str, str]:
    path = env_file if env_file is not None else root / ".env"
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v}


def environment_overrides(
    name: str,
    *,
    root: Path,
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
) -> dict[str, Any]:
    """Settings overrides for environment ``name``: its file settings plus its secrets.

    The plain ``SHOPSYNC_*`` variables still apply to anything the environment leaves
    unset (Settings reads them itself), so only per-environment secrets are added here.
    """
    environments = load_environments(root)
    environment = environments.get(name)
    if environment is None:
        known = ", ".join(sorted(environments)) or "none defined"
        raise ConfigError(
            f"unknown environment {name!r} (known: {known})",
            hint=f"add [environments.{name}] to {SHOPSYNC_TOML} or "
            f"[tool.shopsync.environments.{name}] to {PYPROJECT_TOML}",
        )
    values: dict[str, Any] = dict(environment.settings)
    sources: list[Mapping[str, str]] = [
        os.environ if environ is None else environ,
        _env_file_values(env_file, root),
    ]
    for key in SECRET_KEYS:
        variable = environment.secret_prefix + key.upper()
        for source in sources:
            if source.get(variable):
                values[key] = source[variable]
                break
    return values


def selected_environment(
    explicit: str | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """``--env`` if given, else ``SHOPSYNC_ENV``, else none (plain settings)."""
    if explicit:
        return explicit
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return value or None

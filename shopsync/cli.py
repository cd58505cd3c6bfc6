"""The ``shopsync`` command line: parse, call the core, print, map errors to exit codes.

This is the one place that prints and the one place where exceptions become
messages: ``handle_errors`` turns a ``ShopsyncError`` into ``error:``/``hint:``
lines (or its JSON with ``--json``) and its exit code; anything else is our bug and
says so in one line (traceback with ``-vv``). Commands share ``Output`` (human text,
rich colours only on a terminal, or JSON) and ``load_settings_from_ctx``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from shopsync import __version__
from shopsync.config import Settings, load_settings
from shopsync.errors import EXIT_FAILURE, EXIT_OK, ConfigError, ContentError, Problem, ShopsyncError
from shopsync.loader import Content, load_content

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger("shopsync")


@dataclass
class Output:
    """How this run talks to the user: JSON, plain text, or rich text on a terminal."""

    json: bool = False
    quiet: bool = False
    verbose: int = 0
    _console: Any = field(default=None, repr=False)

    @property
    def fancy(self) -> bool:
        """Colours only for a person at a terminal: never when piped, in CI, or NO_COLOR."""
        if os.environ.get("NO_COLOR") or os.environ.get("CI", "").lower() in ("1", "true"):
            return False
        return sys.stdout.isatty()

    def _rich(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(highlight=False, soft_wrap=True)
        return self._console

    def line(self, text: str = "", *, style: str | None = None) -> None:
        """A line of the command's human output on stdout."""
        if self.json:
            return
        if style and self.fancy:
            from rich.text import Text

            self._rich().print(Text(text, style=style))
        else:
            click.echo(text)

    def info(self, text: str, *, style: str | None = None) -> None:
        """A line that ``--quiet`` suppresses (progress, summaries)."""
        if not self.quiet:
            self.line(text, style=style)

    def error(self, text: str) -> None:
        click.echo(text, err=True)

    def emit_json(self, data: Any) -> None:
        emit_json(data)


def emit_json(data: Any) -> None:
    """Machine-readable output: one JSON document on stdout, stable key order."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return value.as_posix()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@dataclass
class AppState:
    """What the group options decided, shared with every command through ``ctx.obj``."""

    output: Output = field(default_factory=Output)
    env_file: Path | None = None


def get_state(ctx: click.Context | None = None) -> AppState:
    """The run's state; a command invoked without the group gets a default one."""
    ctx = ctx or click.get_current_context()
    return ctx.ensure_object(AppState)


def get_output(ctx: click.Context | None = None) -> Output:
    return get_state(ctx).output


def load_settings_from_ctx(ctx: click.Context | None = None, **overrides: Any) -> Settings:
    """Settings from the environment and ``--env-file`` (default ``.env``), plus overrides."""
    state = get_state(ctx)
    if state.env_file is not None:
        if not state.env_file.is_file():
            raise ConfigError(
                f"env file {state.env_file.as_posix()!r} does not exist",
                hint="copy .env.example to .env, or pass an existing file to --env-file",
            )
        overrides["_env_file"] = state.env_file
    return load_settings(**overrides)


def report_error(output: Output, exc: ShopsyncError) -> None:
    if output.json:
        emit_json(exc.to_dict())
        return
    if isinstance(exc, ContentError):
        for problem in exc.problems:
            output.error(format_problem(problem))
    output.error(f"error: {exc.message}")
    if exc.hint:
        output.error(f"hint: {exc.hint}")


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn every exception of a command into a message and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx = click.get_current_context()
        output = get_output(ctx)
        try:
            return func(*args, **kwargs)
        except ShopsyncError as exc:
            report_error(output, exc)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            output.error("interrupted")
            ctx.exit(130)
        except Exception as exc:
            if output.verbose >= 2:
                output.error(traceback.format_exc().rstrip())
            message = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]
            if output.json:
                emit_json({"error": "InternalError", "message": message, "hint": None})
            else:
                output.error(f"{message} (a shopsync bug: please report it with the output of -vv)")
            ctx.exit(EXIT_FAILURE)
        raise AssertionError("unreachable")  # ctx.exit raised

    return wrapper


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        get_output(ctx).json = True
    return value


json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    default=False,
    callback=_set_json,
    is_eager=True,
    help="Print machine-readable JSON on stdout instead of text.",
)


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    elif quiet:
        level = logging.ERROR
    log.setLevel(level)
    if not any(getattr(h, "_shopsync", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._shopsync = True  # type: ignore[attr-defined]
        log.addHandler(handler)


MAIN_EPILOG = """\b
Examples:
  shopsync validate                 check every file in articles/
  shopsync validate articles/x.md   check one article
  shopsync validate --json          the same, as JSON for CI

Settings come from SHOPSYNC_* environment variables and .env (see .env.example).
"""


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=MAIN_EPILOG,
)
@click.option(
    "--env-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Read settings from this file instead of .env.",
)
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug and tracebacks).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and errors.")
@click.version_option(__version__, "--version", prog_name="shopsync")
@click.pass_context
def main(ctx: click.Context, env_file: Path | None, verbose: int, quiet: bool) -> None:
    """Keep a Shopify store's blog articles and pages in sync with Markdown files in git."""
    _configure_logging(verbose, quiet)
    ctx.obj = AppState(output=Output(quiet=quiet, verbose=verbose), env_file=env_file)


# ---------------------------------------------------------------------------- validate


def format_problem(problem: Problem, *, prefix: str = "") -> str:
    field_part = f" {problem.field}:" if problem.field else ""
    text = f"{prefix}{problem.location()}:{field_part} {problem.message}"
    if problem.hint:
        text += f"\n    hint: {problem.hint}"
    return text


def content_summary(content: Content) -> dict[str, Any]:
    """The ``--json`` shape of a validation run (also used by other commands)."""
    return {
        "ok": content.ok,
        "files": content.files,
        "articles": [
            {"path": a.source_path, "blog": a.blog, "handle": a.handle, "status": a.status}
            for a in content.articles
        ],
        "pages": [{"path": p.source_path, "handle": p.handle} for p in content.pages],
        "problems": [p.to_dict() for p in content.problems],
        "warnings": [w.to_dict() for w in content.warnings],
    }


def load_and_report(
    output: Output, paths: Sequence[Path], settings: Settings, *, root: Path | None = None
) -> Content:
    """Load content and print its problems and warnings in human form (not JSON)."""
    content = load_content(
        list(paths) or [settings.articles_dir], root=root or Path.cwd(), default_blog=settings.blog
    )
    if not output.json:
        for problems, prefix, style in (
            (content.problems, "", "red"),
            (content.warnings, "warning: ", "yellow"),
        ):
            for problem in problems:
                first, *hint = format_problem(problem, prefix=prefix).split("\n")
                output.line(first, style=style)
                for line in hint:
                    output.line(line, style="dim")
    return content


VALIDATE_EPILOG = """\b
Examples:
  shopsync validate
  shopsync validate articles/ems-deep-spine-muscles-study.md articles/pages
  shopsync validate --json | jq '.problems[] | .path'

Exit status: 0 when every file is valid, 1 when any problem was found.
"""


@main.command(epilog=VALIDATE_EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@json_option
@click.pass_context
@handle_errors
def validate(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """Check article and page files offline, listing every problem at once.

    PATHS are files or directories (default: SHOPSYNC_ARTICLES_DIR, i.e. articles).
    Needs no credentials and never contacts the store.
    """
    output = get_output(ctx)
    settings = load_settings_from_ctx(ctx)
    content = load_and_report(output, paths, settings)
    if output.json:
        output.emit_json(content_summary(content))
    else:
        bad_files = len({p.path for p in content.problems})
        counts = (
            f"{len(content.articles)} article{'s' if len(content.articles) != 1 else ''}, "
            f"{len(content.pages)} page{'s' if len(content.pages) != 1 else ''}"
        )
        if content.ok:
            output.info(f"ok: {content.files} files valid ({counts})", style="green")
        else:
            count = len(content.problems)
            output.line(
                f"{count} problem{'s' if count != 1 else ''} in {bad_files} of "
                f"{content.files} file{'s' if content.files != 1 else ''}",
                style="bold red",
            )
    ctx.exit(EXIT_OK if content.ok else EXIT_FAILURE)

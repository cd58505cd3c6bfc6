"""The ``shopsync`` command line: parse, call the core, print, map errors to exit codes.

This is the one place that prints and the one place where exceptions become messages:
``ShopsyncGroup`` runs every command (``sandbox`` included) inside the same handler, which
turns a ``ShopsyncError`` into ``error:``/``hint:`` lines (or its JSON with ``--json``)
and its exit code; anything else is our bug and says so in one line (traceback with
``-vv``). Usage errors exit 64, never 2 (``plan --detailed-exitcode``'s "changes").
Commands share ``Output`` (human text, rich colours only on a terminal, or JSON) and
``AppState`` (the repository root of ``-C``, the env file, the named environment).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from shopsync import __version__
from shopsync.config import Settings, load_settings
from shopsync.content.loader import Content, load_content
from shopsync.errors import (
    EXIT_CHANGES,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    ContentError,
    NotApproved,
    Problem,
    ShopsyncError,
)

if TYPE_CHECKING:
    from shopsync.admin.client import ShopifyClient
    from shopsync.apply import ApplyResult, ItemOutcome
    from shopsync.plan import Plan

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
    env_name: str | None = None
    #: The repository: content paths, .env, shopsync.toml and outputs are relative to it.
    root: Path = field(default_factory=lambda: Path("."))
    #: A person can answer a question: stdin and stdout are a terminal (push asks first).
    interactive: bool = False


def get_state(ctx: click.Context | None = None) -> AppState:
    """The run's state; a command invoked without the group gets a default one."""
    ctx = ctx or click.get_current_context()
    return ctx.ensure_object(AppState)


def get_output(ctx: click.Context | None = None) -> Output:
    return get_state(ctx).output


def load_settings_from_ctx(ctx: click.Context | None = None, **overrides: Any) -> Settings:
    """Settings from the environment and ``--env-file`` (default: ``.env`` in the root)."""
    state = get_state(ctx)
    env_file = state.root / state.env_file if state.env_file is not None else None
    if env_file is not None and not env_file.is_file():
        raise ConfigError(
            f"env file {state.env_file.as_posix()!r} does not exist",  # type: ignore[union-attr]
            hint="copy .env.example to .env, or pass an existing file to --env-file",
        )
    overrides["_env_file"] = env_file or state.root / ".env"
    from shopsync.environments import environment_overrides, selected_environment

    name = selected_environment(state.env_name)
    if name is not None:
        named = environment_overrides(name, root=state.root, env_file=overrides["_env_file"])
        overrides = {**named, **{k: v for k, v in overrides.items() if v is not None}}
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


def run_reporting_errors(ctx: click.Context, call: Callable[[], Any]) -> Any:
    """Run a command; every exception becomes a message and an exit code, here only.

    The output settings are read when something failed, not before: the group's own
    options (``-q``, ``--json`` of the command) are parsed inside ``call``.
    """
    try:
        return call()
    except ShopsyncError as exc:
        report_error(get_output(ctx), exc)
        ctx.exit(exc.exit_code)
    except (click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except KeyboardInterrupt:
        get_output(ctx).error("interrupted")
        ctx.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        output = get_output(ctx)
        if output.verbose >= 2:
            output.error(traceback.format_exc().rstrip())
        message = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]
        if output.json:
            emit_json({"error": "InternalError", "message": message, "hint": None})
        else:
            output.error(f"{message} (a shopsync bug: please report it with the output of -vv)")
        ctx.exit(EXIT_FAILURE)


class ShopsyncGroup(click.Group):
    """The ``shopsync`` group: one error handler for all its commands, and exit 64 on misuse."""

    def invoke(self, ctx: click.Context) -> Any:
        ctx.ensure_object(AppState)  # the commands' contexts share it (the callback may replace it)
        return run_reporting_errors(ctx, lambda: super(ShopsyncGroup, self).invoke(ctx))

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            exc.show()
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


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
  shopsync -C ../site plan          plan the repository in ../site
  shopsync validate --json          the same, as JSON for CI

The options above may also follow the command (shopsync plan -q).
Settings come from SHOPSYNC_* environment variables and .env (see .env.example).
Exit status: 0 ok, 1 problems/errors/conflicts, 2 changes (plan --detailed-exitcode
only), 3 configuration, 4 store unreachable or failing, 64 usage error, 130 interrupted.
"""


@click.group(
    cls=ShopsyncGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=MAIN_EPILOG,
)
@click.option(
    "-C",
    "--root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    metavar="DIR",
    help="Run as if started in DIR, the repository (default: the current directory).",
)
@click.option(
    "--env-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Read settings from this file instead of .env.",
)
@click.option(
    "--env",
    "env_name",
    default=None,
    metavar="NAME",
    help="Use the named store from shopsync.toml / pyproject.toml (or SHOPSYNC_ENV).",
)
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug and tracebacks).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and errors.")
@click.version_option(__version__, "--version", prog_name="shopsync")
@click.pass_context
def main(
    ctx: click.Context,
    root: Path | None,
    env_file: Path | None,
    env_name: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Keep a Shopify store's blog articles and pages in sync with Markdown files in git."""
    _configure_logging(verbose, quiet)
    ctx.obj = AppState(
        output=Output(quiet=quiet, verbose=verbose),
        env_file=env_file,
        env_name=env_name,
        root=root if root is not None else Path("."),
        interactive=sys.stdin.isatty() and sys.stdout.isatty(),
    )


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
        "reviewed_claims": [f.to_dict() for f in content.reviewed],
    }


def content_reporter(output: Output) -> Callable[[Content], None]:
    """Prints loaded files' problems and warnings in human form (nothing with ``--json``)."""

    def report(content: Content) -> None:
        if output.json:
            return
        for problems, prefix, style in (
            (content.problems, "", "red"),
            (content.warnings, "warning: ", "yellow"),
        ):
            for problem in problems:
                first, *hint = format_problem(problem, prefix=prefix).split("\n")
                output.line(first, style=style)
                for line in hint:
                    output.line(line, style="dim")
        for finding in content.reviewed:
            output.info(
                f"reviewed: {finding.location()}: {finding.rule}: “{finding.sentence}” "
                f"(suppressed: {finding.reason})",
                style="dim",
            )

    return report


VALIDATE_EPILOG = """\b
Examples:
  shopsync validate
  shopsync validate articles/ems-deep-spine-muscles-study.md articles/pages
  shopsync validate --json | jq '.problems[] | .path'
  shopsync validate --check-links   also ask each citation's link (PubMed, doi.org)
  shopsync validate --format github   problems as annotations on the PR's files

Offline unless --check-links: then a citation link that answers 404/410 is a problem,
one that cannot be reached a warning. Exit status: 0 when every file is valid, 1 when
any problem was found.
"""


def github_reporter(output: Output, root: Path) -> Callable[[Content], None]:
    """Prints problems and warnings as GitHub annotations, shown at their file and line;
    paths relative to the checkout (``GITHUB_WORKSPACE``, else here), whatever ``-C`` says."""
    from dataclasses import replace

    from shopsync.annotations import Level, problem_annotation, repository_path

    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or ".")

    def report(content: Content) -> None:
        kinds: tuple[tuple[Sequence[Problem], Level], ...] = (
            (content.problems, "error"),
            (content.warnings, "warning"),
        )
        for problems, level in kinds:
            for problem in problems:
                located = replace(problem, path=repository_path(problem.path, root, workspace))
                output.line(problem_annotation(located, level))

    return report


@main.command(epilog=VALIDATE_EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--check-links",
    is_flag=True,
    help="Also ask each citation's PubMed/DOI link whether it answers (needs network).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default=None,
    help="Problems as text, or as GitHub annotations (::error file=...,line=...::). "
    "Default: github in GitHub Actions (GITHUB_ACTIONS=true), text elsewhere.",
)
@json_option
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    check_links: bool,
    output_format: str | None,
    as_json: bool,
) -> None:
    """Check article and page files offline, listing every problem at once.

    PATHS are files or directories (default: SHOPSYNC_ARTICLES_DIR, i.e. articles).
    Needs no credentials and never contacts the store.
    """
    from shopsync.annotations import in_github_actions
    from shopsync.checks import check_content

    state = get_state(ctx)
    output = state.output
    if as_json and output_format is not None:
        raise click.UsageError("--json and --format are exclusive: pick one")
    if output_format is None:
        output_format = "github" if in_github_actions() else "text"
    settings = load_settings_from_ctx(ctx)
    root = state.root
    wanted = [root / p for p in paths] or [root / settings.articles_dir]
    content = load_content(wanted, root=root, default_blog=settings.blog)
    check_content(content, root=root)
    if check_links:
        from shopsync.admin.links import LinkChecker, citation_link_problems

        with LinkChecker() as checker:
            content.add_problems(*citation_link_problems(content.articles, check=checker))
    if output_format == "github":
        github_reporter(output, root)(content)
    else:
        content_reporter(output)(content)
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


LINT_EPILOG = """\b
Examples:
  shopsync lint                         every article and page in articles/
  shopsync lint articles/my-post.md
  shopsync lint --json | jq '.findings[] | select(.suppressed | not)'

Checks each sentence against the health-claim rules (packaged, plus shopsync-claims.yaml
in the repository): cure and treatment claims, serious and prohibited conditions,
testimonials, "clinically proven" without a citation... Negated sentences, questions,
quotations and the cited study's title are not claims. A reviewed sentence is let
through by <!-- shopsync: allow RULE -- reason --> on the line before it. validate,
plan and push run the same checks. Exit status: 0 when no error is left, 1 otherwise.
"""


@main.command("lint", epilog=LINT_EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@json_option
@click.pass_context
def lint_command(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """Check the articles' sentences for health claims a regulator would object to."""
    from shopsync.checks import claim_findings

    state = get_state(ctx)
    output = state.output
    settings = load_settings_from_ctx(ctx)
    root = state.root
    wanted = [root / p for p in paths] or [root / settings.articles_dir]
    content = load_content(wanted, root=root, default_blog=settings.blog)
    findings = claim_findings(content, root=root)
    errors = [f for f in findings if f.severity == "error" and not f.suppressed]
    if output.json:
        output.emit_json(
            {
                "ok": not errors,
                "files": content.files,
                "findings": [f.to_dict() for f in findings],
                "unchecked": [p.to_dict() for p in content.problems],
            }
        )
    else:
        for problem in content.problems:
            output.error(f"not checked: {format_problem(problem).splitlines()[0]}")
        for finding in findings:
            if finding.suppressed:
                output.info(
                    f"{finding.location()}: reviewed {finding.rule}: “{finding.sentence}” "
                    f"({finding.reason})",
                    style="dim",
                )
                continue
            style = "red" if finding.severity == "error" else "yellow"
            output.line(
                f"{finding.location()}: {finding.severity} {finding.rule}: “{finding.sentence}”",
                style=style,
            )
            output.line(f"    {finding.message} ({finding.source})")
            output.line(f"    say instead: {finding.suggestion}", style="dim")
        reviewed = sum(1 for f in findings if f.suppressed)
        output.info(
            f"{len(errors)} error{'s' if len(errors) != 1 else ''}, "
            f"{len(findings) - len(errors) - reviewed} warning(s), {reviewed} reviewed "
            f"in {content.files} file{'s' if content.files != 1 else ''}",
            style="bold red" if errors else "green",
        )
    ctx.exit(EXIT_FAILURE if errors else EXIT_OK)


# ---------------------------------------------------------------------------- plan / push


def _prune_option(func: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.option(
            "--prune",
            type=click.Choice(["unpublish", "delete"]),
            is_flag=False,
            flag_value="unpublish",
            default=None,
            help="Unpublish managed articles/pages whose file is gone "
            "(--prune=delete deletes them).",
        ),
        click.option("--adopt", is_flag=True, help="Take over unmanaged items with our handles."),
        click.option("--force", is_flag=True, help="Overwrite edits made in the Shopify admin."),
        click.option("--blog", default=None, help="Default blog handle (SHOPSYNC_BLOG)."),
        json_option,
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
    ]
    for decorator in decorators:
        func = decorator(func)
    return func


@contextlib.contextmanager
def _planned(
    ctx: click.Context,
    paths: Sequence[Path],
    *,
    blog: str | None,
    force: bool,
    adopt: bool,
    prune: str | None,
    write: bool,
    reporter: Callable[[Content], None] | None = None,
) -> Iterator[tuple[Settings, ShopifyClient, Plan]]:
    """Validate (problems printed), connect, plan; the client is closed on leaving."""
    from shopsync.plan import PlanOptions
    from shopsync.sync import build_plan, connect, parse_prune

    state = get_state(ctx)
    settings = load_settings_from_ctx(ctx, blog=blog)
    options = PlanOptions(force=force, adopt=adopt, prune=parse_prune(prune))
    reporter = reporter or content_reporter(state.output)
    with connect(settings) as client:
        plan = build_plan(
            settings, client, paths, options, root=state.root, write=write, on_loaded=reporter
        )
        yield settings, client, plan


def _print_plan(output: Output, plan: Plan, store: str) -> None:
    from shopsync.report import plan_styles, plan_text

    output.info(f"Store: {store}")
    if output.fancy:
        for text, style in plan_styles(plan):
            output.line(text, style=style or None)
    else:
        output.line(plan_text(plan))


PLAN_EPILOG = """\b
Examples:
  shopsync plan                       what a push would change
  shopsync plan --detailed-exitcode   exit 2 when there are changes (for CI)
  shopsync plan --markdown >> "$GITHUB_STEP_SUMMARY"
  shopsync plan --json | jq .summary
  shopsync plan --out plan.json       save it; shopsync push plan.json applies it

Exit status: 0 when the plan has no errors or conflicts, 1 when it has some; with
--detailed-exitcode: 0 no changes, 2 changes, 1 errors or conflicts. Never writes
to the store (--out writes only the plan file).
"""


@main.command("plan", epilog=PLAN_EPILOG)
@_prune_option
@click.option("--markdown", is_flag=True, help="Print the plan as Markdown (CI summaries).")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE",
    help="Also save the plan (JSON) for `shopsync push FILE`.",
)
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0 no changes, 2 changes, 1 errors/conflicts."
)
@click.pass_context
def plan_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    as_json: bool,
    blog: str | None,
    force: bool,
    adopt: bool,
    prune: str | None,
    markdown: bool,
    out: Path | None,
    detailed_exitcode: bool,
) -> None:
    """Compare the files with the store and show what a push would do. Never writes.

    PATHS are files or directories (default: SHOPSYNC_ARTICLES_DIR).
    """
    from shopsync.report import plan_json, plan_markdown, problems_markdown

    output = get_output(ctx)
    loaded: list[Content] = []  # with --markdown, the files' problems go into the Markdown
    planning = _planned(
        ctx,
        paths,
        blog=blog,
        force=force,
        adopt=adopt,
        prune=prune,
        write=False,
        reporter=loaded.append if markdown and not output.json else None,
    )
    try:
        with planning as (settings, client, plan):
            if out is not None:
                _save_plan(get_state(ctx).root / out, plan, settings, client.base_url)
            if output.json:
                output.emit_json({"store": client.base_url, **plan_json(plan)})
            elif markdown:
                click.echo(plan_markdown(plan), nl=False)
                if loaded and loaded[0].warnings:
                    click.echo(problems_markdown([], loaded[0].warnings), nl=False)
            else:
                _print_plan(output, plan, client.base_url)
    except ContentError:  # the files' problems, in the Markdown a PR comment shows
        if loaded:
            click.echo(problems_markdown(loaded[0].problems, loaded[0].warnings), nl=False)
        raise
    if out is not None:
        note = f"Saved the plan to {out.as_posix()}: `shopsync push {out.as_posix()}` applies it"
        if not markdown:
            output.info(note)
        elif not output.quiet:  # stdout is the Markdown (a job summary, a PR comment)
            click.echo(note, err=True)
    if plan.has_errors:
        ctx.exit(EXIT_FAILURE)
    ctx.exit(EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK)


def _save_plan(path: Path, plan: Plan, settings: Settings, store: str) -> None:
    from datetime import UTC, datetime

    from shopsync.saved import SavedPlan

    saved = SavedPlan(
        plan=plan,
        store=store,
        api_version=settings.api_version,
        blog=settings.blog,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(saved.dumps(), encoding="utf-8")


PUSH_EPILOG = """\b
Examples:
  shopsync push --dry-run      the plan only (same as shopsync plan)
  shopsync push                show the plan, name the store, ask, then write
  shopsync push --yes          write without asking (CI)
  shopsync push --prune        also unpublish managed articles whose file is gone
  shopsync push --yes --json   the result per item, as JSON

On a terminal push asks before it writes (only "yes" is accepted); elsewhere it
needs --yes. A plan with errors is not pushed unless --allow-partial (then the
rest is). Order: local images (uploaded once to Content > Files), the blog, pages,
then articles. Conflicts (edits made in the Shopify admin) are never written
without --force. Exit status: 0 when everything was applied, 1 when any item
failed or was held back, or nothing was approved; running push again finishes
the job.
"""


@main.command("push", epilog=PUSH_EPILOG)
@_prune_option
@click.option("--dry-run", is_flag=True, help="Show the plan and stop (writes nothing).")
@click.option("-y", "--yes", is_flag=True, help="Write without asking (CI, scripts).")
@click.option(
    "--allow-partial", is_flag=True, help="Push a plan that has errors, leaving those items out."
)
@click.pass_context
def push_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    as_json: bool,
    blog: str | None,
    force: bool,
    adopt: bool,
    prune: str | None,
    dry_run: bool,
    yes: bool,
    allow_partial: bool,
) -> None:
    """Apply the plan to the store: create, update (and with --prune unpublish) items.

    PATHS are files or directories (default: SHOPSYNC_ARTICLES_DIR), or one saved plan
    (plan --out FILE), which is applied as reviewed: a write whose file or store item
    changed since is refused, and nothing the saved plan lacks is written.
    """
    from shopsync.report import plan_json, result_json
    from shopsync.saved import Refused, read_saved, reconcile
    from shopsync.sync import push

    state = get_state(ctx)
    output = state.output
    saved = None
    if len(paths) == 1 and paths[0].suffix == ".json":
        if force or adopt or prune is not None or blog is not None:
            raise click.UsageError("a saved plan carries its own --force/--adopt/--prune/--blog")
        saved = read_saved(state.root / paths[0], root=state.root)
        options = saved.plan.options
        paths = tuple(Path(p) for p in options.scope or ())
        blog, force, adopt, prune = saved.blog, options.force, options.adopt, options.prune
    planning = _planned(
        ctx, paths, blog=blog, force=force, adopt=adopt, prune=prune, write=not dry_run
    )
    refused: tuple[Refused, ...] = ()
    with planning as (settings, client, plan):
        store = client.base_url
        if saved is not None:
            _same_store(saved.store, saved.api_version, store, settings.api_version)
            plan, refused = reconcile(saved.plan, plan)
        if dry_run:
            if output.json:
                output.emit_json(
                    {
                        "dry_run": True,
                        "store": store,
                        "plan": plan_json(plan),
                        "refused": [r.to_dict() for r in refused],
                    }
                )
            else:
                _print_plan(output, plan, store)
                _print_refused(output, refused)
            ctx.exit(EXIT_FAILURE if plan.has_errors or refused else EXIT_OK)
        if not output.json and not output.quiet:
            _print_plan(output, plan, store)
            output.line()
        _print_refused(output, refused)
        _check_errors(plan, allow_partial)
        if plan.has_changes and not yes and saved is None:  # a saved plan was reviewed
            _approve(state, plan, store)
        writes = sum(1 for item in plan.items if item.writes)
        with _progress(output, writes) as advance:
            result = push(settings, client, plan, on_progress=advance)
    if output.json:
        output.emit_json(
            {
                "store": store,
                "plan": plan_json(plan),
                "refused": [r.to_dict() for r in refused],
                "result": result_json(result),
            }
        )
    else:
        _print_result(output, result)
    ctx.exit(EXIT_OK if result.ok and not refused else EXIT_FAILURE)


def _same_store(saved: str, saved_version: str, store: str, version: str) -> None:
    if saved != store or saved_version != version:
        raise NotApproved(
            f"the saved plan was made for {saved} (API {saved_version}), "
            f"not {store} (API {version}), so push wrote nothing",
            hint="push it with the settings it was made with, or plan again for this store",
        )


def _print_refused(output: Output, refused: Sequence[Any]) -> None:
    """Saved writes the push will not make: one line each, with what to do."""
    for entry in refused:
        output.error(f"refused {entry.item.label}: {entry.reason}")
    if refused:
        output.error(
            f"{len(refused)} write{'s' if len(refused) != 1 else ''} refused: "
            "make and review a new plan for them (shopsync plan --out FILE)"
        )


def _check_errors(plan: Plan, allow_partial: bool) -> None:
    """A plan with errors is a half-done job: pushed only when asked to."""
    errors = plan.of_kind("error")
    if errors and not allow_partial:
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        raise NotApproved(
            f"the plan has {count}, so push wrote nothing",
            hint="fix the items marked x above, or pass --allow-partial to push the rest",
        )


def _approve(state: AppState, plan: Plan, store: str) -> None:
    """Ask the person at the terminal (only "yes" goes on); elsewhere, refuse: CI says --yes."""
    from shopsync.report import summary_line

    if not state.interactive or state.output.json:
        raise NotApproved(
            f"push writes to {store} and nobody approved it, so it wrote nothing",
            hint="review `shopsync plan`, then run `shopsync push --yes` (as CI does)",
        )
    click.echo(f"{summary_line(plan)}.")
    answer = click.prompt(
        f"Push these changes to {store}? Only 'yes' is accepted",
        default="",
        show_default=False,
        err=True,
    )
    if answer.strip().lower() != "yes":
        raise NotApproved("push cancelled, nothing was written", hint=None)


@contextlib.contextmanager
def _progress(output: Output, total: int) -> Iterator[Callable[[ItemOutcome], None]]:
    """A progress bar on a terminal for runs with something to write; silent otherwise."""
    if not output.fancy or output.json or output.quiet or total < 2:
        yield lambda _outcome: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=output._rich(),
        transient=True,
    ) as bar:
        task = bar.add_task("pushing", total=total)

        def advance(outcome: ItemOutcome) -> None:
            if outcome.action != "none":
                bar.advance(task)

        yield advance


def _print_result(output: Output, result: ApplyResult) -> None:
    """The final per-item status table (unchanged items only with -v) and a summary."""
    from shopsync.report import result_summary

    shown = [
        item
        for item in result.items
        if output.verbose or not (item.status == "ok" and item.action == "none")
    ]
    styles = {"ok": "green", "failed": "bold red", "skipped": "yellow"}
    if shown and output.fancy:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        for column in ("status", "action", "item", "message"):
            table.add_column(column, overflow="fold")
        for item in shown:
            table.add_row(
                f"[{styles[item.status]}]{item.status}[/]",
                item.action,
                item.label,
                "; ".join(item.messages),
            )
        output._rich().print(table)
    else:
        width = max((len(item.action) for item in shown), default=0)
        for item in shown:
            message = "; ".join(item.messages)
            text = f"{item.status:<7} {item.action:<{width}}  {item.label}  {message}".rstrip()
            output.line(text)
    style = "bold green" if result.ok else "bold red"
    output.line(result_summary(result), style=style)


# ---------------------------------------------------------------------------- preview

PREVIEW_EPILOG = """\b
Examples:
  shopsync preview ems-deep-spine-muscles-study      by handle -> preview/<blog>--<handle>.html
  shopsync preview articles/my-post.md -o /tmp/p.html
  shopsync preview                                   every article and page, plus index.html
  shopsync preview --serve my-post                   http://127.0.0.1:8788/..., live re-render
  shopsync preview --offline                         products from the sandbox's catalogue
  shopsync preview --print-css > assets/shopsync.css the stylesheet for the theme

Featured products show as the store will show them: with a store configured (SHOPSYNC_SHOP
and a token, or --env) their titles and images are read from it (read-only, a request per
50 handles); without one, or with --offline, or when the store does not answer (a
warning), from the sandbox's seeded catalogue. A product in neither shows as
"[unknown product: HANDLE]" with a warning: a plan would refuse it. With --serve the page
reloads itself every 2 seconds and shows the file's problems while it is invalid. Ctrl-C
stops the server.
"""


@main.command("preview", epilog=PREVIEW_EPILOG)
@click.argument("target", required=False, metavar="[FILE|HANDLE]")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (one item) or directory (all items). Default: preview/.",
)
@click.option(
    "--serve", is_flag=True, help="Serve the previews on 127.0.0.1, re-rendered on change."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8788,
    show_default=True,
    help="Port for --serve (0 = any free port).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Never contact the store: featured products from the sandbox's catalogue.",
)
@click.option(
    "--print-css",
    is_flag=True,
    help="Print the stylesheet for the product block and disclaimer (for the theme) and exit.",
)
@json_option
@click.pass_context
def preview_command(
    ctx: click.Context,
    target: str | None,
    output: Path | None,
    serve: bool,
    port: int,
    offline: bool,
    print_css: bool,
    as_json: bool,
) -> None:
    """Render an article (or page) as a standalone HTML page, as a reader would see it.

    FILE|HANDLE is an article or page file, or a handle (default: every file under
    SHOPSYNC_ARTICLES_DIR).
    """
    from shopsync import catalogue as cat
    from shopsync import preview as pv

    if print_css:
        click.echo(pv.theme_css(), nl=False)
        return
    state = get_state(ctx)
    out = state.output
    settings = load_settings_from_ctx(ctx)
    root = state.root
    paths = pv.content_paths(settings.articles_dir, target, root=root)
    content = pv.with_findings(
        load_content(paths, root=root, default_blog=settings.blog), root=root
    )
    item = pv.select(content, target, root=root, articles_dir=settings.articles_dir)
    store = None if offline or not settings.shop else cat.store_lookup(settings)

    def products(handles: Sequence[str]) -> pv.Catalogue:
        return pv.resolve_catalogue(handles, store=store, fallback=cat.seeded_lookup)

    if serve:
        site = pv.PreviewSite(paths, root, settings.blog, products=products)
        _serve_previews(out, site, item, port)
        return
    catalogue = products(pv.wanted_handles([item] if item is not None else content.articles))
    written = pv.write_previews(
        content,
        item,
        root=root,
        output=output,
        base_url=pv.base_url_of(settings.shop),
        catalogue=catalogue,
    )
    if out.json:
        out.emit_json(
            {
                "ok": True,
                "written": [w.to_dict() for w in written],
                "skipped": [p.to_dict() for p in content.problems],
                "products_from": catalogue.source,
                "warnings": list(catalogue.warnings),
            }
        )
        return
    for problem in content.problems:
        out.error(f"warning: skipped {problem.location()}: {problem.message}")
    for warning in catalogue.warnings:
        out.error(f"warning: {warning}")
    for entry in written:
        for note in entry.warnings:
            out.error(f"warning: {entry.source}: {note}")
        out.info(f"wrote {entry.path.as_posix()}  ({(root / entry.path).resolve().as_uri()})")


def _serve_previews(out: Output, site: Any, item: Any, port: int) -> None:
    from shopsync import preview as pv

    try:
        server = pv.make_preview_server(site, port)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
            hint="pick another --port, or --port 0 for any free one",
        ) from None
    base = f"http://{pv.LOOPBACK}:{server.port}"
    url = base + (pv.storefront_path(item) if item is not None else "/")
    if out.json:
        out.emit_json({"url": url, "index": base + "/"})
    else:
        out.line(f"previewing at {url}  (re-rendered when files change; Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.info("stopped")
    finally:
        server.server_close()


# ------------------------------------------------------------------------------- demo

DEMO_EPILOG = """\b
Examples:
  shopsync demo                        sync articles/ to a throwaway sandbox store
  shopsync demo --keep-running         ...then keep it serving to browse the result
  shopsync demo --db demo.db --port 8787 --keep-running
  shopsync demo --json                 plans and result as JSON

Needs no store and no credentials: SHOPSYNC_SHOP and the token are ignored, the
content settings (SHOPSYNC_BLOG, SHOPSYNC_ARTICLES_DIR...) are used. Exit status 0
when everything was pushed and a second plan has nothing left to do.
"""


@main.command("demo", epilog=DEMO_EPILOG)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port of the sandbox store (0 = any free port).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the sandbox store in this SQLite file (default: in memory).",
)
@click.option(
    "--keep-running", is_flag=True, help="Leave the sandbox serving after the demo, until Ctrl-C."
)
@json_option
@click.pass_context
def demo_command(
    ctx: click.Context, port: int, db_path: Path | None, keep_running: bool, as_json: bool
) -> None:
    """Push articles/ to a local sandbox store and show the plan, the result and the links."""
    from shopsync.demo import run_demo
    from shopsync.report import plan_json, result_json
    from shopsync.sandbox import SandboxServer

    state = get_state(ctx)
    output = state.output
    settings = load_settings_from_ctx(ctx)
    db = state.root / db_path if db_path is not None else None
    with SandboxServer(port=port, db_path=db) as server:
        if not output.json:
            output.line(f"Sandbox store running at {server.url} (a local stand-in for Shopify)")
            output.line()
        with _progress(output, total=0) as advance:
            run = run_demo(server, settings, root=state.root, on_progress=advance)
        if output.json:
            output.emit_json(
                {
                    "ok": run.ok,
                    "sandbox": run.sandbox_url,
                    "plan": plan_json(run.first_plan),
                    "result": result_json(run.result),
                    "second_plan": plan_json(run.second_plan),
                    "articles": run.article_urls,
                    "featured_article": run.featured_url,
                }
            )
        else:
            _print_plan(output, run.first_plan, server.url)
            output.line()
            _print_result(output, run.result)
            output.line()
            output.line("Planning again, to check nothing is left to do:")
            _print_plan(output, run.second_plan, server.url)
            output.line()
            for url in run.article_urls.values():
                output.line(f"  {url}")
            if run.featured_url:
                output.line(f"Open the synced article: {run.featured_url}", style="bold")
            output.line(f"Admin API of the sandbox: {server.graphql_url()}")
        if not keep_running and not output.json:
            output.line("The sandbox stops now; `shopsync demo --keep-running` keeps it to browse.")
        if keep_running and run.ok:
            if not output.json:
                output.line("Sandbox still running; Ctrl-C to stop.")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    ctx.exit(EXIT_OK if run.ok else EXIT_FAILURE)


# ------------------------------------------------------------------------ new / schema

NEW_EPILOG = """\b
Examples:
  shopsync new "Does EMS Help the Deep Core?"     articles/does-ems-help-the-deep-core.md
  shopsync new "A Title" --handle short-handle --author "Research Team"

The file is a draft that validates as written: fill in the summary and body, uncomment
the keys you need (citation, featured_products, image, seo), then set status. The
author defaults to the one most articles name; the disclaimer to the page 'disclaimer'
when there is one.
"""


@main.command("new", epilog=NEW_EPILOG)
@click.argument("title")
@click.option("--handle", default=None, help="Handle and file name (default: from the title).")
@click.option("--blog", default=None, help="Blog handle (default: SHOPSYNC_BLOG).")
@click.option("--author", default=None, help="Author (default: the one most articles name).")
@click.option("--disclaimer", default=None, metavar="PAGE", help="Disclaimer page handle to link.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@json_option
@click.pass_context
def new_command(
    ctx: click.Context,
    title: str,
    handle: str | None,
    blog: str | None,
    author: str | None,
    disclaimer: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Write a new article file, a draft in the Research Digest's shape, that validates."""
    from shopsync.content.loader import load_file
    from shopsync.scaffold import new_article, scaffold_handle, usual_author

    state = get_state(ctx)
    settings = load_settings_from_ctx(ctx, blog=blog)
    root = state.root
    folder = root / settings.articles_dir
    existing = (
        load_content([folder], root=root, default_blog=settings.blog)
        if folder.is_dir()
        else Content()
    )
    handle = handle or scaffold_handle(title)
    path = folder / f"{handle}.md"
    shown = path.relative_to(root).as_posix()
    taken = [
        a.source_path for a in existing.articles if a.handle == handle and a.blog == settings.blog
    ]
    if path.exists() and not force:
        raise ShopsyncError(
            f"{shown} already exists",
            hint="pass --handle to choose another, or --force to overwrite it",
        )
    if taken and taken != [shown]:
        raise ShopsyncError(
            f"{taken[0]} already has the handle {handle!r} in blog {settings.blog!r}",
            hint="pass --handle to choose another",
        )
    if disclaimer is None and existing.page("disclaimer") is not None:
        disclaimer = "disclaimer"
    elif disclaimer is not None and existing.page(disclaimer) is None:
        raise ShopsyncError(
            f"there is no page {disclaimer!r} for the disclaimer",
            hint=f"add {settings.articles_dir.as_posix()}/pages/{disclaimer}.md, or leave out "
            "--disclaimer",
        )
    scaffold = new_article(
        title,
        handle=handle,
        blog=settings.blog,
        author=author or usual_author(a.author for a in existing.articles),
        disclaimer=disclaimer,
    )
    loaded = _loaded_text(
        path, scaffold.text, lambda: load_file(path, root=root, default_blog=settings.blog)
    )
    if loaded.problems:
        raise ContentError(loaded.problems)
    output = state.output
    if output.json:
        output.emit_json({"path": shown, "handle": handle, "blog": settings.blog})
    else:
        output.line(f"Created {shown} (a draft; `shopsync validate {shown}` checks it)")


def _loaded_text(path: Path, text: str, load: Callable[[], Any]) -> Any:
    """Write ``text`` and load it; a file that does not validate is taken back out."""
    before = path.read_bytes() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    loaded = load()
    if loaded.problems:
        if before is None:
            path.unlink()
        else:
            path.write_bytes(before)
    return loaded


SCHEMA_EPILOG = """\b
Examples:
  shopsync schema                          the article schema on stdout
  shopsync schema page -o page.schema.json
  shopsync schema -o .vscode/shopsync-article.schema.json

JSON Schema (2020-12) of the front matter, with each key's hint as its description:
point an editor's YAML/front-matter schema setting at it for completion and checks
while typing. `shopsync validate` still checks what a schema cannot (handles, dates,
files, cross-file links).
"""


@main.command("schema", epilog=SCHEMA_EPILOG)
@click.argument("kind", type=click.Choice(["article", "page"]), default="article")
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of stdout.",
)
@click.pass_context
def schema_command(ctx: click.Context, kind: str, out: Path | None) -> None:
    """Print the JSON Schema of an article's (or a page's) front matter."""
    from shopsync.scaffold import front_matter_schema

    text = json.dumps(front_matter_schema(kind), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    target = get_state(ctx).root / out
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    get_output(ctx).info(f"Wrote {out.as_posix()}")


# ------------------------------------------------------------------------------- pull

PULL_EPILOG = """\b
Examples:
  shopsync pull                     every article and page of the store into articles/
  shopsync pull --blog news         only the articles of one blog (pages always)
  shopsync pull --dry-run           what would be written, and the diff of files that differ
  shopsync pull --force             also overwrite files that differ from the store
  shopsync pull --adopt             also mark what was pulled as managed by shopsync

Pull only reads the store (read_content and read_products do) unless --adopt: that marks
each item pulled as managed from its file (writes metafields: needs write_content, checked
before any file is written). Without it a plan calls the pulled items conflicts until
`shopsync pull --adopt` or `shopsync push --adopt`.

A file already there is compared as a plan would compare it (loaded and rendered, field by
field with the store): one in sync is "unchanged" and never rewritten, one that differs is
"different" and rewritten only with --force. Bodies become Markdown where that renders
back to exactly the stored HTML, and stay HTML (format: html) otherwise; an image the store
holds as the upload of a repository image stays that image's path. Shopify's own pages
(contact, data-sharing-opt-out) are skipped: no file, never managed.

\b
Exit status: 0 when every other item was written or is in sync, 1 otherwise (a file that
differs and was not overwritten, or a failure). --dry-run: 1 only for failures;
--detailed-exitcode: 2 when the pull would change files or files differ.
"""


@main.command("pull", epilog=PULL_EPILOG)
@click.option("--blog", "blogs", multiple=True, help="Only this blog's articles (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite existing files that differ.")
@click.option("--adopt", is_flag=True, help="Mark the items pulled as managed (writes marks).")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when files would change or differ.")
@json_option
@click.pass_context
def pull_command(
    ctx: click.Context,
    blogs: tuple[str, ...],
    force: bool,
    adopt: bool,
    dry_run: bool,
    detailed_exitcode: bool,
    as_json: bool,
) -> None:
    """Write the store's articles and pages as files: bootstrap a repository from a store."""
    from shopsync.pull import pull
    from shopsync.report import change_lines
    from shopsync.sync import connect

    state = get_state(ctx)
    output = state.output
    settings = load_settings_from_ctx(ctx)
    with connect(settings) as client:
        client.check_api_version()
        result = pull(
            settings,
            client,
            root=state.root,
            force=force,
            blogs=blogs or None,
            dry_run=dry_run,
            adopt=adopt,
        )
    if output.json:
        output.emit_json(result.to_dict())
    else:
        for item in result.files:
            note = "; ".join(item.messages + tuple(f"differs: {d}" for d in item.differences))
            where = item.path or f"({item.resource} {item.handle})"
            output.line(f"{item.action:<11} {where}  {note}".rstrip())
            if item.action in ("different", "overwritten"):
                for change in item.changes:
                    for line in change_lines(change):
                        output.line("    " + line)
        for note in result.notes:
            output.line(f"note: {note}")
        summary = ", ".join(f"{n} {k}" for k, n in result.counts().items())
        output.line(("Dry run: " if dry_run else "Pull: ") + summary)
    if not (result.ok if dry_run else result.complete):
        ctx.exit(EXIT_FAILURE)
    ctx.exit(EXIT_CHANGES if detailed_exitcode and result.has_changes else EXIT_OK)


# ---------------------------------------------------------------------------- resolve

RESOLVE_EPILOG = """\b
Examples:
  shopsync resolve --take-store                 every conflict: the store's version into the files
  shopsync resolve beta --take-store            one article, by handle (or blog/handle)
  shopsync resolve articles/beta.md --keep-file overwrite the admin's edit with the file (asks)

A conflict is an item edited in the Shopify admin since shopsync wrote it (see `shopsync
plan`). --take-store rewrites its file from the store, as pull would, and sends nothing:
review the change (git diff), commit it, and the next push only refreshes shopsync's
marks. --keep-file pushes exactly those items with --force; like push it asks on a
terminal and needs --yes elsewhere. Exit status: 0 resolved (or nothing to resolve),
1 otherwise.
"""


@main.command("resolve", epilog=RESOLVE_EPILOG)
@click.argument("targets", nargs=-1, metavar="[HANDLE|FILE]...")
@click.option("--take-store", is_flag=True, help="Take the store's version into the files.")
@click.option("--keep-file", is_flag=True, help="Keep the files' version: push it over the edit.")
@click.option("-y", "--yes", is_flag=True, help="With --keep-file: write without asking.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@json_option
@click.pass_context
def resolve_command(
    ctx: click.Context,
    targets: tuple[str, ...],
    take_store: bool,
    keep_file: bool,
    yes: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Settle conflicts: take the store's version into the file, or keep the file's."""
    from shopsync.plan import PlanOptions
    from shopsync.report import result_json
    from shopsync.resolve import chosen_conflicts, keep_files
    from shopsync.resolve import take_store as write_store_versions
    from shopsync.sync import build_plan, connect, push

    if take_store == keep_file:
        raise click.UsageError("choose one: --take-store or --keep-file")
    state = get_state(ctx)
    output = state.output
    settings = load_settings_from_ctx(ctx)
    reporter = content_reporter(output)
    with connect(settings) as client:
        plan = build_plan(
            settings,
            client,
            (),
            PlanOptions(),
            root=state.root,
            write=keep_file,
            on_loaded=reporter,
        )
        conflicts = chosen_conflicts(plan, targets)
        if not conflicts:
            if output.json:
                output.emit_json({"resolved": [], "store": client.base_url})
            else:
                output.info("No conflicts to resolve." if not targets else "No conflict there.")
            ctx.exit(EXIT_OK if not targets or plan.of_kind("conflict") == [] else EXIT_FAILURE)
        if take_store:
            files = write_store_versions(
                settings, client, conflicts, root=state.root, dry_run=dry_run
            )
            if output.json:
                output.emit_json(
                    {"resolved": [f.to_dict() for f in files], "store": client.base_url}
                )
            else:
                for f in files:
                    verb = "would take" if dry_run else "took"
                    output.line(
                        f"{verb} the store's version into {f.path} ({f.resource} {f.handle})"
                    )
                output.info(
                    "Review it (git diff) and commit it; the next push only refreshes "
                    "shopsync's marks."
                )
            ctx.exit(EXIT_OK if all(f.action != "failed" for f in files) else EXIT_FAILURE)
        forced = build_plan(
            settings, client, (), PlanOptions(force=True), root=state.root, write=True
        )
        plan = keep_files(forced, conflicts)
        if not output.json and not output.quiet:
            _print_plan(output, plan, client.base_url)
            output.line()
        if dry_run:
            ctx.exit(EXIT_OK)
        if not yes:
            _approve(state, plan, client.base_url)
        result = push(settings, client, plan)
    if output.json:
        output.emit_json({"store": client.base_url, "result": result_json(result)})
    else:
        _print_result(output, result)
    ctx.exit(EXIT_OK if result.ok else EXIT_FAILURE)


def _register_subcommands() -> None:
    """Commands that live in their own modules, attached here so ``--help`` lists them."""
    from shopsync.sandbox.cli import sandbox_command

    main.add_command(sandbox_command)


# ------------------------------------------------------------- group options, after the command


def _late(update: Callable[[AppState, Any], None]) -> Callable[..., None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value:  # given after the command: it wins over the same option before it
            state = get_state(ctx)
            update(state, value)
            _configure_logging(state.output.verbose, state.output.quiet)

    return callback


def _set_root(state: AppState, value: Path) -> None:
    state.root = value


def _set_env_file(state: AppState, value: Path) -> None:
    state.env_file = value


def _set_env_name(state: AppState, value: str) -> None:
    state.env_name = value


def _set_verbose(state: AppState, value: int) -> None:
    state.output.verbose = value


def _set_quiet(state: AppState, value: bool) -> None:
    state.output.quiet = value


#: The group's options, as each command takes them again: (names, click settings, setter).
_LATE_OPTIONS: tuple[tuple[list[str], dict[str, Any], Callable[[AppState, Any], None]], ...] = (
    (
        ["-C", "--root", "late_root"],
        {"type": click.Path(path_type=Path, file_okay=False, exists=True)},
        _set_root,
    ),
    (
        ["--env-file", "late_env_file"],
        {"type": click.Path(path_type=Path, dir_okay=False)},
        _set_env_file,
    ),
    (["--env", "late_env_name"], {}, _set_env_name),
    (["-v", "--verbose", "late_verbose"], {"count": True}, _set_verbose),
    (["-q", "--quiet", "late_quiet"], {"is_flag": True}, _set_quiet),
)


def _group_options_after_commands() -> None:
    """``shopsync plan -q`` as well as ``shopsync -q plan``: every command takes the group's
    options too (hidden from its help; ``shopsync --help`` lists them once)."""
    for command in main.commands.values():
        command.params.extend(
            click.Option(names, expose_value=False, hidden=True, callback=_late(setter), **settings)
            for names, settings, setter in _LATE_OPTIONS
        )


_register_subcommands()
_group_options_after_commands()

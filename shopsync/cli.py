"""The ``shopsync`` command line: parse, call the core, print, map errors to exit codes.

This is the one place that prints and the one place where exceptions become
messages: ``handle_errors`` turns a ``ShopsyncError`` into ``error:``/``hint:``
lines (or its JSON with ``--json``) and its exit code; anything else is our bug and
says so in one line (traceback with ``-vv``). Commands share ``Output`` (human text,
rich colours only on a terminal, or JSON) and ``load_settings_from_ctx``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from shopsync import __version__
from shopsync.config import Settings, load_settings
from shopsync.content.loader import Content, load_content
from shopsync.errors import (
    EXIT_CHANGES,
    EXIT_FAILURE,
    EXIT_OK,
    ConfigError,
    ContentError,
    Problem,
    ShopsyncError,
)

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
    env_name: str | None = None


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
    from shopsync.environments import environment_overrides, selected_environment

    name = selected_environment(state.env_name)
    if name is not None:
        named = environment_overrides(name, root=Path.cwd(), env_file=state.env_file)
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
    ctx: click.Context, env_file: Path | None, env_name: str | None, verbose: int, quiet: bool
) -> None:
    """Keep a Shopify store's blog articles and pages in sync with Markdown files in git."""
    _configure_logging(verbose, quiet)
    ctx.obj = AppState(
        output=Output(quiet=quiet, verbose=verbose), env_file=env_file, env_name=env_name
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


# ---------------------------------------------------------------------------- plan / push


def _prune_option(func: Callable[P, R]) -> Callable[P, R]:
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


def _prepare_sync(
    ctx: click.Context,
    paths: Sequence[Path],
    *,
    blog: str | None,
    force: bool,
    adopt: bool,
    prune: str | None,
    write: bool,
) -> tuple[Settings, Any, Any]:
    """Validate, connect, check access, plan: (settings, client, prepared)."""
    from shopsync.admin.client import ShopifyClient
    from shopsync.sync import (
        SyncOptions,
        parse_prune,
        plan_content,
        required_scopes,
        scope_of,
    )

    output = get_output(ctx)
    settings = load_settings_from_ctx(ctx, blog=blog)
    content = load_and_report(output, paths, settings)
    if not content.ok:
        raise ContentError(content.problems)
    client = ShopifyClient.from_settings(settings)
    client.check_api_version()
    client.check_access(required_scopes(content, write=write))
    options = SyncOptions(force=force, adopt=adopt, prune=parse_prune(prune))
    scope = scope_of(paths, settings, root=Path.cwd())
    return settings, client, plan_content(settings, client, content, options, scope=scope)


def _print_plan(output: Output, plan: Any) -> None:
    from shopsync.report import plan_styles, plan_text

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

Exit status: 0 when the plan has no errors or conflicts, 1 when it has some; with
--detailed-exitcode: 0 no changes, 2 changes, 1 errors or conflicts. Never writes.
"""


@main.command("plan", epilog=PLAN_EPILOG)
@_prune_option
@click.option("--markdown", is_flag=True, help="Print the plan as Markdown (CI summaries).")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0 no changes, 2 changes, 1 errors/conflicts."
)
@click.pass_context
@handle_errors
def plan_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    as_json: bool,
    blog: str | None,
    force: bool,
    adopt: bool,
    prune: str | None,
    markdown: bool,
    detailed_exitcode: bool,
) -> None:
    """Compare the files with the store and show what a push would do. Never writes.

    PATHS are files or directories (default: SHOPSYNC_ARTICLES_DIR).
    """
    from shopsync.report import plan_json, plan_markdown

    output = get_output(ctx)
    _settings, _client, prepared = _prepare_sync(
        ctx, paths, blog=blog, force=force, adopt=adopt, prune=prune, write=False
    )
    plan = prepared.plan
    if output.json:
        output.emit_json(plan_json(plan))
    elif markdown:
        click.echo(plan_markdown(plan), nl=False)
    else:
        _print_plan(output, plan)
    if plan.has_errors:
        ctx.exit(EXIT_FAILURE)
    ctx.exit(EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK)


PUSH_EPILOG = """\b
Examples:
  shopsync push --dry-run      the plan only (same as shopsync plan)
  shopsync push                create and update what the plan shows
  shopsync push --prune        also unpublish managed articles whose file is gone
  shopsync push --json         the result per item, as JSON

Order: local images (uploaded once to Content > Files), the blog, pages, then
articles. Conflicts (edits made in the Shopify admin) and errors are not written.
Exit status: 0 when everything was applied, 1 when any item failed or was held
back; running push again finishes the job.
"""


@main.command("push", epilog=PUSH_EPILOG)
@_prune_option
@click.option("--dry-run", is_flag=True, help="Show the plan and stop (writes nothing).")
@click.pass_context
@handle_errors
def push_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    as_json: bool,
    blog: str | None,
    force: bool,
    adopt: bool,
    prune: str | None,
    dry_run: bool,
) -> None:
    """Apply the plan to the store: create, update (and with --prune unpublish) items.

    PATHS are files or directories (default: SHOPSYNC_ARTICLES_DIR).
    """
    from shopsync.report import plan_json, result_json
    from shopsync.sync import push

    output = get_output(ctx)
    settings, client, prepared = _prepare_sync(
        ctx, paths, blog=blog, force=force, adopt=adopt, prune=prune, write=not dry_run
    )
    plan = prepared.plan
    if dry_run:
        if output.json:
            output.emit_json({"dry_run": True, "plan": plan_json(plan)})
        else:
            _print_plan(output, plan)
        ctx.exit(EXIT_FAILURE if plan.has_errors else EXIT_OK)
    if not output.json and not output.quiet:
        _print_plan(output, plan)
        output.line()
    writes = sum(1 for item in plan.items if item.writes)
    with _progress(output, writes) as advance:
        result = push(settings, client, plan, on_progress=advance)
    if output.json:
        output.emit_json({"plan": plan_json(plan), "result": result_json(result)})
    else:
        _print_result(output, result)
    ctx.exit(EXIT_OK if result.ok else EXIT_FAILURE)


@contextlib.contextmanager
def _progress(output: Output, total: int) -> Iterator[Callable[[Any], None]]:
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

        def advance(outcome: Any) -> None:
            if outcome.action != "none":
                bar.advance(task)

        yield advance


def _print_result(output: Output, result: Any) -> None:
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

Needs no credentials and never contacts the store: featured products are shown with a
title made from their handle. With --serve the page reloads itself every 2 seconds and
shows the file's problems while it is invalid. Ctrl-C stops the server.
"""


def _preview_base_url(settings: Settings) -> str | None:
    """Relative links of a file preview (/pages/x, /products/y) point at the shop, if known."""
    from shopsync.config import shop_base_url

    if not settings.shop:
        return None
    try:
        return shop_base_url(settings.shop)
    except ConfigError:
        return None


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
@json_option
@click.pass_context
@handle_errors
def preview_command(
    ctx: click.Context,
    target: str | None,
    output: Path | None,
    serve: bool,
    port: int,
    as_json: bool,
) -> None:
    """Render an article (or page) as a standalone HTML page, as a reader would see it.

    FILE|HANDLE is an article or page file, or a handle (default: every file under
    SHOPSYNC_ARTICLES_DIR).
    """
    from shopsync import preview as pv

    out = get_output(ctx)
    settings = load_settings_from_ctx(ctx)
    root = Path.cwd()
    paths = [settings.articles_dir]
    if target is not None and target.endswith(".md"):
        paths.append(Path(target))
    content = load_content(paths, root=root, default_blog=settings.blog)
    item: Any = None
    if target is not None:
        item = pv.find_item(content, target, root=root)
        if item is None:
            own = [p for p in content.problems if Path(p.path).stem == Path(target).stem]
            if own:
                raise ContentError(own)
            raise ShopsyncError(
                f"no article or page {target!r} under {settings.articles_dir.as_posix()}",
                hint="give a file path such as articles/my-post.md, or an article's handle",
            )
    if serve:
        _serve_previews(ctx, pv.PreviewSite(paths, root, settings.blog), item, port)
        return
    base_url = _preview_base_url(settings)
    items: list[Any] = [item] if item is not None else [*content.articles, *content.pages]
    if output is not None and item is not None and output.suffix == ".html":
        targets = [output]
    else:
        directory = output or Path("preview")
        targets = [directory / pv.preview_file_name(x) for x in items]
    written = []
    for entry, path in zip(items, targets, strict=True):
        context = pv.context_for(entry, content, root=root, base_url=base_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pv.render_item(entry, context), encoding="utf-8")
        written.append({"source": entry.source_path, "handle": entry.handle, "path": path})
    if item is None:
        index = (output or Path("preview")) / "index.html"
        page = pv.render_index(items, pv.PreviewContext(), link=pv.preview_file_name)
        index.write_text(page, encoding="utf-8")
        written.append({"source": None, "handle": None, "path": index})
    if out.json:
        skipped = [p.to_dict() for p in content.problems]
        out.emit_json({"ok": True, "written": written, "skipped": skipped})
        return
    for problem in content.problems:
        out.error(f"warning: skipped {problem.location()}: {problem.message}")
    for entry_info in written:
        path = Path(entry_info["path"])
        out.info(f"wrote {path.as_posix()}  ({path.resolve().as_uri()})")


def _serve_previews(ctx: click.Context, site: Any, item: Any, port: int) -> None:
    from shopsync import preview as pv

    out = get_output(ctx)
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
@handle_errors
def demo_command(
    ctx: click.Context, port: int, db_path: Path | None, keep_running: bool, as_json: bool
) -> None:
    """Push articles/ to a local sandbox store and show the plan, the result and the links."""
    from shopsync.demo import run_demo
    from shopsync.report import plan_json, result_json
    from shopsync.sandbox import SandboxServer

    output = get_output(ctx)
    settings = load_settings_from_ctx(ctx)
    with SandboxServer(port=port, db_path=db_path) as server:
        if not output.json:
            output.line(f"Sandbox store running at {server.url} (a local stand-in for Shopify)")
            output.line()
        with _progress(output, total=0) as advance:
            run = run_demo(server, settings, root=Path.cwd(), on_progress=advance)
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
            _print_plan(output, run.first_plan)
            output.line()
            _print_result(output, run.result)
            output.line()
            output.line("Planning again, to check nothing is left to do:")
            _print_plan(output, run.second_plan)
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


# ------------------------------------------------------------------------------- pull

PULL_EPILOG = """\b
Examples:
  shopsync pull                     every article and page of the store into articles/
  shopsync pull --blog news         only the articles of one blog (pages always)
  shopsync pull --dry-run --json    what would be written, as JSON
  shopsync pull --force             also overwrite files that differ

Bodies become Markdown where that renders back to exactly the stored HTML, and stay HTML
(format: html) otherwise. Existing files are never overwritten without --force. Exit
status 0 when every item was written (or was already identical), 1 otherwise.
"""


@main.command("pull", epilog=PULL_EPILOG)
@click.option("--blog", "blogs", multiple=True, help="Only this blog's articles (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite existing files that differ.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@json_option
@click.pass_context
@handle_errors
def pull_command(
    ctx: click.Context, blogs: tuple[str, ...], force: bool, dry_run: bool, as_json: bool
) -> None:
    """Write the store's articles and pages as files: bootstrap a repository from a store."""
    from shopsync.admin.client import ShopifyClient
    from shopsync.pull import pull
    from shopsync.sync import READ_SCOPES

    output = get_output(ctx)
    settings = load_settings_from_ctx(ctx)
    with ShopifyClient.from_settings(settings) as client:
        client.check_api_version()
        client.check_access(list(READ_SCOPES))
        result = pull(
            settings, client, root=Path.cwd(), force=force, blogs=blogs or None, dry_run=dry_run
        )
    if output.json:
        output.emit_json(result.to_dict())
    else:
        for item in result.files:
            note = "; ".join(item.messages + tuple(f"differs: {d}" for d in item.differences))
            output.line(f"{item.action:<11} {item.path}  {note}".rstrip())
        for note in result.notes:
            output.line(f"note: {note}")
        summary = ", ".join(f"{n} {k}" for k, n in result.counts().items())
        output.line(("Dry run: " if dry_run else "Pull: ") + summary)
    ctx.exit(
        EXIT_OK
        if result.ok and not any(f.action == "skipped" for f in result.files)
        else EXIT_FAILURE
    )


def _register_subcommands() -> None:
    """Commands that live in their own modules, attached here so ``--help`` lists them."""
    from shopsync.sandbox.cli import sandbox_command

    main.add_command(sandbox_command)


_register_subcommands()

"""Content files → models, plus every problem found, each located by file and line.

Never raises for a user's mistake: unreadable, binary, oversized, badly encoded or
badly formed files all become ``Problem``s, so ``shopsync validate`` can list them
all at once. A file's front matter is parsed once with PyYAML's composer so each
key keeps its line number; pydantic errors are mapped back to those lines.

Fast enough for thousands of files (``benchmarks/bench_validate.py``): no body is parsed
as Markdown unless it may hold an image or its size may be near Shopify's limit, front
matter goes through libyaml where that reads it as PyYAML's Python parser would, and a
large run loads its files in worker processes. None of that changes a result.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from shopsync.content.hints import (
    ALIASES,
    BODY_IMAGE_HINT,
    CONTROL_CHARACTER_HINT,
    FEATURED_IMAGE_HINT,
    HINTS,
    LINE_BREAK_HINT,
    LINE_BREAK_HINTS,
    SCHEDULE_HINT,
    TYPE_NAMES,
    did_you_mean,
)
from shopsync.content.images import (
    ImageProblem,
    LocalImage,
    inspect_image,
    is_local_src,
    resolve_inline,
)
from shopsync.content.models import (
    ARTICLE_KEYS,
    CONTROL_CHARACTER_ERROR,
    HANDLE_PATTERN,
    LINE_BREAK_ERROR,
    PAGE_KEYS,
    SEO_TITLE_RECOMMENDED,
    Article,
    Page,
    check_schedule,
    coerce_datetime,
)
from shopsync.content.render import (
    ARTICLE_BODY_LIMIT,
    PAGE_BODY_LIMIT,
    article_body_size_bound,
    body_size,
    image_sources,
    render_article_body,
    render_disclaimer_notice,
    render_page_body,
)
from shopsync.errors import Problem
from shopsync.vocabulary import ProductInfo

# Markdown larger than this cannot render below the article limit; refuse it unread.
MAX_FILE_BYTES = 2 * ARTICLE_BODY_LIMIT
CONTENT_SUFFIX = ".md"
PAGES_DIR = "pages"
_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_END = re.compile(r"^(---|\.\.\.)[ \t]*$")

# Workers cost a fork each and a pickle of every file's result (about a third of what
# loading it costs): measured on 2 cores, 1,000 files load no faster in two processes than
# in one (about 1 s either way), 10,000 in 5 s instead of 8. Below this, one process.
PARALLEL_MIN_FILES = 2000
MAX_WORKERS = 8
# Several chunks per worker even out files of unequal cost; small ones keep what a worker
# holds at once (its chunk's models, and their pickle) small next to the parent's.
CHUNKS_PER_WORKER = 4
MAX_CHUNK = 100
WORKERS_ENV = "SHOPSYNC_LOAD_WORKERS"  # at most this many (1: never in parallel)
# Workers are forked: they inherit the loaded code, and ``python -m shopsync`` could not be
# re-imported by a spawned one. Where fork is unsafe (macOS) or missing, one process.
_CAN_FORK = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()

Kind = Literal["article", "page"]
KeyPath = tuple[str | int, ...]


@dataclass
class Content:
    """Everything loaded from the content files, plus everything wrong with them."""

    articles: list[Article] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: int = 0
    images: dict[str, LocalImage] = field(default_factory=dict)  # repository path -> file
    #: Per file: the line its body starts on, and each front-matter key's line (for checks
    #: after loading, such as the claim linter, to point at file lines).
    body_lines: dict[str, int] = field(default_factory=dict)
    key_lines: dict[str, dict[KeyPath, int]] = field(default_factory=dict)
    #: The claim linter's findings (``checks``, ``preview``), and those reviewed and
    #: suppressed in the file with their reasons.
    findings: list[Any] = field(default_factory=list)
    reviewed: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def page(self, handle: str) -> Page | None:
        return next((p for p in self.pages if p.handle == handle), None)

    def add_problems(
        self, problems: Sequence[Problem] = (), warnings: Sequence[Problem] = ()
    ) -> None:
        """Problems found after loading (policies, claims, links), kept in file order."""
        self.problems.extend(problems)
        self.warnings.extend(warnings)
        self.problems.sort(key=_problem_order)
        self.warnings.sort(key=_problem_order)


@dataclass
class LoadedFile:
    """One file's outcome: the model if it validated, and its problems and warnings."""

    path: str
    kind: Kind
    item: Article | Page | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    key_lines: dict[KeyPath, int] = field(default_factory=dict)
    body_line: int = 1
    data: dict[str, Any] | None = None
    images: dict[str, LocalImage] = field(default_factory=dict)  # repository path -> file
    # The rendered body's UTF-8 size without an article's disclaimer notice (that page may
    # be another file): exact, or an upper bound when that is enough to know it fits.
    body_bytes: int = 0
    body_bytes_exact: bool = True


def kind_of(path: Path) -> Kind:
    return "page" if path.parent.name == PAGES_DIR else "article"


def display_path(path: Path, root: Path) -> str:
    """Repository-relative POSIX path when the file is inside ``root``."""
    return _shown(path, path.resolve(), root.resolve())


def _shown(path: Path, resolved: Path, resolved_root: Path) -> str:
    try:
        return resolved.relative_to(resolved_root).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Sequence[Path], *, root: Path) -> tuple[list[Path], list[Problem]]:
    """Files named directly, plus every ``*.md`` under directories (hidden ones skipped)."""
    found, problems = _discover(paths, root.resolve())
    return [file for _shown_as, file in found], problems


def _discover(
    paths: Sequence[Path], resolved_root: Path
) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """``discover``, each file with the path it is shown as, sorted by that."""
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            for file, resolved in _walk(path):
                found.setdefault(_shown(file, resolved, resolved_root), file)
        elif path.is_file():
            found.setdefault(_shown(path, path.resolve(), resolved_root), path)
        else:
            problems.append(
                Problem(
                    path=path.as_posix(),
                    message="no such file or directory",
                    hint="give an article file or a directory such as articles",
                )
            )
    return sorted(found.items()), problems


def _walk(directory: Path) -> Iterator[tuple[Path, Path]]:
    """Each content file under ``directory``, and where it resolves to.

    A directory is resolved once, not once per file in it: ``resolve()`` looks at every
    component of a path, and a large repository has thousands of files per directory.
    """
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        real_dir = Path(os.path.realpath(dirpath))
        for name in sorted(filenames):
            if name.endswith(CONTENT_SUFFIX) and not name.startswith("."):
                real = real_dir / name
                yield Path(dirpath) / name, real.resolve() if real.is_symlink() else real


def load_content(
    paths: Sequence[Path],
    *,
    root: Path,
    default_blog: str,
    now: datetime | None = None,
    workers: int | None = None,
) -> Content:
    """Load and cross-check every article and page under ``paths``.

    ``workers`` processes load the files (default: one per CPU for a run of at least
    ``PARALLEL_MIN_FILES`` files, at most ``SHOPSYNC_LOAD_WORKERS``); the result is the
    same with any number, 1 being this process alone.
    """
    now = now or datetime.now(UTC)
    files, problems = _discover(paths, root.resolve())
    content = Content(problems=problems, files=len(files))
    count = _worker_count(len(files)) if workers is None else workers
    loaded = _load_all(files, root=root, default_blog=default_blog, now=now, workers=count)
    _add_referenced_pages(loaded, root=root, default_blog=default_blog, now=now)
    for result in loaded:
        content.problems.extend(result.problems)
        content.warnings.extend(result.warnings)
        content.images.update(result.images)
        content.body_lines[result.path] = result.body_line
        content.key_lines[result.path] = result.key_lines
    _check_duplicates(loaded, content.problems)
    _check_previous_handles(loaded, content.problems)
    _check_disclaimers(loaded, content.problems)
    _check_body_sizes(loaded, content.problems)
    content.articles = sorted(
        (r.item for r in loaded if isinstance(r.item, Article)), key=lambda a: a.source_path
    )
    content.pages = sorted(
        (r.item for r in loaded if isinstance(r.item, Page)), key=lambda p: p.source_path
    )
    content.problems.sort(key=_problem_order)
    content.warnings.sort(key=_problem_order)
    return content


def _worker_count(files: int) -> int:
    """Processes for loading ``files`` files: 1 below the threshold, or without fork."""
    configured = os.environ.get(WORKERS_ENV, "").strip()
    limit = int(configured) if configured.isdigit() else MAX_WORKERS
    if files < PARALLEL_MIN_FILES or not _CAN_FORK:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(limit, cpus or 1))


def _load_all(
    files: Sequence[tuple[str, Path]],
    *,
    root: Path,
    default_blog: str,
    now: datetime,
    workers: int,
) -> list[LoadedFile]:
    """Each file's outcome, in the order of ``files``, loaded by ``workers`` processes.

    Files are independent until the cross-file checks, which run here afterwards, so
    contiguous chunks of them load anywhere and their results join in order: the same
    list as a serial run.
    """
    if workers <= 1 or len(files) <= 1:
        return _load_chunk(files, root, default_blog, now)
    size = max(1, min(MAX_CHUNK, -(-len(files) // (workers * CHUNKS_PER_WORKER))))
    chunks = [files[start : start + size] for start in range(0, len(files), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = pool.map(_load_chunk, chunks, repeat(root), repeat(default_blog), repeat(now))
        return [result for part in parts for result in part]


def _load_chunk(
    files: Sequence[tuple[str, Path]], root: Path, default_blog: str, now: datetime
) -> list[LoadedFile]:
    return [
        _load(file, shown, kind_of(file), root=root, default_blog=default_blog, now=now)
        for shown, file in files
    ]


def _problem_order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.path, problem.line or 0, problem.field or "", problem.message)


def load_file(
    path: Path,
    *,
    root: Path,
    default_blog: str,
    now: datetime | None = None,
    kind: Kind | None = None,
) -> LoadedFile:
    """Load one file on its own (no cross-file checks)."""
    shown = display_path(path, root)
    return _load(path, shown, kind or kind_of(path), root=root, default_blog=default_blog, now=now)


def _load(
    path: Path, shown: str, kind: Kind, *, root: Path, default_blog: str, now: datetime | None
) -> LoadedFile:
    """``load_file`` for a file whose shown path is known (``discover`` worked it out)."""
    result = LoadedFile(path=shown, kind=kind)
    text = _read_text(path, shown, result.problems)
    if text is None:
        return result
    parsed = _split_front_matter(text, shown, result.problems)
    if parsed is None:
        return result
    front, front_start, body, body_line = parsed
    result.body_line = body_line
    data = _parse_yaml(front, front_start, shown, result)
    if data is None:
        return result
    _validate(data, body, path, root, default_blog, now or datetime.now(UTC), result)
    return result


def _read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    path=shown,
                    message=f"file is {size / 1_000_000:.1f} MB; the limit is "
                    f"{MAX_FILE_BYTES / 1_000_000:.0f} MB (Shopify stores at most 1 MB of body)",
                    hint="split it into several articles or move large media out of the text",
                )
            )
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(
            Problem(path=shown, message=f"cannot read file: {exc.strerror or exc}", hint=None)
        )
        return None
    if b"\x00" in raw[:8192]:
        problems.append(
            Problem(
                path=shown,
                message="binary file, not Markdown text",
                hint="content files must be UTF-8 Markdown; move other files out of the folder",
            )
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                path=shown,
                line=line,
                message=f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                hint="re-save the file as UTF-8 in your editor",
            )
        )
        return None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        problems.append(
            Problem(
                path=shown,
                line=1,
                message="file is empty",
                hint="start with front matter: ---, title: ..., ---, then the Markdown text",
            )
        )
        return None
    return text


def _split_front_matter(
    text: str, shown: str, problems: list[Problem]
) -> tuple[str, int, str, int] | None:
    """(front matter, its first line number, body, body's first line number)."""
    lines = text.splitlines(keepends=True)
    if not _FENCE.match(lines[0].rstrip("\r\n")):
        problems.append(
            Problem(
                path=shown,
                line=1,
                message="missing front matter",
                hint="the file must start with a line '---', the YAML keys (title: ...), "
                "and another '---' line",
            )
        )
        return None
    for index in range(1, len(lines)):
        if _FENCE_END.match(lines[index].rstrip("\r\n")):
            return "".join(lines[1:index]), 2, "".join(lines[index + 1 :]), index + 2
    problems.append(
        Problem(
            path=shown,
            line=1,
            message="front matter is not closed",
            hint="end the front matter with a line '---' before the Markdown text",
        )
    )
    return None


def _timestamp_or_text(constructor: yaml.SafeLoader | yaml.CSafeLoader, node: yaml.Node) -> Any:
    """PyYAML's date or date-time, or the text itself when it names no real moment
    (2025-02-30, hour 25, offset +25:00): PyYAML would raise a bare ValueError there, which
    is no YAML error; as text, the model says what is wrong with it, and on which line."""
    assert isinstance(node, yaml.ScalarNode)
    try:
        return constructor.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return str(node.value)


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with ``_timestamp_or_text`` for timestamps."""


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


# libyaml (PyYAML's C parser, when the wheel has it; the same author's C twin of the Python
# one) composes front matter about ten times faster than the Python parser. It is used for text
# both read the same way: printable characters and plain newlines, no tabs, no other line
# breaks (NEL, LS, PS, CR) and no byte-order mark; and only when it succeeds, so every
# error message still comes from the Python parser, as before.
_C_LOADER: type[yaml.CSafeLoader] | None = None
if hasattr(yaml, "CSafeLoader"):

    class _CSafeLoader(yaml.CSafeLoader):
        """libyaml's safe loader, with ``_timestamp_or_text`` for timestamps."""

    _CSafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
    _C_LOADER = _CSafeLoader
_C_SAFE_TEXT = re.compile(
    r"[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
)


def _compose_fast(front: str) -> tuple[yaml.Node | None, Any] | None:
    """(node, data) from libyaml, or None to leave the text to the Python parser."""
    if _C_LOADER is None or not _C_SAFE_TEXT.fullmatch(front):
        return None
    loader = _C_LOADER(front)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        try:
            return node, _construct_plain(loader, node)
        except _Unusual:
            return node, loader.construct_document(node)
    except Exception:  # whatever it is, the Python parser raises (and words) it
        return None
    finally:
        loader.dispose()


_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
_PLAIN_SCALARS = frozenset(_TAG + name for name in ("null", "bool", "int", "float", "timestamp"))


class _Unusual(Exception):
    """A node ``_construct_plain`` leaves to PyYAML's constructor."""


def _construct_plain(constructor: yaml.constructor.SafeConstructor, node: yaml.Node) -> Any:
    """What ``construct_document`` makes of plain YAML (scalars, lists, mappings with
    scalar keys), without its bookkeeping per node, which costs as much as the parse.
    Scalars go through PyYAML's own constructor for their tag. Anything else (an alias,
    a merge key, an explicit tag, a list as a key) raises ``_Unusual``."""
    seen: set[int] = set()

    def build(node: yaml.Node) -> Any:
        if id(node) in seen:
            raise _Unusual  # an alias: PyYAML gives the same object twice
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR:
                return node.value
            if node.tag in _PLAIN_SCALARS:
                return constructor.yaml_constructors[node.tag](constructor, node)
        elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [build(item) for item in node.value]
        elif isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Unusual
                key = build(key_node)
                mapping[key] = build(value_node)
            return mapping
        raise _Unusual

    return build(node)


def _parse_yaml(front: str, first_line: int, shown: str, result: LoadedFile) -> Any:
    fast = _compose_fast(front)
    # Built outside the try, as it always was: a ReaderError from here is not reported.
    loader = _SafeLoader(front) if fast is None else None
    try:
        if loader is None:
            assert fast is not None
            node, data = fast
        else:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        reason = exc.problem or exc.context or "invalid YAML"
        result.problems.append(
            Problem(
                path=shown,
                line=line,
                field=None,
                message=f"YAML syntax error in front matter: {reason}",
                hint="check indentation and quote values that contain ': ' or start with a "
                "special character",
            )
        )
        return None
    except yaml.YAMLError as exc:
        result.problems.append(
            Problem(path=shown, line=first_line, message=f"YAML error in front matter: {exc}")
        )
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        result.problems.append(
            Problem(
                path=shown,
                line=first_line,
                message=f"front matter must be key: value pairs, not a {type(data).__name__}",
                hint="write one key per line, e.g. title: My article",
            )
        )
        return None
    if isinstance(node, yaml.MappingNode):
        _record_lines(node, (), first_line, result.key_lines, shown, result.problems)
    for key in data:
        if not isinstance(key, str):
            result.problems.append(
                Problem(
                    path=shown,
                    line=result.key_lines.get((str(key),), first_line),
                    field=str(key),
                    message=f"key {key!r} is not a name",
                    hint="keys are words such as title or publish_date",
                )
            )
            return None
    return data


def _record_lines(
    node: yaml.Node,
    prefix: KeyPath,
    first_line: int,
    lines: dict[KeyPath, int],
    shown: str,
    problems: list[Problem],
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key: str | int = str(key_node.value)
            path = (*prefix, key)
            line = first_line + key_node.start_mark.line
            if path in lines:
                problems.append(
                    Problem(
                        path=shown,
                        line=line,
                        field=".".join(map(str, path)),
                        message=f"key {key!r} appears twice (first on line {lines[path]})",
                        hint="keep one of them",
                    )
                )
            else:
                lines[path] = line
            _record_lines(value_node, path, first_line, lines, shown, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*prefix, index)
            lines.setdefault(path, first_line + item.start_mark.line)
            _record_lines(item, path, first_line, lines, shown, problems)


def _validate(
    data: dict[str, Any],
    body: str,
    path: Path,
    root: Path,
    default_blog: str,
    now: datetime,
    result: LoadedFile,
) -> None:
    shown = result.path
    model: type[Article] | type[Page] = Article if result.kind == "article" else Page
    keys = ARTICLE_KEYS if result.kind == "article" else PAGE_KEYS
    values = dict(data)
    derived_handle = "handle" not in values
    if derived_handle:
        values["handle"] = path.stem
    if result.kind == "article" and values.get("blog") is None:
        values["blog"] = default_blog
    values["body"] = body
    values["source_path"] = shown
    if result.kind == "article":
        _published_when_due(values, now, result)
    result.data = values
    try:
        item = model.model_validate(values, context={"now": now})
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        for error in errors:
            result.problems.append(
                _problem_from_error(error, result, keys, derived_handle, path.name)
            )
        if result.kind == "article":
            _check_schedule_alone(values, errors, now, result)
        return
    if isinstance(item, Article):
        _check_image(item, root, result)
        _check_body_images(item, root, result)
        _warn_article(item, result)
    if not result.problems:
        result.item = item
        _measure_body(item, result)


def _measure_body(item: Article | Page, result: LoadedFile) -> None:
    """The body's size for ``_check_body_sizes``, here where the file's text is at hand
    (and, for a large run, in a worker process). A bound that fits the limit spares the
    Markdown parse, most of what validating a file costs."""
    if isinstance(item, Page):
        result.body_bytes = body_size(render_page_body(item))
        return
    products = _placeholders(item)
    bound = article_body_size_bound(item, products=products)
    if bound is not None and bound <= ARTICLE_BODY_LIMIT:
        result.body_bytes, result.body_bytes_exact = bound, False
    else:
        result.body_bytes = body_size(render_article_body(item, products=products))


def _placeholders(article: Article) -> list[ProductInfo]:
    """Offline stand-ins for the featured products (the store knows their real titles)."""
    return [ProductInfo(handle=h, title=h) for h in article.featured_products]


def _published_when_due(values: dict[str, Any], now: datetime, result: LoadedFile) -> None:
    """A scheduled article whose time has come is a published one, as Shopify publishes it
    then: a note, never an error (else every run fails once the date passes)."""
    if values.get("status") != "scheduled" or "publish_date" not in values:
        return
    try:
        when = coerce_datetime(values["publish_date"])
    except ValueError:
        return  # the model reports the date itself
    if isinstance(when, datetime) and when <= now:
        values["status"] = "published"
        result.warnings.append(
            Problem(
                path=result.path,
                line=result.key_lines.get(("status",), result.key_lines.get(("publish_date",))),
                field="status",
                message=f"scheduled for {when.isoformat()}, which has passed: published as of then",
                hint="set status: published to say so in the file (or a later publish_date)",
            )
        )


def _check_schedule_alone(
    values: dict[str, Any], errors: Sequence[ErrorDetails], now: datetime, result: LoadedFile
) -> None:
    """Pydantic skips the status/date check when another field failed; run it anyway."""
    if any(not e["loc"] or e["loc"][0] in ("status", "publish_date") for e in errors):
        return
    status = values.get("status", "draft")
    try:
        when = coerce_datetime(values["publish_date"]) if "publish_date" in values else None
        if status in ("draft", "published", "scheduled") and (
            when is None or isinstance(when, datetime)
        ):
            check_schedule(status, when, now)
    except ValueError as exc:
        result.problems.append(
            Problem(
                path=result.path,
                line=result.key_lines.get(("publish_date",), result.key_lines.get(("status",), 1)),
                field="publish_date",
                message=str(exc),
                hint=SCHEDULE_HINT,
            )
        )


def _problem_from_error(
    error: ErrorDetails,
    result: LoadedFile,
    keys: Sequence[str],
    derived_handle: bool,
    file_name: str,
) -> Problem:
    loc: KeyPath = tuple(error["loc"])
    field_name = ".".join(str(part) for part in loc if not isinstance(part, int)) or None
    line = _line_for(loc, result.key_lines)
    message = error["msg"].removeprefix("Value error, ")
    kind = error["type"]
    hint = HINTS.get(field_name or "") or HINTS.get((field_name or "").split(".")[0])
    if kind == "extra_forbidden":
        name = str(loc[-1])
        choices = keys if len(loc) == 1 else _nested_keys(loc[:-1])
        guess = did_you_mean(name, choices, aliases=ALIASES if len(loc) == 1 else {})
        message = f"unknown key {name!r}"
        hint = (
            f"did you mean {guess!r}?" if guess else "allowed keys: " + ", ".join(sorted(choices))
        )
    elif kind == "missing":
        message = f"{field_name} is required"
        line = _line_for(loc[:-1], result.key_lines) if len(loc) > 1 else 1
    elif loc == ("handle",) and derived_handle:
        message = f"file name {file_name!r} does not give a valid handle: {message}"
        hint = "rename the file (e.g. my-post.md) or set handle: in the front matter"
        line = 1
    elif not loc:
        # The only model-level check of an article is status against publish_date.
        field_name = "publish_date"
        line = result.key_lines.get(("publish_date",), result.key_lines.get(("status",), 1))
        hint = SCHEDULE_HINT
    elif kind == LINE_BREAK_ERROR:
        hint = LINE_BREAK_HINTS.get(field_name or "", LINE_BREAK_HINT)
    elif kind == CONTROL_CHARACTER_ERROR:
        hint = CONTROL_CHARACTER_HINT
    elif kind in TYPE_NAMES:
        got = _yaml_type(error["input"])
        message = f"{field_name or 'value'} must be {TYPE_NAMES[kind]}, not {got}"
    return Problem(path=result.path, line=line, field=field_name, message=message, hint=hint)


def _yaml_type(value: Any) -> str:
    if value is None:
        return "empty"
    names = {
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "key: value pairs",
    }
    return next((n for t, n in names.items() if isinstance(value, t)), type(value).__name__)


def _nested_keys(prefix: KeyPath) -> list[str]:
    from shopsync.content.models import ArticleImage, Citation, Seo

    models: dict[str, Any] = {"image": ArticleImage, "seo": Seo, "citation": Citation}
    model = models.get(str(prefix[0])) if prefix else None
    return list(model.model_fields) if model is not None else []


def _line_for(loc: KeyPath, key_lines: dict[KeyPath, int]) -> int | None:
    """The line of the deepest key of ``loc`` the file actually has."""
    for end in range(len(loc), 0, -1):
        line = key_lines.get(loc[:end])
        if line is not None:
            return line
    return 1


def _check_image(article: Article, root: Path, result: LoadedFile) -> None:
    image = article.image
    if image is None or not image.is_local:
        return
    line = result.key_lines.get(("image", "src"), result.key_lines.get(("image",)))
    _check_local_image(image.src, image.src, root, result, line=line, field="image.src")


def _check_body_images(article: Article, root: Path, result: LoadedFile) -> None:
    """Body images (Markdown or HTML ``<img>``) naming repository files must be uploadable."""
    if article.format != "markdown":
        return
    for src, offset in image_sources(article.body):
        if not is_local_src(src):
            continue
        line = result.body_line + offset if offset is not None else result.body_line
        path = resolve_inline(article.source_path, src)
        if path is None:
            result.problems.append(
                Problem(
                    path=result.path,
                    line=line,
                    field="body",
                    message=f"image {src!r} points outside the repository",
                    hint=BODY_IMAGE_HINT,
                )
            )
            continue
        _check_local_image(src, path, root, result, line=line, field="body")


def _check_local_image(
    shown: str, path: str, root: Path, result: LoadedFile, *, line: int | None, field: str
) -> None:
    """The file at repository ``path`` exists, stays inside ``root`` and can be uploaded."""
    target = root / PurePosixPath(path)
    featured = field == "image.src"
    try:
        inside = target.resolve().is_relative_to(root.resolve())
    except OSError:
        inside = False
    if not inside:
        message = f"image {shown!r} points outside the repository"
        hint = HINTS["image.src"] if featured else BODY_IMAGE_HINT
    elif not target.is_file():
        message = f"image file {shown!r} does not exist"
        hint = FEATURED_IMAGE_HINT if featured else BODY_IMAGE_HINT
    else:
        try:
            result.images[path] = inspect_image(path, target)
            return
        except (ImageProblem, OSError) as exc:
            message = str(exc) if isinstance(exc, ImageProblem) else f"cannot read {shown!r}"
            hint = "use a PNG, JPEG, GIF or WebP file of at most 20 MB, or an https:// URL"
    result.problems.append(
        Problem(path=result.path, line=line, field=field, message=message, hint=hint)
    )


def _warn_article(article: Article, result: LoadedFile) -> None:
    if article.seo and article.seo.title and len(article.seo.title) > SEO_TITLE_RECOMMENDED:
        result.warnings.append(
            Problem(
                path=result.path,
                line=result.key_lines.get(("seo", "title")),
                field="seo.title",
                message=f"SEO title is {len(article.seo.title)} characters; search engines "
                f"show about {SEO_TITLE_RECOMMENDED}",
                hint="shorten it, or accept that it will be cut off",
            )
        )


def _add_referenced_pages(
    loaded: list[LoadedFile], *, root: Path, default_blog: str, now: datetime
) -> None:
    """Load disclaimer pages that articles name but the given paths did not include."""
    have = {r.item.handle for r in loaded if isinstance(r.item, Page)}
    have_paths = {r.path for r in loaded}
    for result in list(loaded):
        wanted = _wanted_disclaimer(result)
        if wanted is None or wanted in have:
            continue
        pages_dir = (root / result.path).parent / PAGES_DIR
        if not pages_dir.is_dir():
            continue
        for candidate in sorted(pages_dir.glob(f"*{CONTENT_SUFFIX}")):
            if display_path(candidate, root) in have_paths:
                continue
            extra = load_file(candidate, root=root, default_blog=default_blog, now=now)
            if isinstance(extra.item, Page) and extra.item.handle == wanted:
                loaded.append(extra)
                have.add(extra.item.handle)
                have_paths.add(extra.path)
                break


def _check_duplicates(loaded: Iterable[LoadedFile], problems: list[Problem]) -> None:
    seen: dict[tuple[str, str, str], LoadedFile] = {}
    for result in sorted(loaded, key=lambda r: r.path):
        item = result.item
        if item is None:
            continue
        if isinstance(item, Article):
            scope = ("article", item.blog, item.handle)
        else:
            scope = ("page", "", item.handle)
        first = seen.get(scope)
        if first is None:
            seen[scope] = result
            continue
        where = f"blog {item.blog!r}" if isinstance(item, Article) else "pages"
        problems.append(
            Problem(
                path=result.path,
                line=result.key_lines.get(("handle",), 1),
                field="handle",
                message=f"handle {item.handle!r} is already used in {where} by {first.path}",
                hint="give one of them a different handle (or file name)",
            )
        )
        result.item = None


def _scope_of(item: Article | Page) -> tuple[str, str]:
    """Where a handle must be unique: the article's blog, or the pages."""
    return ("article", item.blog) if isinstance(item, Article) else ("page", "")


def _check_previous_handles(loaded: Iterable[LoadedFile], problems: list[Problem]) -> None:
    """A previous handle names the one store item a file takes over (``plan``): two files
    claiming it, or a file whose current handle it is, would leave which one unsaid."""
    items = sorted(
        ((r, r.item) for r in loaded if r.item is not None), key=lambda pair: pair[0].path
    )
    current = {(*_scope_of(item), item.handle): r.path for r, item in items}
    claimed: dict[tuple[str, str, str], str] = {}
    for result, item in items:
        for number, handle in enumerate(item.previous_handles):
            key = (*_scope_of(item), handle)
            other = claimed.get(key) or current.get(key)
            if other is None:
                claimed[key] = result.path
                continue
            whose = "a previous handle of" if key in claimed else "the handle of"
            line = result.key_lines.get(("previous_handles", number))
            problems.append(
                Problem(
                    path=result.path,
                    line=line or result.key_lines.get(("previous_handles",), 1),
                    field="previous_handles",
                    message=f"previous handle {handle!r} is also {whose} {other}",
                    hint="a store item is renamed into one file only: remove it from one of "
                    "them (once a rename is pushed, previous_handles may drop it)",
                )
            )
            result.item = None


def _wanted_disclaimer(result: LoadedFile) -> str | None:
    """The disclaimer an article names, read from the raw front matter if it failed
    validation, so a file with other problems still gets this check too."""
    if result.kind != "article":
        return None
    if isinstance(result.item, Article):
        return result.item.disclaimer
    raw = result.data.get("disclaimer") if result.data is not None else None
    return raw if isinstance(raw, str) and HANDLE_PATTERN.match(raw) else None


def _check_disclaimers(loaded: Sequence[LoadedFile], problems: list[Problem]) -> None:
    # Page files that failed validation still count by their handle: their own
    # problems are reported, and a second "does not exist" would mislead.
    pages = {r.item.handle for r in loaded if isinstance(r.item, Page)}
    pages |= {
        str(r.data["handle"]) for r in loaded if r.kind == "page" and r.item is None and r.data
    }
    for result in loaded:
        if result.kind != "article":
            continue
        wanted = _wanted_disclaimer(result)
        if wanted is not None and wanted not in pages:
            problems.append(
                Problem(
                    path=result.path,
                    line=result.key_lines.get(("disclaimer",)),
                    field="disclaimer",
                    message=f"disclaimer page {wanted!r} does not exist",
                    hint=f"create {PAGES_DIR}/{wanted}.md next to the article "
                    "(a page file), or fix the handle",
                )
            )
            result.item = None


def _check_body_sizes(loaded: Sequence[LoadedFile], problems: list[Problem]) -> None:
    pages = {r.item.handle: r.item for r in loaded if isinstance(r.item, Page)}
    notices: dict[str, int] = {}  # each disclaimer page's notice, rendered once
    for result in loaded:
        item = result.item
        size = result.body_bytes
        if isinstance(item, Article):
            disclaimer = pages.get(item.disclaimer) if item.disclaimer else None
            if disclaimer is not None:
                if disclaimer.handle not in notices:
                    notices[disclaimer.handle] = body_size(render_disclaimer_notice(disclaimer))
                notice = notices[disclaimer.handle]
                # render_article_body joins its non-empty parts with a newline.
                size += notice + (1 if size and notice else 0)
            if not result.body_bytes_exact and size > ARTICLE_BODY_LIMIT:
                html = render_article_body(
                    item, products=_placeholders(item), disclaimer=disclaimer
                )
                size = body_size(html)
            limit = ARTICLE_BODY_LIMIT
        elif isinstance(item, Page):
            limit = PAGE_BODY_LIMIT
        else:
            continue
        if size > limit:
            problems.append(
                Problem(
                    path=result.path,
                    line=result.body_line,
                    field="body",
                    message=f"rendered body is {size:,} bytes; Shopify allows {limit:,}",
                    hint="split the text into several "
                    + ("articles" if isinstance(item, Article) else "pages"),
                )
            )
            result.item = None

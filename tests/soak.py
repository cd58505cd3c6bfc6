"""A random fault soak: seeded schedules of local edits, admin edits and faulty pushes.

One schedule (``run_schedule(seed)``) is a fresh sandbox store and a repository of a few
articles (two blogs; drafts, published and scheduled; featured products; remote and local
images; the disclaimer page), then a few rounds. Each round lets "another app" edit the store
through the Admin GraphQL API (an article's body or title, unpublish, delete), edits the
files (change a title, body or status, add, delete, rename, move to the other blog), then
pushes under a random fault plan (every fault kind of ``sandbox.faults``) until a push
reports success, bounded. After the rounds, one push without faults, then
``shopsync plan --detailed-exitcode --json`` through the command line.

The oracle is kept beside it: what each file says, and for each article the admin edited,
what the store must keep. The checks (``check``) read the store directly (listings, never
search) and say which invariant broke; a failure carries the seed and the schedule's log.

Everything waits on one fake time (``StoreTime``-like: the store's clock moves only when the
client sleeps, or when the schedule lets time pass between rounds), so nothing really sleeps
and a seed replays the same schedule (up to thread timing of concurrent writes).
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from traceback import format_exc
from typing import Any

from pydantic import SecretStr

from shopsync.admin.client import ShopifyClient
from shopsync.config import Settings
from shopsync.errors import EXIT_CHANGES, EXIT_FAILURE, EXIT_OK, ShopsyncError
from shopsync.plan import Plan, PlanOptions, PruneMode
from shopsync.sandbox import FaultRule, SandboxConfig, SandboxServer
from shopsync.sandbox.apps import SandboxApp
from shopsync.sync import build_plan, push

from .cli_support import Cli

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PNG = REPO / "articles" / "images" / "multifidus-recovery.png"

BLOGS = ("research-digest", "clinic-notes")
PRODUCTS = ("original-oriems-ultimate-kit", "oriems-replacement-pads", "oriems-back-belt")
STATUSES = ("published", "draft", "scheduled")
PRUNES: tuple[PruneMode | None, ...] = (None, "unpublish", "delete")

#: Every fault kind a push meets (``latency`` only delays; ``user_error`` is the store's
#: refusal, not a fault of the network or of the store's availability).
FAULT_KINDS = (
    "http_429",
    "http_500",
    "http_502",
    "http_503",
    "reset",
    "timeout",
    "malformed",
    "commit_then_fail",
    "throttled",
    "http_401",
)  # a tuple (a seed's schedule stays the same): the sandbox's kinds bar two (test_soak)
#: What a fault matches: every request, or one operation / root field of shopsync's.
FAULT_MATCHES: tuple[str | None, ...] = (
    None,
    "SyncSnapshot",
    "SyncBlogScan",
    "SyncArticlesRead",
    "SyncBlogCreate",
    "articleCreate(",
    "articleUpdate(",
    "articleDelete(",
    "pageCreate(",
    "SyncMetafieldsSet",
    "SyncMetafieldsDelete",
    "SyncMetafieldDefinitionCreate",
    "SyncUrlRedirectCreate",
    "SyncStagedUploadsCreate",
    "SyncFileCreate",
    "SyncFilesStatus",
)
#: A push that never converges within this many tries past its faulty ones fails the schedule.
CLEAN_TRIES = 2
#: The client's read timeout (real seconds: a ``timeout`` fault costs this much wall time).
READ_TIMEOUT = 0.25

TEXT = "single_line_text_field"
CLIENT_ID = "soak-client"
CLIENT_SECRET = "soak-secret"  # the sandbox's, made up
OTHER_APP = SandboxApp(id=424242, handle="seo-helper", title="SEO Helper", installation_id=9090)

DISCLAIMER = """\
---
title: Disclaimer
notice: This article is for education only ({notice}); it is not medical advice.
---

## Disclaimer

Everything here is for education; it is not medical advice.
"""


# ----------------------------------------------------------------------------- the oracle


@dataclass(frozen=True)
class Spec:
    """What one article file says (the front matter the soak varies, and a body marker)."""

    handle: str
    title: str
    blog: str
    status: str
    marker: str
    products: tuple[str, ...] = ()
    image: str | None = None  # "remote", "local" or None
    disclaimer: bool = False

    def text(self) -> str:
        lines = [
            "---",
            f"title: {self.title}",
            f"handle: {self.handle}",
            f"blog: {self.blog}",
            "author: Research Team",
            "tags: [soak]",
            f"summary: The {self.title} study in one line.",
            f"status: {self.status}",
            f"featured_products: [{', '.join(self.products)}]",
        ]
        if self.status == "published":
            lines.append("publish_date: 2025-01-20T09:00:00+11:00")
        elif self.status == "scheduled":
            lines.append("publish_date: 2999-06-02T09:00:00+11:00")  # never due
        if self.disclaimer:
            lines.append("disclaimer: disclaimer")
        if self.image == "remote":
            lines += [
                "image:",
                f"  src: https://cdn.shopify.com/s/files/1/0000/0001/files/{self.handle}.jpg",
                f"  alt: {self.title}",
            ]
        elif self.image == "local":
            lines += ["image:", "  src: articles/images/sample.png", f"  alt: {self.title}"]
        lines += ["---", "", f"## {self.title}", "", f"Paragraph {self.marker}.", ""]
        return "\n".join(lines)


@dataclass
class Frozen:
    """An article the admin edited: what the store must keep (and plans call a conflict):
    the article as it was read just before the admin's first edit, with the edits."""

    title: str
    body: str
    published: bool
    alt: str | None
    seo: str | None

    @classmethod
    def of(cls, node: dict[str, Any]) -> Frozen:
        return cls(
            title=node["title"],
            body=node["body"],
            published=node["isPublished"],
            alt=(node["image"] or {}).get("altText") if node["image"] else None,
            seo=(node["seo"] or {}).get("value"),
        )


@dataclass
class Oracle:
    """What the store must hold: the files, the admin's edits, the orphans the files left."""

    files: dict[str, Spec] = field(default_factory=dict)  # file name -> what it says
    #: What the store holds of each file since the last push that converged.
    stored: dict[str, Spec] = field(default_factory=dict)
    frozen: dict[str, Frozen] = field(default_factory=dict)  # file name -> admin's edit
    orphans: dict[tuple[str, str], Spec] = field(default_factory=dict)  # (blog, handle)
    notice: str = "n0"  # the disclaimer page's notice, which articles with one embed
    #: Every (blog, handle) a file ever had: a push that failed may have written any of them
    #: (then the file went: an orphan the oracle did not see written).
    ever: set[tuple[str, str]] = field(default_factory=set)
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def pushed(self) -> None:
        """A push converged: what the files left behind is orphaned, unless a file new to
        the store took its blog and handle (the plan matches it by handle: a move)."""
        new = {(s.blog, s.handle) for n, s in self.files.items() if n not in self.stored}
        for name, spec in self.stored.items():
            key = (spec.blog, spec.handle)
            if name not in self.files and key not in new:
                self.orphans[key] = spec
        for key in new:
            self.orphans.pop(key, None)
        self.stored = dict(self.files)


class Violation(AssertionError):
    """An invariant the schedule broke: the message names the seed, the invariant, the log."""

    figures: Figures | None = None


# ---------------------------------------------------------------------------- fake time


class SoakTime:
    """One fake time for the client, the store's wall clock and its cost bucket."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 1000.0
        # The real date (or pytest --today's): the files are loaded against it too.
        self.start = datetime.now(UTC).replace(microsecond=0)

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += max(0.0, seconds)

    def store_now(self) -> datetime:
        return self.start + timedelta(seconds=self.clock() - 1000.0)


# ---------------------------------------------------------------------------- figures


@dataclass
class Figures:
    """What one schedule did: requests sent, faults injected, retries, pushes."""

    requests: int = 0
    faults: int = 0
    retries: int = 0
    pushes: int = 0

    def add(self, other: Figures) -> None:
        self.requests += other.requests
        self.faults += other.faults
        self.retries += other.retries
        self.pushes += other.pushes


# ---------------------------------------------------------------------------- schedule


@dataclass
class Soak:
    """One schedule being run: the store, the repository, the oracle, and the log."""

    seed: int
    rng: random.Random
    sandbox: SandboxServer
    time: SoakTime
    root: Path
    prune: PruneMode | None
    #: The client-credentials grant (a 401 makes the client fetch a new token), else a token.
    credentials: bool = False
    oracle: Oracle = field(default_factory=Oracle)
    log: list[str] = field(default_factory=list)
    figures: Figures = field(default_factory=Figures)
    admin_token: str = ""

    # -- plumbing

    @property
    def settings(self) -> Settings:
        token = None if self.credentials else SecretStr(self.sandbox.config.access_token)
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            shop=self.sandbox.url,
            access_token=token,
            client_id=CLIENT_ID if self.credentials else None,
            client_secret=SecretStr(CLIENT_SECRET) if self.credentials else None,
            blog=BLOGS[0],
            articles_dir=Path("articles"),
            timeout=READ_TIMEOUT,
        )

    @contextmanager
    def client(self, token: str | None = None, *, short: bool = False) -> Iterator[ShopifyClient]:
        """A client on the fake time: shopsync's (``short``: the read timeout the faults
        meet), or one that reads or edits the store from outside (never timed out)."""
        settings = self.settings
        if not short:
            settings = settings.model_copy(update={"timeout": 60.0})
        if token is not None:
            settings = settings.model_copy(update={"access_token": SecretStr(token)})
        with ShopifyClient.from_settings(
            settings, sleep=self.time.sleep, clock=self.time.clock
        ) as client:
            yield client

    def fail(self, invariant: str, detail: str = "") -> Violation:
        schedule = "\n  ".join(self.log)
        how = f"prune={self.prune}, {'client credentials' if self.credentials else 'a token'}"
        return Violation(
            f"soak seed {self.seed}: {invariant}\n{detail}\nschedule ({how}):\n  "
            f"{schedule}\nreplay: python benchmarks/soak.py --start {self.seed} --schedules 1"
        )

    def note(self, line: str) -> None:
        self.log.append(line)

    def wait(self, seconds: float) -> None:
        """Time passes between runs (whole seconds matter: ``updatedAt`` has them)."""
        self.time.sleep(seconds)

    # -- files

    def write(self, name: str, spec: Spec) -> None:
        (self.root / "articles" / name).write_text(spec.text(), encoding="utf-8")
        self.oracle.files[name] = spec
        self.oracle.ever.add((spec.blog, spec.handle))

    def write_disclaimer(self) -> None:
        text = DISCLAIMER.format(notice=self.oracle.notice)
        (self.root / "articles" / "pages" / "disclaimer.md").write_text(text, encoding="utf-8")

    def new_spec(self) -> Spec:
        rng = self.rng
        handle = self.oracle.fresh("post-")
        return Spec(
            handle=handle,
            title=f"Study {handle}",
            blog=rng.choice(BLOGS),
            status=rng.choice(STATUSES),
            marker=self.oracle.fresh("m"),
            products=tuple(p for p in PRODUCTS if rng.random() < 0.3),
            image=rng.choice((None, None, "remote", "local")),
            disclaimer=rng.random() < 0.5,
        )

    def add_file(self) -> None:
        spec = self.new_spec()
        name = f"{spec.handle}.md"
        self.write(name, spec)
        self.note(f"local: add {name} ({spec.blog}, {spec.status})")

    def local_edits(self) -> None:
        for _ in range(self.rng.randint(0, 3)):
            self.local_edit()

    def local_edit(self) -> None:
        rng, oracle = self.rng, self.oracle
        free = sorted(n for n in oracle.files if n not in oracle.frozen)
        ops: tuple[str, ...] = ("change", "change", "status", "add", "delete", "rename", "move")
        ops = (*ops, "disclaimer", "handle")
        ops = (*ops, "image", "products")
        op = rng.choice(ops)
        if op == "disclaimer":
            oracle.notice = oracle.fresh("n")
            self.write_disclaimer()
            self.note(f"local: the disclaimer's notice is now {oracle.notice}")
            return
        if op == "add" or not oracle.files:
            self.add_file()
            return
        if op in ("delete", "rename", "move", "status", "image", "products", "handle"):
            op = op if free else "change"
        if op == "handle":
            self.new_handles(free)
            return
        if op == "image":
            name = rng.choice(free)
            spec = oracle.files[name]
            image = rng.choice([i for i in (None, "remote", "local") if i != spec.image])
            self.write(name, replace(spec, image=image))
            self.note(f"local: image of {name} {spec.image} -> {image}")
            return
        if op == "products":
            name = rng.choice(free)
            spec = oracle.files[name]
            products = tuple(p for p in PRODUCTS if rng.random() < 0.5)
            self.write(name, replace(spec, products=products))
            self.note(f"local: {name} features {list(products)}")
            return
        if op == "change":
            name = rng.choice(sorted(oracle.files))
            spec = oracle.files[name]
            if rng.random() < 0.5:
                spec = replace(spec, title=f"Study {spec.handle} {oracle.fresh('v')}")
                self.note(f"local: retitle {name} -> {spec.title!r}")
            else:
                spec = replace(spec, marker=oracle.fresh("m"))
                self.note(f"local: new body in {name} ({spec.marker})")
            self.write(name, spec)
        elif op == "status":
            name = rng.choice(free)
            spec = oracle.files[name]
            status = rng.choice([s for s in STATUSES if s != spec.status])
            self.write(name, replace(spec, status=status))
            self.note(f"local: {name} {spec.status} -> {status}")
        elif op == "delete":
            name = rng.choice(free)
            oracle.files.pop(name)
            (self.root / "articles" / name).unlink()
            self.note(f"local: delete {name}")
        elif op == "rename":
            name = rng.choice(free)
            spec = oracle.files.pop(name)
            (self.root / "articles" / name).unlink()
            if rng.random() < 0.5:  # the same handle: the article follows its file
                new = f"{oracle.fresh('renamed-')}.md"
                self.write(new, spec)
                self.note(f"local: rename {name} -> {new} (handle kept)")
            else:  # a new handle: a new article, the old one an orphan
                handle = oracle.fresh("post-")
                new = f"{handle}.md"
                self.write(new, replace(spec, handle=handle, title=f"Study {handle}"))
                self.note(f"local: rename {name} -> {new} (new handle)")
        else:  # move to the other blog
            name = rng.choice(free)
            spec = oracle.files[name]
            blog = next(b for b in BLOGS if b != spec.blog)
            if (blog, spec.handle) in oracle.orphans:
                return  # the handle is held there by an orphan
            self.write(name, replace(spec, blog=blog))
            self.note(f"local: move {name} {spec.blog} -> {blog}")

    def new_handles(self, free: list[str]) -> None:
        """A file takes a new handle; another of its blog may take the old one (a chain),
        or the two swap."""
        rng, oracle = self.rng, self.oracle
        name = rng.choice(free)
        spec = oracle.files[name]
        others = [n for n in free if n != name and oracle.files[n].blog == spec.blog]
        way = rng.choice(("fresh", "chain", "swap")) if others else "fresh"
        if way == "swap":
            other = rng.choice(others)
            theirs = oracle.files[other]
            self.write(name, replace(spec, handle=theirs.handle))
            self.write(other, replace(theirs, handle=spec.handle))
            self.note(f"local: {name} and {other} swap handles {spec.handle}, {theirs.handle}")
            return
        fresh = oracle.fresh("handle-")
        if (spec.blog, fresh) in oracle.orphans:
            return
        self.write(name, replace(spec, handle=fresh))
        self.note(f"local: {name} handle {spec.handle} -> {fresh}")
        if way == "chain":
            other = rng.choice(others)
            self.write(other, replace(oracle.files[other], handle=spec.handle))
            self.note(f"local: {other} takes the handle {spec.handle}")

    # -- the store from outside

    def articles(self) -> list[dict[str, Any]]:
        """Every article in the store, duplicates included, by listing (never search)."""
        query = """query($after: String) { articles(first: 250, after: $after) {
          nodes { id handle title body isPublished publishedAt blog { handle }
            image { altText }
            seo: metafield(namespace: "global", key: "title_tag") { value }
            source: metafield(namespace: "$app:shopsync", key: "source") { value } }
          pageInfo { hasNextPage endCursor } } }"""
        found: list[dict[str, Any]] = []
        after: str | None = None
        with self.client() as client:
            while True:
                page = client.execute(query, {"after": after})["articles"]
                found += page["nodes"]
                if not page["pageInfo"]["hasNextPage"]:
                    return found
                after = page["pageInfo"]["endCursor"]

    def find(self, spec: Spec) -> dict[str, Any] | None:
        for node in self.articles():
            if node["blog"]["handle"] == spec.blog and node["handle"] == spec.handle:
                return node
        return None

    def admin(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        with self.client(self.admin_token) as client:
            data = client.execute(query, variables)
        payload = next(iter(data.values()))
        if payload.get("userErrors"):
            raise self.fail("admin edit refused", json.dumps(payload))
        return data

    def admin_edits(self) -> None:
        oracle = self.oracle
        deleted: set[str] = set()
        for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
            if not oracle.files:
                return
            name = self.rng.choice(sorted(oracle.files))
            spec = oracle.files[name]
            node = self.find(spec)
            if name in deleted or node is None or node["source"] is None:
                continue  # gone, or not pushed yet (a push failed since the file changed)
            if node["source"]["value"] != f"articles/{name}":
                continue
            op = self.rng.choice(("body", "title", "publication", "seo", "delete"))
            scheduled = node["publishedAt"] is not None and not node["isPublished"]
            pending = oracle.stored.get(name) != spec  # a local edit not pushed yet
            if op == "publication" and (scheduled or pending or name in oracle.frozen):
                # Not an edit at all if it makes the store what the file says (then only the
                # fingerprint is refreshed): publishing again, or a status the file now has.
                op = "title"
            frozen = oracle.frozen.get(name) or Frozen.of(node)
            update = "mutation($id: ID!, $a: ArticleUpdateInput!) { articleUpdate(id: $id, "
            update += "article: $a) { article { id } userErrors { field message } } }"
            if op == "body":
                frozen.body = f"<p>Admin wrote {oracle.fresh('admin-')}.</p>"
                self.admin(update, {"id": node["id"], "a": {"body": frozen.body}})
            elif op == "title":
                frozen.title = f"Admin title {oracle.fresh('t')}"
                self.admin(update, {"id": node["id"], "a": {"title": frozen.title}})
            elif op == "publication":
                frozen.published = not node["isPublished"]
                op = "publish" if frozen.published else "unpublish"
                self.admin(update, {"id": node["id"], "a": {"isPublished": frozen.published}})
            elif op == "seo":
                frozen.seo = f"Admin SEO {oracle.fresh('s')}"
                seo = "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) "
                seo += "{ metafields { id } userErrors { field message code } } }"
                value = {"namespace": "global", "key": "title_tag", "type": TEXT}
                value |= {"ownerId": node["id"], "value": frozen.seo}
                self.admin(seo, {"m": [value]})
            else:
                delete = "mutation($id: ID!) { articleDelete(id: $id) { deletedArticleId "
                delete += "userErrors { field message } } }"
                self.admin(delete, {"id": node["id"]})
                oracle.frozen.pop(name, None)  # recreated from the file by the next push
                oracle.stored.pop(name, None)
                deleted.add(name)
                self.note(f"admin: delete {spec.blog}/{spec.handle}")
                continue
            oracle.frozen[name] = frozen
            self.note(f"admin: {op} of {spec.blog}/{spec.handle} ({name})")

    # -- pushes

    def fault_plan(self) -> list[FaultRule]:
        rules = []
        for _ in range(self.rng.randint(1, 4)):
            kind = self.rng.choice((*FAULT_KINDS, "commit_then_fail", "commit_then_fail"))
            match = self.rng.choice(FAULT_MATCHES)
            times = self.rng.choice((1, 1, 2, 3, 8))  # 8: more than the client retries
            rules.append(FaultRule(kind, match=match, times=times, retry_after=1.0, hold_s=0.6))
        return rules

    def push_once(self, rules: list[FaultRule]) -> tuple[bool, str]:
        """One ``shopsync push`` under ``rules``: did it report success, and what it said."""
        self.sandbox.faults.clear()
        fired_before = len(self.sandbox.faults.fired)
        for rule in rules:
            self.sandbox.faults.add(rule)
        options = PlanOptions(prune=self.prune)
        self.figures.pushes += 1
        try:
            with self.client(short=True) as client:
                try:
                    plan = build_plan(self.settings, client, [], options, root=self.root)
                    if not rules:
                        self.check_conflicts(plan, "a plan")
                    result = push(self.settings, client, plan)
                finally:
                    self.figures.retries += client.stats.retries
        except ShopsyncError as exc:
            return False, f"{type(exc).__name__}: {exc}"
        finally:
            self.figures.faults += len(self.sandbox.faults.fired) - fired_before
            self.sandbox.faults.clear()
        failed = [i for i in result.items if i.status == "failed" or i.kind == "error"]
        if failed:
            return False, "; ".join(f"{i.label}: {' '.join(i.messages)}" for i in failed)
        return True, "ok"

    def push_until_ok(self) -> None:
        plans = [self.fault_plan() for _ in range(self.rng.randint(1, 3))]
        tries = [*plans, *([[]] * CLEAN_TRIES)]
        said = []
        for n, rules in enumerate(tries, 1):
            faults = ", ".join(f"{r.kind}@{r.match}x{r.times}" for r in rules) or "none"
            ok, what = self.push_once(rules)
            said.append(f"push {n} [{faults}]: {what}")
            self.note(f"push {n} [{faults}]: {'ok' if ok else what[:160]}")
            self.wait(self.rng.choice((0, 1, 2)))
            if ok:
                self.oracle.pushed()
                return
            if self.rng.random() < 0.3:  # the user and the admin go on while a push failed
                self.note("-- edits before the push is run again")
                self.admin_edits()
                self.local_edits()
        raise self.fail("push never converged", "\n".join(said))

    # -- invariants

    def check_conflicts(self, plan: Plan, what: str) -> None:
        """Conflicts are exactly the admin's edits (by file)."""
        conflicts = {str(i.source) for i in plan.items if i.kind == "conflict"}
        expected = {f"articles/{name}" for name in self.oracle.frozen}
        if conflicts != expected:
            detail = "\n".join(
                f"  {i.kind} {i.label} ({i.source}): {' '.join(i.messages)}"
                for i in plan.items
                if i.kind == "conflict" or i.source in expected
            )
            raise self.fail(
                f"{what} reports conflicts {sorted(conflicts)}, expected {sorted(expected)}",
                detail,
            )

    def check_store(self) -> None:
        oracle = self.oracle
        nodes = self.articles()
        by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for node in nodes:
            by_key.setdefault((node["blog"]["handle"], node["handle"]), []).append(node)
        sources: dict[str, int] = {}
        for node in nodes:
            if node["source"] is not None:
                sources[node["source"]["value"]] = sources.get(node["source"]["value"], 0) + 1
        with self.client() as client:
            pages = client.execute("{ pages(first: 250) { nodes { handle } } }")["pages"]["nodes"]
        disclaimers = [p for p in pages if p["handle"].startswith("disclaimer")]
        if len(disclaimers) != 1:
            raise self.fail(f"{len(disclaimers)} disclaimer pages", json.dumps(disclaimers))
        dupes = {s: n for s, n in sources.items() if n > 1}
        if dupes:
            raise self.fail("duplicate articles of one file", json.dumps(dupes))
        for name, spec in sorted(oracle.files.items()):
            found = by_key.get((spec.blog, spec.handle), [])
            if len(found) != 1:
                raise self.fail(f"{name}: {len(found)} articles {spec.blog}/{spec.handle}")
            self.check_article(name, spec, found[0])
        managed = {(s.blog, s.handle) for s in oracle.files.values()}
        for key, spec in sorted(oracle.orphans.items()):
            if key in managed:
                continue
            found = by_key.get(key, [])
            if self.prune == "delete":
                if found:
                    raise self.fail(f"orphan {key} not deleted by --prune=delete")
                continue
            if len(found) != 1:
                raise self.fail(f"orphan {key}: {len(found)} articles")
            if self.prune == "unpublish" and found[0]["isPublished"]:
                raise self.fail(f"orphan {key} still published after --prune")
            if spec.status != "published" and found[0]["isPublished"]:
                raise self.fail(f"orphan {key}: a draft published")
        known = managed | set(oracle.orphans)
        strays = [k for k, v in by_key.items() if k not in known and any(n["source"] for n in v)]
        for key in strays:  # written by a push that failed, its file gone since: orphans too
            if key not in oracle.ever:
                raise self.fail("an article shopsync wrote that no file named", json.dumps(key))
            if self.prune == "delete":
                raise self.fail(f"orphan {key} not deleted by --prune=delete")
            if self.prune == "unpublish" and by_key[key][0]["isPublished"]:
                raise self.fail(f"orphan {key} still published after --prune")

    def check_article(self, name: str, spec: Spec, node: dict[str, Any]) -> None:
        frozen = self.oracle.frozen.get(name)
        if frozen is not None:
            found = Frozen.of(node)
            if found != frozen:
                raise self.fail(
                    f"{name} ({spec.blog}/{spec.handle}): the admin's edit is not as left",
                    f"store: {found}\nexpected: {frozen}",
                )
            return
        source = (node["source"] or {}).get("value")
        problems = []
        if node["title"] != spec.title:
            problems.append(f"title {node['title']!r}, expected {spec.title!r}")
        if f"Paragraph {spec.marker}." not in node["body"]:
            problems.append(f"body without {spec.marker}: {node['body'][:200]!r}")
        notice = self.oracle.notice
        if spec.disclaimer and f"only ({notice})" not in node["body"]:
            problems.append(f"body without the notice {notice}: {node['body'][:300]!r}")
        if node["isPublished"] != (spec.status == "published"):
            problems.append(f"isPublished {node['isPublished']}, expected {spec.status}")
        if (node["seo"] or {}).get("value") is not None:
            problems.append(f"an SEO title no file gave: {node['seo']}")
        alt = (node["image"] or {}).get("altText") if node["image"] else None
        if (node["image"] is not None) != (spec.image is not None):
            problems.append(f"image {node['image']!r}, expected {spec.image}")
        elif spec.image is not None and alt != spec.title:
            problems.append(f"image alt {alt!r}, expected {spec.title!r}")
        if source != f"articles/{name}":
            problems.append(f"source {source!r}")
        if problems:
            raise self.fail(f"{name} ({spec.blog}/{spec.handle}): " + "; ".join(problems))

    def check_final_plan(self) -> None:
        cli = Cli(root=self.root).for_store(self.sandbox).with_env(SHOPSYNC_BLOG=BLOGS[0])
        args = ["plan", "--detailed-exitcode", "--json"]
        if self.prune is not None:
            args.append(f"--prune={self.prune}")
        result = cli(*args)
        expected = EXIT_FAILURE if self.oracle.frozen else EXIT_OK
        if result.exit_code != expected:
            names = {EXIT_OK: "0", EXIT_FAILURE: "1 (conflicts)", EXIT_CHANGES: "2 (changes)"}
            raise self.fail(
                f"final plan exit {names.get(result.exit_code, result.exit_code)}, "
                f"expected {names[expected]}",
                result.stdout[-3000:] + result.stderr[-1000:],
            )
        data = json.loads(result.stdout)
        conflicts = {i["source"] for i in data["items"] if i["kind"] == "conflict"}
        expected_conflicts = {f"articles/{name}" for name in self.oracle.frozen}
        if conflicts != expected_conflicts:
            raise self.fail(
                f"final plan conflicts {sorted(conflicts)}, expected {sorted(expected_conflicts)}"
            )

    # -- the whole schedule

    def run(self) -> None:
        folder = self.root / "articles"
        (folder / "pages").mkdir(parents=True)
        (folder / "images").mkdir()
        shutil.copy(SAMPLE_PNG, folder / "images" / "sample.png")
        self.write_disclaimer()
        for _ in range(self.rng.randint(2, 14)):
            self.add_file()
        self.push_until_ok()
        for n in range(self.rng.randint(2, 4)):
            self.note(f"-- round {n + 1}")
            self.wait(self.rng.choice((0, 1, 2, 5)))
            self.admin_edits()
            self.local_edits()
            self.wait(self.rng.choice((0, 1, 3)))
            self.push_until_ok()
        self.note("-- the last push, without faults")
        self.wait(2)
        ok, what = self.push_once([])
        if not ok:
            raise self.fail("the push without faults failed", what)
        self.check_store()
        self.check_final_plan()


def run_schedule(seed: int) -> Figures:
    """Run schedule ``seed`` on a fresh sandbox; raise ``Violation`` if it ended wrong."""
    rng = random.Random(seed)
    soak_time = SoakTime()
    config = SandboxConfig(clock=soak_time.clock, clients={CLIENT_ID: CLIENT_SECRET})
    sandbox = SandboxServer(config)
    sandbox.store.clock = soak_time.store_now
    with sandbox, tempfile.TemporaryDirectory(prefix=f"soak-{seed}-") as tmp:
        soak = Soak(
            seed=seed,
            rng=rng,
            sandbox=sandbox,
            time=soak_time,
            root=Path(tmp),
            prune=rng.choice(PRUNES),
            credentials=rng.random() < 0.5,
        )
        soak.admin_token = sandbox.issue_token(app=OTHER_APP)
        try:
            soak.run()
        except Violation as broken:
            broken.figures = soak.figures
            raise
        except Exception as exc:  # a crash is a violation too, with the schedule so far
            crash = soak.fail(f"crashed: {type(exc).__name__}: {exc}", format_exc())
            crash.figures = soak.figures
            raise crash from exc
        finally:
            soak.figures.requests = len(sandbox.requests)
        return soak.figures


def timed(seed: int) -> tuple[Figures, float, Violation | None]:
    """``run_schedule`` with its wall time, the violation returned rather than raised."""
    started = time.perf_counter()
    try:
        figures = run_schedule(seed)
        return figures, time.perf_counter() - started, None
    except Violation as violation:
        return violation.figures or Figures(), time.perf_counter() - started, violation

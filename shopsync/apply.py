"""Execute a Plan through the client: images, blogs, pages, then articles, then the index.

Creates and updates go ten to a request (``admin.batch``), several requests in flight
(bounded by ``max_workers``; the client paces against the store's cost bucket). Every item
succeeds or fails on its own, so a partial failure leaves the rest written and a re-run
finishes the job. Creates are never sent twice blindly: after an ambiguous failure (the store
may have committed) or a ``TAKEN`` handle, the handle is looked up first, and an article
carrying our ``shopsync.source`` is taken as created. After the articles, what was written is
read back once (a second later: ``updatedAt`` has whole seconds) and the blog's index records
it (``admin.index``). Progress goes to an injected callback; nothing here prints.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from shopsync.admin import batch
from shopsync.admin.index import (
    INDEX_NAMESPACE,
    MAX_SHARDS,
    IndexEntry,
    encode,
    shard_keys,
)
from shopsync.admin.inputs import MetafieldNames, article_input, metafield, page_input
from shopsync.admin.marks import (
    CONTENT_DIGEST_KEY,
    FINGERPRINT_KEY,
    LEGACY_NAMESPACE,
    MARK_KEYS,
    OWNER_NAMESPACE,
    SOURCE_KEY,
    TEXT,
)
from shopsync.admin.remote import (
    READ_BATCH,
    RemoteItem,
    fields_meta,
    index_values_digest,
    read_articles,
    read_pages,
    scan_blog,
)
from shopsync.admin.uploads import PROCESSING_TIMEOUT, Upload, Uploader
from shopsync.content.images import PENDING, is_pending
from shopsync.errors import QueryError, ShopsyncError, UserErrors
from shopsync.plan import PRODUCT_LIST_TYPE, Plan, PlanItem
from shopsync.vocabulary import Fields, a, content_digest, fingerprint, short_digest

if TYPE_CHECKING:
    from shopsync.admin.client import ShopifyClient

Status = Literal["ok", "failed", "skipped"]
Progress = Callable[["ItemOutcome"], None]

CREATE_ATTEMPTS = 3
#: ``updatedAt`` has whole seconds: an article is read back (to be recorded in the index) only
#: once its write is this old, so an admin edit in the same second as the write is seen there,
#: never recorded as shopsync's. Articles written in the push's last second are not recorded
#: (the next plan reads them in full): the push never waits for them.
SETTLE_SECONDS = 1.0
#: How long a move waits for search to show the redirect holding its old path, once the
#: store said the path is taken (search lags writes, and a redirect just made is what it
#: misses).
REDIRECT_SEARCH_WAIT = 10.0


@dataclass
class ItemOutcome:
    """What happened to one plan item."""

    kind: str
    resource: str
    handle: str
    status: Status
    action: str
    blog: str | None = None
    source: str | None = None
    id: str | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        name = f"{self.blog}/{self.handle}" if self.blog else self.handle
        return f"{self.resource} {name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "action": self.action,
            "kind": self.kind,
            "resource": self.resource,
            "handle": self.handle,
            "blog": self.blog,
            "source": self.source,
            "id": self.id,
            "messages": list(self.messages),
        }


@dataclass
class ApplyResult:
    items: list[ItemOutcome] = field(default_factory=list)
    #: What went wrong beside the items (the blog's index could not be stored): nothing lost,
    #: the next plan only reads more.
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"ok": 0, "failed": 0, "skipped": 0}
        for item in self.items:
            counts[item.status] += 1
        return counts

    @property
    def failed(self) -> list[ItemOutcome]:
        return [item for item in self.items if item.status == "failed"]

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing the files ask for was held back (conflict, error)."""
        return not any(
            item.status == "failed" or item.kind in ("conflict", "error") for item in self.items
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.counts(),
            "items": [item.to_dict() for item in self.items],
            "warnings": list(self.warnings),
        }


# ----------------------------------------------------------------------------- applier


class _Failed(Exception):
    """An item failed with messages for the user (internal control flow)."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class _Sent:
    """An article written by this push: what was sent, what the store answered, and when."""

    item: PlanItem
    id: str
    updated_at: str | None
    fields: Fields
    at: float


@dataclass
class Applier:
    """Applies one plan; holds what the stages learn (blog ids, image URLs, what was written)."""

    client: ShopifyClient
    names: MetafieldNames = field(default_factory=MetafieldNames)
    max_workers: int = 4
    on_progress: Progress | None = None
    blog_ids: dict[str, str] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    processing_timeout: float = PROCESSING_TIMEOUT
    batch_size: int = batch.BATCH_SIZE
    image_urls: dict[str, str] = field(default_factory=dict)  # pending marker -> CDN URL
    file_ids: dict[str, str] = field(default_factory=dict)  # store filename -> file uploaded
    _filled: dict[int, Fields] = field(default_factory=dict)  # item -> fields with those URLs
    _sent: list[_Sent] = field(default_factory=list)  # written, not yet read back
    _verified: list[tuple[PlanItem, IndexEntry]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Writes that may have landed, counted; a listing taken after the n-th serves every
    #: look-up for it or an earlier one (a batch of ten creates fails once, not ten times).
    _legacy: list[str] = field(default_factory=list)  # written items with old marks to drop
    definition_failed: str | None = None  # the product metafield's, if it could not be made
    _suspects: int = 0
    _taken_over: set[str] = field(default_factory=set)  # ids whose old URL another write takes
    _listings: dict[tuple[str, str], tuple[int, dict[str, str | RemoteItem]]] = field(
        default_factory=dict
    )

    def apply(self, plan: Plan) -> ApplyResult:
        self.blog_ids.update(plan.blog_ids)
        result = ApplyResult()
        definitions = [i for i in plan.items if i.resource == "definition"]
        refused = [i.handle for i in definitions if i.kind == "error"]
        self.definition_failed = refused[0] if refused else None
        result.items += self._run_stage(definitions)
        result.items += self._upload_images([i for i in plan.items if i.resource == "image"])
        result.items += self._run_stage([i for i in plan.items if i.resource == "blog"])
        for stage in ("page", "article"):
            result.items += self._run_writes([i for i in plan.items if i.resource == stage])
        result.warnings += self._drop_legacy_marks()
        result.warnings += self._store_indexes(plan)
        return result

    def _report(self, outcome: ItemOutcome) -> ItemOutcome:
        if self.on_progress is not None:
            self.on_progress(outcome)
        return outcome

    def _run_stage(self, items: Sequence[PlanItem]) -> list[ItemOutcome]:
        """Items one request each (blogs, prunes), concurrently."""
        outcomes: dict[int, ItemOutcome] = {}
        writes: list[tuple[int, PlanItem]] = []
        for index, item in enumerate(items):
            if item.writes:
                writes.append((index, item))
            else:
                outcomes[index] = self._report(_not_written(item))
        calls = [partial(self._apply_items, [item]) for _index, item in writes]
        self._in_pool(calls, [[index] for index, _item in writes], outcomes)
        return [outcomes[index] for index in sorted(outcomes)]

    def _run_writes(self, items: Sequence[PlanItem]) -> list[ItemOutcome]:
        """The stage's writes, a write that takes a handle another one leaves after it."""
        items = list(items)
        after = _waits(items)
        # Their old URL shows another item of this push: a redirect from it would do nothing
        # now, and would be in the way of a redirect made from it later (a move).
        for leaving in after.values():
            held = items[leaving].remote
            if held is not None:
                self._taken_over.add(held.id)
        outcomes: dict[int, ItemOutcome] = {}
        for index, item in enumerate(items):
            if not item.writes:
                outcomes[index] = self._report(_not_written(item))
        while len(outcomes) < len(items):
            left = [i for i in range(len(items)) if i not in outcomes]
            wave = [i for i in left if i not in after or after[i] in outcomes]
            if not wave:  # a swap: each waits for the other's handle
                first = min(h for i, h in after.items() if i in left and h in left)
                parked, failure = self._park(items[first])
                if failure is not None:
                    outcomes[first] = self._report(failure)
                items[first] = parked
                after = {i: h for i, h in _waits(items).items() if i not in outcomes}
                continue
            for index in list(wave):
                holder = outcomes.get(after.get(index, -1))
                if holder is not None and holder.status != "ok":
                    handle = items[index].handle
                    why = _Failed(f"it waits for {holder.label} to leave the handle {handle!r}")
                    outcomes[index] = self._report(_failed(items[index], why))
                    wave.remove(index)
            done = self._run_wave([items[i] for i in wave])
            outcomes.update(zip(wave, done, strict=True))
        return [outcomes[index] for index in sorted(outcomes)]

    def _park(self, item: PlanItem) -> tuple[PlanItem, ItemOutcome | None]:
        """One article (or page) of a swap, moved to a temporary handle (no redirect: the
        other takes its URL) so the others can take its handle; then it is written like any
        other, from there. Its marks are those of what it holds, so a push that fails here
        leaves no false conflict: the next plan renames it on."""
        assert item.desired is not None and item.remote is not None
        held = item.remote
        temporary = f"{held.handle}-{held.id.rsplit('/', 1)[-1]}-swap"
        desired = replace(
            item.desired, handle=temporary, fields={**self._fields(item), "handle": temporary}
        )
        parking = replace(item, handle=temporary, desired=desired)
        try:
            write, _fields = self._input(parking, held)
            data = {k: v for k, v in write.data.items() if k != "redirectNewHandle"}
            write = replace(write, data=data)
            (answer,) = batch.answers([write], self._send_one(write))
            if answer is None or answer.errors:
                messages = [e.message for e in answer.errors] if answer else ["no answer"]
                raise _Failed(f"it could not be moved to {temporary!r} first", *messages)
        except (_Failed, ShopsyncError) as exc:
            return item, _failed(item, exc)
        # From the temporary handle the write is no rename: no redirect from it either.
        return replace(item, remote=replace(held, handle=item.handle)), None

    def _run_wave(self, items: Sequence[PlanItem]) -> list[ItemOutcome]:
        """Creates and updates in batches; prunes one by one."""
        outcomes: dict[int, ItemOutcome] = {}
        single: list[tuple[int, PlanItem]] = []
        ready: list[tuple[int, PlanItem, batch.Write, Fields]] = []
        for index, item in enumerate(items):
            if item.kind in ("unpublish", "delete"):
                single.append((index, item))
            else:
                try:
                    prepared = self._prepare(item)
                except (_Failed, ShopsyncError) as exc:
                    outcomes[index] = self._report(_failed(item, exc))
                    continue
                if prepared is None:  # already as wanted
                    outcomes[index] = self._report(_done(item, item.id))
                else:
                    ready.append((index, item, *prepared))
        batches = [ready[n : n + self.batch_size] for n in range(0, len(ready), self.batch_size)]
        calls = [partial(self._send_batch, [(i, w, f) for _n, i, w, f in c]) for c in batches]
        calls += [partial(self._apply_items, [item]) for _index, item in single]
        slots = [[n for n, *_rest in chunk] for chunk in batches]
        slots += [[index] for index, _item in single]
        self._in_pool(calls, slots, outcomes)
        return [outcomes[index] for index in sorted(outcomes)]

    def _in_pool(
        self,
        calls: Sequence[Callable[[], list[ItemOutcome]]],
        slots: Sequence[Sequence[int]],
        outcomes: dict[int, ItemOutcome],
    ) -> None:
        """Run ``calls`` (each giving the outcomes of its ``slots``), reporting as each ends."""
        if len(calls) <= 1 or self.max_workers <= 1:
            for call, indexes in zip(calls, slots, strict=True):
                for index, outcome in zip(indexes, call(), strict=True):
                    outcomes[index] = self._report(outcome)
            return
        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            futures = {
                pool.submit(call): indexes for call, indexes in zip(calls, slots, strict=True)
            }
            for future in as_completed(futures):
                for index, outcome in zip(futures[future], future.result(), strict=True):
                    outcomes[index] = self._report(outcome)

    def _apply_items(self, items: Sequence[PlanItem]) -> list[ItemOutcome]:
        return [self._apply_item(item) for item in items]

    def _apply_item(self, item: PlanItem) -> ItemOutcome:
        """One item on its own (blogs, prunes, and writes whose batch could not be trusted)."""
        try:
            if item.resource == "blog":
                return _done(item, self._create_blog(item))
            if item.resource == "definition":
                return _done(item, self._create_definition(item))
            if item.kind in ("unpublish", "delete"):
                self._prune(item)
                return _done(item, item.id)
            if item.kind == "create":
                return _done(item, self._create(item))
            return _done(item, self._update(item))
        except (_Failed, ShopsyncError) as exc:
            return _failed(item, exc)

    # -- blogs

    def _create_definition(self, item: PlanItem) -> str | None:
        """The featured-products metafield's definition; its articles wait for it."""
        namespace, _, key = item.handle.partition(".")
        definition = {
            "name": "Featured products",
            "description": "Products an article features (kept by shopsync)",
            "namespace": namespace,
            "key": key,
            "ownerType": "ARTICLE",
            "type": PRODUCT_LIST_TYPE,
        }
        try:
            # Safe to send again: a second one for the same key is refused as TAKEN.
            payload = self.client.mutate(
                "SyncMetafieldDefinitionCreate", {"definition": definition}, idempotent=True
            )
        except UserErrors as exc:
            if exc.codes == ["TAKEN"]:
                return None  # made meanwhile (or by the attempt the retry repeated)
            self.definition_failed = item.handle
            raise
        except ShopsyncError:
            self.definition_failed = item.handle
            raise
        created = payload.get("createdDefinition") or {}
        return str(created["id"]) if created.get("id") else None

    def _create_blog(self, item: PlanItem) -> str:
        variables = {"blog": {"title": item.title or item.handle, "handle": item.handle}}
        try:
            payload = self.client.mutate("SyncBlogCreate", variables)
        except ShopsyncError as exc:
            if not exc.maybe_applied:
                raise
            found = self._find_blog(item.handle)
            if found is None:
                raise
            payload = {"blog": {"id": found, "handle": item.handle}}
        blog = payload["blog"]
        if blog["handle"] != item.handle:
            # Shopify renames a taken blog handle silently (-2); we read blogs first, so
            # this means another process created it meanwhile.
            raise _Failed(f"the store created blog {blog['handle']!r} instead of {item.handle!r}")
        self.blog_ids[item.handle] = blog["id"]
        return str(blog["id"])

    def _find_blog(self, handle: str) -> str | None:
        for node in self.client.paginate("SyncBlogs", {"first": 250}, path=["blogs"]):
            if node["handle"] == handle:
                return str(node["id"])
        return None

    # -- images

    def _upload_images(self, items: Sequence[PlanItem]) -> list[ItemOutcome]:
        """The image stage, batched (see ``uploads``); one outcome per image, as each ends."""
        outcomes: dict[int, ItemOutcome] = {}
        by_upload: dict[int, int] = {}
        uploads: list[Upload] = []
        for index, item in enumerate(items):
            if item.writes and item.upload is not None:
                upload = Upload(item.upload.image, file_id=item.id)
                by_upload[id(upload)] = index
                uploads.append(upload)
            else:
                outcomes[index] = self._report(_not_written(item))

        def done(upload: Upload) -> None:
            index = by_upload[id(upload)]
            item = items[index]
            if upload.url:
                self.image_urls[upload.image.placeholder] = upload.url
            if upload.file_id is not None and not upload.taken:
                # Ours, even if still processing: the index's ledger lets the next plan read
                # it by id, where search (which lags) may not show it yet.
                self.file_ids[upload.image.filename] = upload.file_id
            outcomes[index] = self._report(
                ItemOutcome(
                    kind=item.kind,
                    resource=item.resource,
                    handle=item.handle,
                    status="ok" if upload.url else "failed",
                    action=_action(item),
                    source=item.source,
                    id=upload.file_id,
                    messages=list(item.messages) if upload.url else upload.errors,
                )
            )

        Uploader(
            self.client,
            max_workers=self.max_workers,
            sleep=self.sleep,
            clock=self.clock,
            processing_timeout=self.processing_timeout,
            on_done=done,
        ).run(uploads)
        for upload in uploads:
            if not upload.announced:  # never expected; an item must not vanish from the result
                upload.errors.append(f"the upload of {upload.image.src} did not finish")
                done(upload)
        return [outcomes[index] for index in sorted(outcomes)]

    def _fields(self, item: PlanItem) -> Fields:
        """The item's desired fields, with uploaded images' URLs in place of their markers."""
        if id(item) not in self._filled:
            self._filled[id(item)] = self._fill(item)
        return self._filled[id(item)]

    def _fill(self, item: PlanItem) -> Fields:
        assert item.desired is not None
        # Only an unchanged article is left unrendered, and an unchanged one is never written.
        assert item.desired.rendered, f"{item.handle} was not rendered"
        fields = item.desired.fields
        src, body = fields.get("image_src"), fields.get("body_html")
        if not is_pending(src) and not (isinstance(body, str) and PENDING in body):
            return fields
        fields = dict(fields)
        for marker, url in self.image_urls.items():
            if fields.get("image_src") == marker:
                fields["image_src"] = url
            if isinstance(fields.get("body_html"), str):
                escaped = html.escape(url, quote=True)
                fields["body_html"] = fields["body_html"].replace(f'"{marker}"', f'"{escaped}"')
        left = re.findall(re.escape(PENDING) + r'[^"\s]+', str(fields["body_html"]))
        if is_pending(fields.get("image_src")):
            left.insert(0, str(fields["image_src"]))
        if left:
            names = ", ".join(sorted({m[len(PENDING) :] for m in left}))
            raise _Failed(f"its image {names} was not uploaded, so it was not written")
        return fields

    # -- creates and updates

    def _blog_id(self, item: PlanItem) -> str | None:
        if item.resource != "article":
            return None
        blog_id = self.blog_ids.get(item.blog or "")
        if blog_id is None:
            raise _Failed(f"blog {item.blog!r} does not exist and could not be created")
        return blog_id

    def _input(self, item: PlanItem, previous: RemoteItem | None) -> tuple[batch.Write, Fields]:
        """The write that makes the store hold the item's fields (over ``previous``, if any)."""
        assert item.desired is not None
        fields = self._fields(item)
        source = item.desired.source
        if item.resource == "article":
            data, remove = article_input(
                fields,
                source=source,
                blog_id=self._blog_id(item),
                names=self.names,
                previous=previous,
            )
        else:
            data, remove = page_input(fields, source=source, previous=previous)
        if previous is not None and previous.id in self._taken_over:
            data.pop("redirectNewHandle", None)
        write = batch.Write(
            resource="article" if item.resource == "article" else "page",
            data=data,
            id=previous.id if previous is not None else None,
            remove=tuple(remove) if previous is not None else (),
        )
        return write, fields

    def _prepare(self, item: PlanItem) -> tuple[batch.Write, Fields] | None:
        """The item's write for a batch, or None when the store already holds it."""
        previous = item.remote if item.kind != "create" else None
        assert item.desired is not None
        if self.definition_failed and item.desired.fields.get("featured_products"):
            raise _Failed(
                f"the definition of {self.definition_failed} could not be created, and an "
                "article featuring products waits for it: a value written without a "
                "definition cannot be given one later"
            )
        moved = previous is not None and item.resource == "article" and previous.blog != item.blog
        if moved and previous is not None and previous.id not in self._taken_over:
            self._redirect_move(previous, item)
        if (
            previous is not None
            and previous.source == item.desired.source
            and _same(previous, self._fields(item))
        ):
            return None
        return self._input(item, previous)

    def _send_batch(
        self, writes: Sequence[tuple[PlanItem, batch.Write, Fields]]
    ) -> list[ItemOutcome]:
        """One request for several writes; what it cannot settle goes item by item."""
        text, name, variables = batch.document([w for _i, w, _f in writes])
        idempotent = all(w.id is not None for _i, w, _f in writes)
        try:
            data = self.client.execute(text, variables, operation_name=name, idempotent=idempotent)
        except ShopsyncError as exc:
            if exc.maybe_applied or isinstance(exc, QueryError):
                # Landed or not, per item (a create is looked up first); a refused document
                # has one bad input, which the items alone will name.
                suspect = exc if exc.maybe_applied else None
                mark = self._suspected()
                return [self._recover(item, suspect, mark) for item, _w, _f in writes]
            return [_failed(item, exc) for item, _w, _f in writes]
        outcomes: list[ItemOutcome] = []
        answers = batch.answers([w for _i, w, _f in writes], data)
        for (item, write, fields), answer in zip(writes, answers, strict=True):
            if answer is None:
                outcomes.append(self._recover(item, _NO_PAYLOAD, self._suspected()))
            elif answer.errors:
                refused = UserErrors(
                    f"{item.resource}{'Create' if write.id is None else 'Update'}",
                    list(answer.errors),
                )
                if write.id is None and "TAKEN" in refused.codes:
                    outcomes.append(self._recover(item, refused, self._suspected()))
                else:
                    outcomes.append(_failed(item, refused))
            else:
                assert answer.id is not None
                self._record(item, answer.id, answer.updated_at, fields)
                outcomes.append(_done(item, answer.id))
        self._read_back(final=False)  # while other batches wait for the bucket
        return outcomes

    def _suspected(self) -> int:
        """Count a write that may have landed; its number (see ``_listings``)."""
        with self._lock:
            self._suspects += 1
            return self._suspects

    def _recover(self, item: PlanItem, suspect: ShopsyncError | None, mark: int) -> ItemOutcome:
        """A write its batch could not settle, alone; ``suspect``: the create may have landed
        (``mark``: its number among such writes)."""
        try:
            if item.kind == "create":
                sent = 1 if suspect is not None else 0
                return _done(item, self._create(item, suspect=suspect, sent=sent, mark=mark))
            return _done(item, self._update(item))
        except (_Failed, ShopsyncError) as exc:
            return _failed(item, exc)

    def _record(
        self, item: PlanItem, stored_id: str, updated_at: str | None, fields: Fields
    ) -> None:
        self._moved_marks(item, stored_id)
        if item.resource == "article":
            with self._lock:
                self._sent.append(_Sent(item, stored_id, updated_at, fields, self.clock()))

    def _write_one(self, item: PlanItem, previous: RemoteItem | None) -> str:
        """One write in a request of its own (recovering a create, finishing an update)."""
        write, fields = self._input(item, previous)
        (answer,) = batch.answers([write], self._send_one(write))
        operation = f"{item.resource}{'Create' if previous is None else 'Update'}"
        if answer is None:
            error = ShopsyncError(f"{operation}: the store answered without a payload")
            error.maybe_applied = True
            raise error
        if answer.errors:
            raise UserErrors(operation, list(answer.errors))
        assert answer.id is not None
        self._record(item, answer.id, answer.updated_at, fields)
        return answer.id

    def _send_one(self, write: batch.Write) -> dict[str, Any]:
        text, name, variables = batch.document([write])
        return self.client.execute(
            text, variables, operation_name=name, idempotent=write.id is not None
        )

    def _create(
        self,
        item: PlanItem,
        *,
        suspect: ShopsyncError | None = None,
        sent: int = 0,
        mark: int = 0,
    ) -> str:
        """Create ``item``: after a failure that may have landed (``suspect``), look first.

        ``sent`` creates were sent already (the batch's); at most CREATE_ATTEMPTS in all.
        """
        assert item.desired is not None
        while True:
            if suspect is not None:
                found = self._lookup(item, mark)
                if found is not None:
                    if found.source != item.desired.source:
                        raise _Failed(
                            f"handle {item.handle!r} was taken meanwhile by {a(item.resource)} "
                            "shopsync does not manage",
                            *suspect.item_messages(),
                        )
                    # Our earlier attempt committed: finish it as an update, never re-create.
                    return self._update(item, previous=found)
                if isinstance(suspect, UserErrors):
                    raise suspect  # TAKEN, yet nothing holds the handle: say what the store said
            if sent >= CREATE_ATTEMPTS:
                raise _Failed(f"create of {item.label} failed {CREATE_ATTEMPTS} times")
            try:
                return self._write_one(item, None)
            except ShopsyncError as exc:
                taken = isinstance(exc, UserErrors) and "TAKEN" in exc.codes
                if not (taken or exc.maybe_applied):
                    raise
                sent += 1
                suspect = exc  # landed or not: the next turn looks before sending again
                mark = self._suspected()

    def _update(self, item: PlanItem, previous: RemoteItem | None = None) -> str:
        previous = previous or item.remote
        assert item.desired is not None and previous is not None
        if previous.source == item.desired.source and _same(previous, self._fields(item)):
            return previous.id  # already as wanted (e.g. a create that committed)
        return self._write_one(item, previous)

    def _redirect_move(self, previous: RemoteItem, item: PlanItem) -> None:
        """Send the old URL of an article moving to another blog on to its new one, before
        the move: a redirect whose path still exists does nothing, so a move that fails
        after it leaves the store as it was, and a re-run finds the redirect in place."""
        path = f"/blogs/{previous.blog}/{previous.handle}"
        target = f"/blogs/{item.blog}/{item.handle}"
        redirect = {"path": path, "target": target}
        refused: UserErrors | None = None
        for attempt in range(2):
            try:
                self.client.mutate("SyncUrlRedirectCreate", {"urlRedirect": redirect})
                return
            except UserErrors as exc:
                refused = exc
                break
            except ShopsyncError as exc:
                if not exc.maybe_applied and attempt == 0:
                    raise _Failed(
                        f"the redirect from {path} was not created, so it was not moved",
                        *exc.item_messages(),
                    ) from exc
                if not exc.maybe_applied:
                    break  # the first attempt's fate is still unknown: look
                # Landed or not: sent again, it is made now, or refused as taken (by it).
        # Taken (by an earlier run, or this one's lost attempt), or no answer twice: what
        # holds the path now? Only search finds a redirect by path, and it lags: a path the
        # store says is taken is asked for again until search shows it.
        found = self._redirect_at(path, wait=refused is not None and _path_taken(refused))
        if found is not None and found.get("target") == target:
            return
        if found is not None:
            raise _Failed(
                f"{path} already redirects to {found.get('target')}, so it was not moved",
                "change or remove that redirect in the Shopify admin (Online Store > "
                "Navigation > URL redirects), then push again",
            )
        messages = refused.item_messages() if refused is not None else []
        raise _Failed(
            f"the redirect from {path} could not be confirmed, so it was not moved",
            *messages,
            "run the push again",
        )

    def _redirect_at(self, path: str, *, wait: bool) -> dict[str, Any] | None:
        """The redirect from ``path`` as search shows it; with ``wait``, asked again a little
        later each time (up to REDIRECT_SEARCH_WAIT) while search, behind the writes, shows
        none."""
        deadline = self.clock() + REDIRECT_SEARCH_WAIT
        delay = 0.25
        while True:
            data = self.client.run("SyncUrlRedirects", {"query": f"path:{path}"})
            nodes = data["urlRedirects"]["nodes"]
            found = next((n for n in nodes if n.get("path") == path), None)
            if found is not None or not wait or self.clock() + delay > deadline:
                return dict(found) if found is not None else None
            self.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _lookup(self, item: PlanItem, mark: int) -> RemoteItem | None:
        """The store's item with this handle (and blog), if any, read directly: search
        (``query:``) lags writes, and a create that just landed is exactly what it misses."""
        found = self._listing(item, mark).get(item.handle)
        if found is None or isinstance(found, RemoteItem):
            return found
        stored = read_articles(self.client, [found], **self.names.read_variables)
        return stored[0] if stored else None

    def _listing(self, item: PlanItem, mark: int) -> dict[str, str | RemoteItem]:
        """The item's blog (handle -> article id) or the pages (handle -> page, in full:
        they are few), listed after write ``mark``."""
        key = (item.resource, item.blog or "")
        with self._lock:
            cached = self._listings.get(key)
            if cached is not None and cached[0] >= mark:
                return cached[1]
            taken = self._suspects  # every suspect counted so far happened before this listing
        if item.resource == "article":
            blog_id = self._blog_id(item)
            assert blog_id is not None
            signals = scan_blog(self.client, blog_id, **self.names.read_variables)
            ids: dict[str, str | RemoteItem] = {signal.handle: signal.id for signal in signals}
        else:
            ids = {page.handle: page for page in read_pages(self.client)}
        with self._lock:
            if key not in self._listings or self._listings[key][0] < taken:
                self._listings[key] = (taken, ids)
        return ids

    # -- the blogs' indexes

    def _store_indexes(self, plan: Plan) -> list[str]:
        """Record per blog what the plan vouched for and what was written (verified)."""
        blogs = {item.blog for item in plan.items if item.resource == "article" and item.blog}
        blogs |= set(plan.index)
        if not blogs:
            return []
        self._read_back(final=True)
        verified = list(self._verified)
        warnings: list[str] = []
        for blog in sorted(blogs):
            entries = {entry.id: entry for entry in plan.index.get(blog, ())}
            entries.update({e.id: e for item, e in verified if item.blog == blog})
            try:
                self._store_index(plan, blog, list(entries.values()), self._files_of(plan, blog))
            except ShopsyncError as exc:
                warnings.append(
                    f"the index of blog {blog!r} was not stored ({exc.message}); "
                    "nothing is lost, the next plan reads more"
                )
        return warnings

    def _read_back(self, *, final: bool) -> None:
        """Read back what was written at least SETTLE_SECONDS ago: a full page of it during the
        writes, all of it at the end; an article still holding what was sent gets an entry."""
        with self._lock:
            ripe = [s for s in self._sent if self.clock() - s.at >= SETTLE_SECONDS]
            if not ripe or (not final and len(ripe) < READ_BATCH):
                return
            taken = ripe if final else ripe[:READ_BATCH]
            ids = {s.id for s in taken}
            self._sent = [s for s in self._sent if s.id not in ids]
        try:
            stored = read_articles(
                self.client,
                [s.id for s in taken],
                product_namespace=self.names.product_namespace,
                product_key=self.names.product_key,
            )
        except ShopsyncError:
            return  # not recorded: the next plan reads them in full
        by_id = {item.id: item for item in stored}
        entries: list[tuple[PlanItem, IndexEntry]] = []
        for sent in taken:
            now = by_id.get(sent.id)
            if now is None or now.updated_at is None or sent.item.desired is None:
                continue
            if fingerprint(now.fields) != fingerprint(sent.fields):
                continue  # edited since (or stored otherwise): not ours to vouch for
            desired = sent.item.desired
            digest = short_digest(content_digest(sent.fields))
            # The inputs rendered these fields only if nothing was filled in since (an image
            # uploaded by this push): then the next plan need not render the file again.
            inputs = desired.inputs if sent.fields == desired.fields else ""
            entry = IndexEntry(
                sent.id, now.updated_at, digest, fields_meta(now.fields), desired.source, inputs
            )
            entries.append((sent.item, entry))
        with self._lock:
            self._verified += entries

    def _files_of(self, plan: Plan, blog: str) -> dict[str, str]:
        """The files the blog's articles show (filename -> GID), as far as they are known."""
        files: dict[str, str] = {}
        for item in plan.items:
            if item.resource != "article" or item.blog != blog or item.desired is None:
                continue
            for upload in item.desired.uploads:
                name = upload.image.filename
                remote = upload.remote
                if name in self.file_ids:
                    files[name] = self.file_ids[name]
                elif remote is not None and remote.status != "FAILED":
                    files[name] = remote.id
        return files

    def _store_index(
        self, plan: Plan, blog: str, entries: list[IndexEntry], files: dict[str, str]
    ) -> None:
        blog_id = self.blog_ids.get(blog)
        if blog_id is None:
            return
        values = encode(entries, files)[:MAX_SHARDS]
        stored = plan.stored_indexes.get(blog)
        if stored is not None and stored.legacy_keys:
            old = [
                {"ownerId": blog_id, "namespace": LEGACY_NAMESPACE, "key": key}
                for key in stored.legacy_keys
            ]
            self.client.mutate("SyncMetafieldsDelete", {"metafields": old}, idempotent=True)
        if stored is not None and index_values_digest(values) == stored.digest:
            return
        keys = shard_keys(len(values))
        if values:
            metafields = [
                {
                    "ownerId": blog_id,
                    "namespace": INDEX_NAMESPACE,
                    "key": key,
                    "type": "json",
                    "value": value,
                }
                for key, value in zip(keys, values, strict=True)
            ]
            self.client.mutate("SyncMetafieldsSet", {"metafields": metafields}, idempotent=True)
        stale = [key for key in (stored.keys if stored else ()) if key not in keys]
        if stale:
            removed = [{"ownerId": blog_id, "namespace": INDEX_NAMESPACE, "key": k} for k in stale]
            self.client.mutate("SyncMetafieldsDelete", {"metafields": removed}, idempotent=True)

    # -- orphans

    def _prune(self, item: PlanItem) -> None:
        remote = item.remote
        assert remote is not None
        if item.kind == "delete":
            name = "SyncArticleDelete" if item.resource == "article" else "SyncPageDelete"
            try:
                self.client.mutate(name, {"id": remote.id}, idempotent=True)
            except UserErrors as exc:
                # A retried delete whose first attempt landed: gone is what we wanted.
                if exc.codes != ["NOT_FOUND"]:
                    raise
            return
        hidden: Fields = {**remote.fields, "is_published": False, "publish_date": None}
        # The digest is of what the store holds now: the one of the last write would say the
        # file restored later is what the store holds (normalised), and it stayed unpublished.
        # An admin's edit stays one: a fingerprint that matches no content keeps the item
        # drifted, so a restored file is a conflict, never a silent overwrite of the edit.
        print_ = (
            EDITED_BEFORE_UNPUBLISH + (remote.recorded_fingerprint or "")
            if remote.drifted
            else fingerprint(hidden)
        )
        marks = [
            metafield(OWNER_NAMESPACE, SOURCE_KEY, remote.source or "", TEXT),
            metafield(OWNER_NAMESPACE, FINGERPRINT_KEY, print_, TEXT),
            metafield(OWNER_NAMESPACE, CONTENT_DIGEST_KEY, content_digest(hidden), TEXT),
        ]
        data = {"isPublished": False, "publishDate": None, "metafields": marks}
        if item.resource == "article":
            variables: dict[str, Any] = {"id": remote.id, "article": data, **self.names.variables}
            self.client.mutate("SyncArticleUpdate", variables, idempotent=True)
        else:
            self.client.mutate("SyncPageUpdate", {"id": remote.id, "page": data}, idempotent=True)
        self._moved_marks(item, remote.id)

    # -- marks left by earlier releases

    def _moved_marks(self, item: PlanItem, stored_id: str) -> None:
        """The item was written with its marks in the app namespace: drop the old ones."""
        if item.remote is not None and item.remote.legacy_marks:
            with self._lock:
                self._legacy.append(stored_id)

    def _drop_legacy_marks(self) -> list[str]:
        """Delete what earlier releases kept in the plain namespace on the items just written
        (after their write, never before: an item is never left without marks)."""
        with self._lock:
            owners, self._legacy = list(self._legacy), []
        doomed = [
            {"ownerId": owner, "namespace": LEGACY_NAMESPACE, "key": key}
            for owner in owners
            for key in MARK_KEYS
        ]
        warnings: list[str] = []
        for start in range(0, len(doomed), 25):
            try:
                self.client.mutate(
                    "SyncMetafieldsDelete",
                    {"metafields": doomed[start : start + 25]},
                    idempotent=True,
                )
            except ShopsyncError as exc:
                warnings.append(
                    f"old marks in the {LEGACY_NAMESPACE!r} namespace were not all removed "
                    f"({exc.message}); they are ignored, a later push removes them"
                )
                break
        return warnings


def _waits(items: Sequence[PlanItem]) -> dict[int, int]:
    """Which write (by index) must land before which: one taking the handle (in its blog)
    that another write of ``items`` renames or moves away. The plan made sure that no two
    wait for each other."""
    leaving: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        held = item.remote
        if item.kind == "update" and held is not None:
            key = (held.blog or "", held.handle)
            if key != (item.blog or "", item.handle):
                leaving[key] = index
    waits: dict[int, int] = {}
    for index, item in enumerate(items):
        holder = leaving.get((item.blog or "", item.handle))
        if item.writes and holder is not None and holder != index:
            waits[index] = holder
    return waits


def _same(remote: RemoteItem, fields: Mapping[str, Any]) -> bool:
    """The store holds ``fields`` already, marked as shopsync marks it now."""
    from shopsync.plan import field_diff

    return not field_diff(remote.fields, fields) and not remote.drifted and not remote.legacy_marks


def _action(item: PlanItem) -> str:
    if item.kind == "update" and item.redirect:
        return "rename"
    return item.kind


#: Prefix of the fingerprint of an orphan unpublished with an admin's edit in it: it matches
#: no content, so the item stays edited-in-the-admin (see ``_prune``).
EDITED_BEFORE_UNPUBLISH = "edited:"

#: A batch answer without this write's payload: it may or may not have landed.
_NO_PAYLOAD = ShopsyncError("the store answered without this write's payload")
_NO_PAYLOAD.maybe_applied = True


def _path_taken(refused: UserErrors) -> bool:
    """Did ``urlRedirectCreate`` refuse the path? shopsync builds it from handles, so what is
    wrong with it is that a redirect from it exists (the words are Shopify's to change: the
    field is what counts)."""
    return any((e.field or ("",))[-1] == "path" for e in refused.errors)


def _outcome(item: PlanItem, status: Status, action: str, messages: list[str]) -> ItemOutcome:
    return ItemOutcome(
        kind=item.kind,
        resource=item.resource,
        handle=item.handle,
        status=status,
        action=action,
        blog=item.blog,
        source=item.source,
        id=item.id,
        messages=messages,
    )


def _done(item: PlanItem, stored_id: str | None) -> ItemOutcome:
    outcome = _outcome(item, "ok", _action(item), list(item.messages))
    outcome.id = stored_id
    return outcome


def _failed(item: PlanItem, exc: Exception) -> ItemOutcome:
    if isinstance(exc, _Failed):
        messages = exc.messages
    elif isinstance(exc, ShopsyncError):
        messages = exc.item_messages()
    else:
        messages = [str(exc)]
    return _outcome(item, "failed", _action(item), messages)


def _not_written(item: PlanItem) -> ItemOutcome:
    status: Status = "ok" if item.kind == "unchanged" else "skipped"
    return _outcome(item, status, "none", [*item.messages, *(f"hint: {h}" for h in item.hints)])


def apply_plan(
    plan: Plan,
    client: ShopifyClient,
    *,
    names: MetafieldNames | None = None,
    max_workers: int = 4,
    on_progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ApplyResult:
    """Execute ``plan``; never raises for one item's failure (see ``ApplyResult.failed``)."""
    applier = Applier(
        client=client,
        names=names or MetafieldNames(),
        max_workers=max_workers,
        on_progress=on_progress,
        sleep=sleep,
        clock=clock,
    )
    return applier.apply(plan)

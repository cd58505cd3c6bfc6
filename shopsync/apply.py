"""Execute a Plan through the client: images, blogs, pages, then articles.

Writes of one stage run concurrently (bounded by ``max_workers``; the client paces
against the store's cost bucket). Every item succeeds or fails on its own, so a partial
failure leaves the rest written and a re-run finishes the job. Creates are never sent
twice blindly: after an ambiguous failure (the store may have committed) or a ``TAKEN``
handle, the handle is looked up first, and an article carrying our ``shopsync.source``
is taken as created. Progress goes to an injected callback; nothing here prints.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from shopsync.admin.inputs import MetafieldNames, article_input, metafield, page_input
from shopsync.admin.marks import FINGERPRINT_KEY, OWNER_NAMESPACE, TEXT
from shopsync.admin.remote import RemoteItem, article_from_node, page_from_node
from shopsync.admin.uploads import PROCESSING_TIMEOUT, Upload, Uploader
from shopsync.content.images import PENDING, is_pending
from shopsync.errors import ShopsyncError, UserErrors
from shopsync.plan import Plan, PlanItem
from shopsync.vocabulary import Fields, fingerprint

if TYPE_CHECKING:
    from shopsync.admin.client import ShopifyClient

Status = Literal["ok", "failed", "skipped"]
Progress = Callable[["ItemOutcome"], None]

CREATE_ATTEMPTS = 3


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
        }


# ----------------------------------------------------------------------------- applier


class _Failed(Exception):
    """An item failed with messages for the user (internal control flow)."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


@dataclass
class Applier:
    """Applies one plan; holds what the stages learn (ids of blogs created)."""

    client: ShopifyClient
    names: MetafieldNames = field(default_factory=MetafieldNames)
    max_workers: int = 4
    on_progress: Progress | None = None
    blog_ids: dict[str, str] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    processing_timeout: float = PROCESSING_TIMEOUT
    image_urls: dict[str, str] = field(default_factory=dict)  # pending marker -> CDN URL
    _filled: dict[int, Fields] = field(default_factory=dict)  # item -> fields with those URLs

    def apply(self, plan: Plan) -> ApplyResult:
        self.blog_ids.update(plan.blog_ids)
        result = ApplyResult()
        result.items += self._upload_images([i for i in plan.items if i.resource == "image"])
        for stage in ("blog", "page", "article"):
            result.items += self._run_stage([i for i in plan.items if i.resource == stage])
        return result

    def _report(self, outcome: ItemOutcome) -> ItemOutcome:
        if self.on_progress is not None:
            self.on_progress(outcome)
        return outcome

    def _run_stage(self, items: Sequence[PlanItem]) -> list[ItemOutcome]:
        outcomes: dict[int, ItemOutcome] = {}
        writes: list[tuple[int, PlanItem]] = []
        for index, item in enumerate(items):
            if item.writes:
                writes.append((index, item))
            else:
                outcomes[index] = self._report(_not_written(item))
        if len(writes) <= 1 or self.max_workers <= 1:
            for index, item in writes:
                outcomes[index] = self._report(self._apply_item(item))
        else:
            with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
                futures = {pool.submit(self._apply_item, item): index for index, item in writes}
                for future in as_completed(futures):
                    outcomes[futures[future]] = self._report(future.result())
        return [outcomes[index] for index in sorted(outcomes)]

    def _apply_item(self, item: PlanItem) -> ItemOutcome:
        action = _action(item)
        outcome = ItemOutcome(
            kind=item.kind,
            resource=item.resource,
            handle=item.handle,
            status="ok",
            action=action,
            blog=item.blog,
            source=item.source,
            id=item.id,
        )
        try:
            if item.resource == "blog":
                outcome.id = self._create_blog(item)
            elif item.kind in ("unpublish", "delete"):
                self._prune(item)
            elif item.kind == "create":
                outcome.id = self._create(item)
            else:
                outcome.id = self._update(item)
        except _Failed as exc:
            outcome.status = "failed"
            outcome.messages = exc.messages
        except ShopsyncError as exc:
            outcome.status = "failed"
            outcome.messages = exc.item_messages()
        if outcome.status == "ok":
            outcome.messages = list(item.messages)
        return outcome

    # -- blogs

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

    def _write(
        self, item: PlanItem, previous: RemoteItem | None
    ) -> tuple[RemoteItem, list[tuple[str, str]]]:
        assert item.desired is not None
        fields = self._fields(item)
        if item.resource == "article":
            data, remove = article_input(
                fields,
                source=item.desired.source,
                blog_id=self._blog_id(item),
                names=self.names,
                previous=previous,
            )
            if previous is None:
                variables: dict[str, Any] = {"article": data, **self.names.variables}
                payload = self.client.mutate("SyncArticleCreate", variables)
            else:
                variables = {"id": previous.id, "article": data, **self.names.variables}
                payload = self.client.mutate("SyncArticleUpdate", variables, idempotent=True)
            return article_from_node(payload["article"]), remove
        data, remove = page_input(fields, source=item.desired.source, previous=previous)
        if previous is None:
            payload = self.client.mutate("SyncPageCreate", {"page": data})
        else:
            payload = self.client.mutate(
                "SyncPageUpdate", {"id": previous.id, "page": data}, idempotent=True
            )
        return page_from_node(payload["page"]), remove

    def _create(self, item: PlanItem) -> str:
        assert item.desired is not None
        for _attempt in range(CREATE_ATTEMPTS):
            try:
                stored, _remove = self._write(item, None)
            except ShopsyncError as exc:
                taken = isinstance(exc, UserErrors) and "TAKEN" in exc.codes
                if not (taken or exc.maybe_applied):
                    raise
                found = self._lookup(item)
                if found is None:
                    if taken:
                        raise
                    continue  # the create did not land: sending it again is safe
                if found.source != item.desired.source:
                    raise _Failed(
                        f"handle {item.handle!r} was taken meanwhile by a {item.resource} "
                        "shopsync does not manage",
                        *exc.item_messages(),
                    ) from None
                # Our earlier attempt committed: finish it as an update, never re-create.
                return self._update(item, previous=found)
            self._settle(item, stored)
            return stored.id
        raise _Failed(f"create of {item.label} failed {CREATE_ATTEMPTS} times")

    def _update(self, item: PlanItem, previous: RemoteItem | None = None) -> str:
        previous = previous or item.remote
        assert item.desired is not None and previous is not None
        if previous.source == item.desired.source and _same(previous, self._fields(item)):
            return previous.id  # already as wanted (e.g. a create that committed)
        stored, remove = self._write(item, previous)
        if remove:
            self.client.mutate(
                "SyncMetafieldsDelete",
                {
                    "metafields": [
                        {"ownerId": stored.id, "namespace": ns, "key": key} for ns, key in remove
                    ]
                },
                idempotent=True,
            )
        self._settle(item, stored)
        return stored.id

    def _settle(self, item: PlanItem, stored: RemoteItem) -> None:
        """If the store normalised what we sent, record the digest of what it kept."""
        assert item.desired is not None
        sent = fingerprint(self._fields(item))
        kept = fingerprint(stored.fields)
        if kept != sent and stored.recorded_fingerprint == sent:
            metafield = {
                "ownerId": stored.id,
                "namespace": OWNER_NAMESPACE,
                "key": FINGERPRINT_KEY,
                "value": kept,
                "type": TEXT,
            }
            self.client.mutate("SyncMetafieldsSet", {"metafields": [metafield]}, idempotent=True)

    def _lookup(self, item: PlanItem) -> RemoteItem | None:
        """The store's item with this handle (and blog), if any."""
        query = f"handle:{item.handle}"
        if item.resource == "article":
            data = self.client.run("SyncArticlesByHandle", {"query": query, **self.names.variables})
            nodes = data["articles"]["nodes"]
            found = [article_from_node(n) for n in nodes]
            found = [f for f in found if f.handle == item.handle and f.blog == item.blog]
        else:
            data = self.client.run("SyncPagesByHandle", {"query": query})
            found = [page_from_node(n) for n in data["pages"]["nodes"]]
            found = [f for f in found if f.handle == item.handle]
        return found[0] if found else None

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
        marks = [
            metafield(OWNER_NAMESPACE, FINGERPRINT_KEY, fingerprint(hidden), TEXT),
        ]
        data = {"isPublished": False, "publishDate": None, "metafields": marks}
        if item.resource == "article":
            variables: dict[str, Any] = {"id": remote.id, "article": data, **self.names.variables}
            self.client.mutate("SyncArticleUpdate", variables, idempotent=True)
        else:
            self.client.mutate("SyncPageUpdate", {"id": remote.id, "page": data}, idempotent=True)


def _same(remote: RemoteItem, fields: Mapping[str, Any]) -> bool:
    from shopsync.plan import field_diff

    return not field_diff(remote.fields, fields) and not remote.drifted


def _action(item: PlanItem) -> str:
    if item.kind == "update" and item.redirect:
        return "rename"
    return item.kind


def _not_written(item: PlanItem) -> ItemOutcome:
    status: Status = "ok" if item.kind == "unchanged" else "skipped"
    return ItemOutcome(
        kind=item.kind,
        resource=item.resource,
        handle=item.handle,
        status=status,
        action="none",
        blog=item.blog,
        source=item.source,
        id=item.id,
        messages=[*item.messages, *(f"hint: {h}" for h in item.hints)],
    )


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

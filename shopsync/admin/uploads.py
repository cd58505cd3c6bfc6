"""Local images into the store's Content > Files, in batches: the image stage of a push.

Per batch of images, whatever their number: one ``stagedUploadsCreate``, the byte uploads
(concurrent, to the storage bucket), one ``fileCreate``, then one ``nodes(ids:)`` poll per
round until Shopify has processed every file. Per image that would be three mutations and a
poll each; against a cost bucket that refills at 100 points a second, batching is what keeps
an image-heavy push fast. Each image still succeeds or fails on its own.

Never a duplicate: files are named by content and created with ``RAISE_ERROR``; after an
ambiguous ``fileCreate`` the names are looked up before anything is sent again, and a file
that failed because its name was taken (another run, or this one's lost first attempt, was
first) is replaced by that one and deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shopsync.admin.remote import fetch_files
from shopsync.content.images import ImageProblem, LocalImage
from shopsync.errors import ShopsyncError

if TYPE_CHECKING:
    from shopsync.admin.client import ShopifyClient

BATCH = 50  # images per stagedUploadsCreate / fileCreate / poll
# How long a file may stay PROCESSING before the push gives up on it (a re-run finds the
# file by its name and waits again; nothing is uploaded twice).
PROCESSING_TIMEOUT = 120.0


@dataclass
class Upload:
    """One image's way through the stage: its file id once created, its URL once READY."""

    image: LocalImage
    file_id: str | None = None
    url: str | None = None
    errors: list[str] = field(default_factory=list)
    announced: bool = False
    #: Its name is taken in Files (by a run that was first): it waits to find that file.
    taken: bool = False

    @property
    def pending(self) -> bool:
        return self.url is None and not self.errors


@dataclass
class Uploader:
    client: ShopifyClient
    max_workers: int = 4
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    processing_timeout: float = PROCESSING_TIMEOUT
    on_done: Callable[[Upload], None] | None = None  # progress: each upload as it finishes

    def run(self, uploads: Sequence[Upload]) -> None:
        """Create what has no file yet, then wait for every file; results land on ``uploads``."""
        fresh = [u for u in uploads if u.file_id is None]
        for start in range(0, len(fresh), BATCH):
            self._create(fresh[start : start + BATCH])
            self._announce(uploads)
        self._wait([u for u in uploads if u.file_id is not None and u.pending])
        self._announce(uploads)

    def _announce(self, uploads: Sequence[Upload]) -> None:
        for upload in uploads:
            if not upload.pending and not upload.announced:
                upload.announced = True
                if self.on_done is not None:
                    self.on_done(upload)

    # -- creating

    def _create(self, batch: Sequence[Upload]) -> None:
        data: dict[int, bytes] = {}
        for upload in batch:
            try:
                data[id(upload)] = upload.image.read()
            except ImageProblem as exc:
                upload.errors.append(str(exc))
            except OSError:
                upload.errors.append(f"cannot read {upload.image.src}")
        readable = [u for u in batch if id(u) in data]
        if not readable:
            return
        try:
            targets = self._stage(readable)
        except ShopsyncError as exc:
            for upload in readable:
                upload.errors += exc.item_messages()
            return
        with ThreadPoolExecutor(max_workers=max(1, self.max_workers)) as pool:
            sent = list(pool.map(self._send, readable, targets, [data[id(u)] for u in readable]))
        uploaded = [(u, t) for u, t, ok in zip(readable, targets, sent, strict=True) if ok]
        if uploaded:
            self._file_create(uploaded)

    def _stage(self, uploads: Sequence[Upload]) -> list[Mapping[str, Any]]:
        inputs = [
            {
                "resource": "IMAGE",
                "filename": u.image.filename,
                "mimeType": u.image.mime_type,
                "httpMethod": "POST",
                "fileSize": str(u.image.size),
            }
            for u in uploads
        ]
        # Signed targets and nothing else: asking twice is harmless.
        payload = self.client.mutate("SyncStagedUploadsCreate", {"input": inputs}, idempotent=True)
        targets = list(payload.get("stagedTargets") or [])
        if len(targets) != len(uploads):
            raise ShopsyncError(f"the store staged {len(targets)} of {len(uploads)} uploads")
        return targets

    def _send(self, upload: Upload, target: Mapping[str, Any], data: bytes) -> bool:
        image = upload.image
        try:
            self.client.upload_staged(target, image.filename, data, image.mime_type)
        except ShopsyncError as exc:
            upload.errors += exc.item_messages()
            return False
        return True

    def _file_create(
        self, uploaded: Sequence[tuple[Upload, Mapping[str, Any]]], *, again: bool = True
    ) -> None:
        files = [
            {
                "originalSource": target["resourceUrl"],
                "filename": upload.image.filename,
                "contentType": "IMAGE",
                # Same name, same bytes: a second file would only be a copy, so a racing
                # run's create fails (DUPLICATE_FILENAME_ERROR) instead of making x_<uuid>.png.
                "duplicateResolutionMode": "RAISE_ERROR",
            }
            for upload, target in uploaded
        ]
        try:
            payload = self.client.mutate("SyncFileCreate", {"files": files})
        except ShopsyncError as exc:
            if not exc.maybe_applied:
                for upload, _target in uploaded:
                    upload.errors += exc.item_messages()
                return
            # It may have landed: whatever the store now has under these names is ours. Search
            # lags, so a name it misses is created again: RAISE_ERROR makes that safe (a file
            # that did land turns the second one into a duplicate-name failure, then is used).
            found = fetch_files(self.client, [u.image.filename for u, _t in uploaded])
            missed: list[tuple[Upload, Mapping[str, Any]]] = []
            for upload, target in uploaded:
                remote = found.get(upload.image.filename)
                if remote is not None and remote.status != "FAILED":
                    upload.file_id = remote.id
                elif again:
                    missed.append((upload, target))
                else:
                    upload.errors += exc.item_messages()
            if missed:
                self._file_create(missed, again=False)
            return
        created = list(payload.get("files") or [])
        for (upload, _target), node in zip(uploaded, created, strict=False):
            upload.file_id = str(node["id"])
        for upload, _target in uploaded[len(created) :]:
            upload.errors.append(f"the store did not create a file for {upload.image.src}")

    # -- waiting

    def _wait(self, uploads: Sequence[Upload]) -> None:
        deadline = self.clock() + self.processing_timeout
        delay = 0.1
        pending = list(uploads)
        while pending:
            polled = [u for u in pending if not u.taken]
            for start in range(0, len(polled), BATCH):
                self._poll(polled[start : start + BATCH])
            self._use_existing([u for u in pending if u.taken])
            self._announce(pending)
            pending = [u for u in pending if u.pending]
            if not pending:
                return
            if self.clock() >= deadline:
                for upload in pending:
                    upload.errors.append(
                        f"{upload.image.filename} is taken in Files by a file the store's "
                        "search does not show yet; run the push again later"
                        if upload.taken
                        else f"{upload.image.src} is still processing after "
                        f"{self.processing_timeout:g}s; run the push again later (it waits for "
                        "the same file, nothing is uploaded twice)"
                    )
                return
            self.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _poll(self, uploads: Sequence[Upload]) -> None:
        ids = [str(u.file_id) for u in uploads]
        try:
            nodes = self.client.run("SyncFilesStatus", {"ids": ids}).get("nodes") or []
        except ShopsyncError as exc:
            for upload in uploads:
                upload.errors += exc.item_messages()
            return
        for upload, node in zip(uploads, nodes, strict=False):
            if not isinstance(node, Mapping):
                upload.errors.append(f"the store's file for {upload.image.src} is gone")
                continue
            picture = node.get("image")
            status = node.get("fileStatus")
            if status == "READY" and isinstance(picture, Mapping) and picture.get("url"):
                upload.url = str(picture["url"])
            elif status == "FAILED":
                errors = [e for e in node.get("fileErrors") or () if isinstance(e, Mapping)]
                if any(e.get("code") == "DUPLICATE_FILENAME_ERROR" for e in errors):
                    upload.taken = True  # found by name from the next round on
                    continue
                reasons = "; ".join(str(e.get("message") or e.get("code")) for e in errors)
                upload.errors.append(
                    f"Shopify could not process {upload.image.src}: {reasons or 'FAILED'}"
                )

    def _use_existing(self, uploads: Sequence[Upload]) -> None:
        """Another run (or this one's lost first attempt) uploaded the same bytes first: use
        its file. Only search finds a file by name, and it lags: until it shows the file, the
        upload waits (within the processing timeout) and asks again."""
        if not uploads:
            return
        try:
            found = fetch_files(self.client, [u.image.filename for u in uploads])
        except ShopsyncError:
            return  # asked again next round
        refused: list[str] = []
        for upload in uploads:
            other = found.get(upload.image.filename)
            if other is None or other.id == upload.file_id:
                continue  # not in the search index yet
            if other.status == "FAILED":
                upload.errors.append(
                    f"{upload.image.filename} is taken in Files by a file shopsync cannot use"
                )
            else:
                if upload.file_id is not None:
                    refused.append(upload.file_id)
                upload.file_id, upload.taken = other.id, False
        self._discard(refused)

    def _discard(self, file_ids: Sequence[str]) -> None:
        """Delete our own refused copies (FAILED, DUPLICATE_FILENAME_ERROR) once the file that
        holds their name is in use: Files keeps one file per image. Best effort: a copy left
        behind is a failed entry in Files, never an image an article shows."""
        if not file_ids:
            return
        try:
            self.client.mutate("SyncFileDelete", {"fileIds": list(file_ids)}, idempotent=True)
        except ShopsyncError:
            return

"""The image stage (``Uploader``) when another run uploaded the same bytes first.

Uploads are named by content and created with ``duplicateResolutionMode: RAISE_ERROR``, so
the store never holds two copies: a run that loses the race gets a file that ends FAILED
with ``DUPLICATE_FILENAME_ERROR``, and must then use the file that holds the name. The
sandbox does exactly that (``sandbox/files.py``: a name is taken by any file without an
error); the competing files are made over real HTTP, by another ``Uploader`` or by raw
GraphQL the way another app would, never by faking answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shopsync.admin.client import ShopifyClient
from shopsync.admin.uploads import Upload, Uploader
from shopsync.content.images import LocalImage, inspect_image
from shopsync.sandbox import SandboxServer

from .client_support import FakeTime, make_client, sent
from .conftest import SandboxFactory
from .images import NOT_AN_IMAGE, StoreClock, png
from .sandbox.test_files import FILE_DELETE, FILES_BY_ID, created, data, search, uploaded

SRC = "articles/images/chart.png"
PROCESSING_S = 60.0


def local_image(root: Path, content: bytes) -> LocalImage:
    path = root / SRC
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return inspect_image(SRC, path)


def upload(
    client: ShopifyClient,
    image: LocalImage,
    fake: FakeTime,
    sleep: Callable[[float], None] | None = None,
) -> Upload:
    """One run of the image stage for ``image``, on the fake clock: the upload as it ended."""
    done = Upload(image)
    Uploader(client, sleep=sleep or fake.sleep, clock=fake.clock).run([done])
    assert done.announced
    return done


def files_named(sandbox: SandboxServer, filename: str) -> list[tuple[str, str, list[str]]]:
    """(id, status, error codes) of every file under ``filename``, oldest first."""
    nodes = search(sandbox, f'filename:"{filename}"')
    return [(n["id"], n["fileStatus"], [e["code"] for e in n["fileErrors"]]) for n in nodes]


def another_apps_file(sandbox: SandboxServer, filename: str, content: bytes) -> str:
    """A file created under ``filename`` through the Admin API, as another app would."""
    source = uploaded(sandbox, filename, content)
    return str(created(sandbox, originalSource=source, filename=filename)["id"])


def on_fake_time(sandbox: SandboxServer, fake: FakeTime) -> None:
    """The store's clock follows ``fake``: what the client sleeps, the store sees pass."""
    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    sandbox.store.clock = lambda: start + timedelta(seconds=fake.clock())


def read_by_id(sandbox: SandboxServer, ids: list[str]) -> list[tuple[str, str] | None]:
    """(id, status) of each file read directly (never behind), None when it is gone."""
    nodes = data(sandbox, FILES_BY_ID, {"ids": ids})["nodes"]
    return [(n["id"], n["fileStatus"]) if n else None for n in nodes]


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def test_the_file_another_run_made_first_is_used_instead_of_a_copy(
    tmp_path: Path, sandbox_factory: SandboxFactory, fake: FakeTime
) -> None:
    instant = sandbox_factory(file_processing_s=0)
    on_fake_time(instant, fake)  # search lags: it shows their file once ours has waited
    image = local_image(tmp_path, png(3, 2))
    with make_client(instant, fake) as other_run:
        theirs = upload(other_run, image, fake)
    assert theirs.url and not theirs.errors

    with make_client(instant, fake) as client:
        ours = upload(client, image, fake)  # planned before theirs was there

    assert ours.errors == []
    assert (ours.file_id, ours.url) == (theirs.file_id, theirs.url)
    # Ours was refused by name (DUPLICATE_FILENAME_ERROR), then deleted: one file is left.
    assert len(sent(instant, "SyncFileCreate")) == 2
    (deleted,) = sent(instant, "SyncFileDelete")
    (copy,) = (deleted.body or {})["variables"]["fileIds"]
    assert copy != theirs.file_id
    assert read_by_id(instant, [str(theirs.file_id), copy]) == [(theirs.file_id, "READY"), None]
    assert [f["id"] for f in instant.store.all("file")] == [theirs.file_id]


@pytest.mark.parametrize("left", ["nothing", "a-failed-file"])
def test_a_taken_name_whose_file_is_gone_or_failed_fails_the_upload(
    tmp_path: Path, sandbox_factory: SandboxFactory, fake: FakeTime, left: str
) -> None:
    slow = sandbox_factory(file_processing_s=PROCESSING_S)
    store_clock = slow.store.clock = StoreClock()
    image = local_image(tmp_path, png(2, 2))
    if left == "a-failed-file":  # an older attempt whose bytes Shopify could not use
        another_apps_file(slow, image.filename, NOT_AN_IMAGE)
    holder = another_apps_file(slow, image.filename, png(2, 2))  # still PROCESSING

    def meanwhile(seconds: float) -> None:
        """While shopsync waits for Shopify to process its file, the holder is deleted."""
        if not fake.sleeps:
            data(slow, FILE_DELETE, {"ids": [holder]})
            store_clock.advance(PROCESSING_S)
        fake.sleep(seconds)

    with make_client(slow, fake) as client:
        ours = upload(client, image, fake, meanwhile)

    if left == "nothing":  # as far as search can tell: it lags, so the upload waited for it
        assert ours.errors == [
            f"{image.filename} is taken in Files by a file the store's search does not show "
            "yet; run the push again later"
        ]
    else:
        assert ours.errors == [f"{image.filename} is taken in Files by a file shopsync cannot use"]
    assert ours.url is None
    statuses = [(status, codes) for _id, status, codes in files_named(slow, image.filename)]
    assert ("FAILED", ["DUPLICATE_FILENAME_ERROR"]) in statuses
    assert all(status == "FAILED" for status, _codes in statuses)
    assert len(sent(slow, "SyncFileCreate")) == 1  # nothing was sent again

"""Content > Files over real HTTP: staged uploads, ``fileCreate``, ``files``, ``fileDelete``.

The flow a real store has, step by step: ``stagedUploadsCreate`` hands out a signed target;
the client sends the bytes to the storage bucket (a multipart POST of the target's fields
then ``file``, or a PUT of the raw bytes to a signed URL), without its Admin token;
``fileCreate(originalSource: resourceUrl)`` answers a file that is ``UPLOADED``, reads show
it ``PROCESSING`` for ``file_processing_s`` seconds, then ``READY`` with a CDN URL and the
image's size, or ``FAILED`` with ``fileErrors``. Most tests use a store whose processing is
instant (``instant``); the ones about processing time use a short one and sleep past it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from shopsync.sandbox import SandboxServer

from ..conftest import SandboxFactory
from ..images import NOT_AN_IMAGE, StoreClock, gif, png, search_caught_up
from .gql import TIMEOUT, gql

STAGED_UPLOADS_CREATE = """
mutation SandboxStagedUploadsCreate($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}
"""

FILE_FIELDS = """
  id
  ... on MediaImage {
    fileStatus
    alt
    mimeType
    image { url width height altText }
    preview { status image { url } }
    fileErrors { code message }
    originalSource { url fileSize }
  }
"""

FILE_CREATE = f"""
mutation SandboxFileCreate($files: [FileCreateInput!]!) {{
  fileCreate(files: $files) {{
    files {{ {FILE_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

FILES_BY_ID = f"query SandboxFilesById($ids: [ID!]!) {{ nodes(ids: $ids) {{ {FILE_FIELDS} }} }}"

FILES_SEARCH = f"""
query SandboxFilesSearch($query: String) {{
  files(first: 50, query: $query) {{ nodes {{ {FILE_FIELDS} }} }}
}}
"""

FILE_DELETE = """
mutation SandboxFileDelete($ids: [ID!]!) {
  fileDelete(fileIds: $ids) { deletedFileIds userErrors { field message code } }
}
"""

#: How long files stay PROCESSING in the tests that watch it: long enough for the reads
#: right after ``fileCreate`` on a busy machine, short enough to sleep past.
PROCESSING_S = 0.5

CDN_URL = re.compile(r"^https://cdn\.shopify\.com/s/files/[\d/]+/files/(?P<name>[^?]+)\?v=\d+$")


# ------------------------------------------------------------------------------ images


# ------------------------------------------------------------------------------ helpers


@pytest.fixture
def instant(sandbox_factory: SandboxFactory) -> SandboxServer:
    """A sandbox whose files are READY (or FAILED) as soon as ``fileCreate`` has answered,
    on a ``StoreClock`` (search, which lags, shows them after ``search_caught_up``)."""
    sandbox = sandbox_factory(file_processing_s=0)
    sandbox.store.clock = StoreClock()
    return sandbox


def data(sandbox: SandboxServer, query: str, variables: dict[str, Any], **kw: Any) -> Any:
    body = gql(sandbox, query, variables, **kw)
    assert "errors" not in body, body["errors"]
    return body["data"]


def stage(
    sandbox: SandboxServer, filename: str, mime: str = "image/png", method: str = "POST"
) -> dict[str, Any]:
    """One staged target for ``filename``: {url, resourceUrl, parameters}."""
    item = {"filename": filename, "mimeType": mime, "resource": "IMAGE", "httpMethod": method}
    payload = data(sandbox, STAGED_UPLOADS_CREATE, {"input": [item]})["stagedUploadsCreate"]
    assert payload["userErrors"] == []
    (target,) = payload["stagedTargets"]
    return target  # type: ignore[no-any-return]


def form_of(target: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in target["parameters"]}


def post_upload(
    target: dict[str, Any],
    content: bytes,
    filename: str = "upload.png",
    mime: str = "image/png",
    **overrides: str,
) -> requests.Response:
    """The bucket's POST: every parameter as a form field, then the bytes as ``file``."""
    fields = {**form_of(target), **overrides}
    return requests.post(
        target["url"], data=fields, files={"file": (filename, content, mime)}, timeout=TIMEOUT
    )


def put_upload(target: dict[str, Any], content: bytes, content_type: str) -> requests.Response:
    """The bucket's PUT: raw bytes to the signed URL, with the staged Content-Type."""
    return requests.put(
        target["url"], data=content, headers={"Content-Type": content_type}, timeout=TIMEOUT
    )


def uploaded(sandbox: SandboxServer, filename: str, content: bytes) -> str:
    """Stage ``filename``, POST ``content`` to it, and answer the resourceUrl."""
    target = stage(sandbox, filename)
    response = post_upload(target, content, filename)
    assert response.status_code == 201, response.text
    return str(target["resourceUrl"])


def file_create(sandbox: SandboxServer, *files: dict[str, Any], **kw: Any) -> dict[str, Any]:
    payload: dict[str, Any] = data(sandbox, FILE_CREATE, {"files": list(files)}, **kw)["fileCreate"]
    return payload


def created(sandbox: SandboxServer, **item: Any) -> dict[str, Any]:
    """``fileCreate`` of one file, which must be accepted: the file as the payload shows it."""
    payload = file_create(sandbox, item)
    assert payload["userErrors"] == []
    (file,) = payload["files"]
    return file  # type: ignore[no-any-return]


def read(sandbox: SandboxServer, file_id: str) -> dict[str, Any]:
    (node,) = data(sandbox, FILES_BY_ID, {"ids": [file_id]})["nodes"]
    assert node is not None, f"{file_id} is gone"
    return node  # type: ignore[no-any-return]


def search(sandbox: SandboxServer, query: str | None) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = data(sandbox, FILES_SEARCH, {"query": query})["files"]["nodes"]
    return nodes


def ready_file(sandbox: SandboxServer, staged_name: str, content: bytes, **item: Any) -> str:
    """Upload ``staged_name`` and create a file of it (instant sandbox): the READY file's id."""
    source = uploaded(sandbox, staged_name, content)
    file_id = str(created(sandbox, originalSource=source, **item)["id"])
    node = read(sandbox, file_id)
    assert node["fileStatus"] == "READY", node
    return file_id


def cdn_name(node: dict[str, Any]) -> str:
    match = CDN_URL.match(node["image"]["url"])
    assert match is not None, node["image"]["url"]
    return match["name"]


# ------------------------------------------------------------------------------ staging


def test_a_post_target_is_a_signed_form_for_the_bucket(sandbox: SandboxServer) -> None:
    target = stage(sandbox, "cover.png")
    assert target["url"] == f"{sandbox.url}/sandbox/staged-uploads/"
    assert target["resourceUrl"].startswith(target["url"])
    assert target["resourceUrl"].endswith("/cover.png")
    fields = form_of(target)
    assert fields["Content-Type"] == "image/png"
    assert fields["success_action_status"] == "201"
    assert target["resourceUrl"] == target["url"] + fields["key"]
    assert {"x-goog-signature", "x-goog-date", "x-goog-credential", "policy"} <= set(fields)


def test_a_put_target_is_a_signed_url(sandbox: SandboxServer) -> None:
    target = stage(sandbox, "cover.png", method="PUT")
    assert target["url"].startswith(target["resourceUrl"] + "?X-Goog-Signature=")
    assert form_of(target)["content_type"] == "image/png"


def test_each_staged_target_is_a_new_key(sandbox: SandboxServer) -> None:
    first, second = stage(sandbox, "same.png"), stage(sandbox, "same.png")
    assert first["resourceUrl"] != second["resourceUrl"]
    assert form_of(first)["x-goog-signature"] != form_of(second)["x-goog-signature"]


def test_staging_a_blank_filename_or_mime_type_is_a_user_error(sandbox: SandboxServer) -> None:
    items = [
        {"filename": " ", "mimeType": "image/png", "resource": "IMAGE"},
        {"filename": "ok.png", "mimeType": "", "resource": "IMAGE"},
    ]
    payload = data(sandbox, STAGED_UPLOADS_CREATE, {"input": items})["stagedUploadsCreate"]
    assert payload["stagedTargets"] == []
    assert payload["userErrors"] == [
        {"field": ["input", "0", "filename"], "message": "Filename can't be blank"},
        {"field": ["input", "1", "mimeType"], "message": "Mime type can't be blank"},
    ]
    assert sandbox.store.staged_uploads == {}


# ------------------------------------------------------------------------------ the flow


def test_post_upload_then_file_create_ends_ready_with_the_pngs_size(
    instant: SandboxServer,
) -> None:
    image = png(3, 2)
    target = stage(instant, "hero.png")
    upload = post_upload(target, image, "hero.png")
    assert upload.status_code == 201
    assert upload.headers["Content-Type"].startswith("application/xml")
    assert "<PostResponse>" in upload.text
    assert f"<Key>{form_of(target)['key']}</Key>" in upload.text

    just_created = created(
        instant, originalSource=target["resourceUrl"], contentType="IMAGE", alt="A hero"
    )
    assert just_created["id"].startswith("gid://shopify/MediaImage/")
    assert just_created["fileStatus"] == "UPLOADED"
    assert just_created["image"] is None

    node = read(instant, just_created["id"])
    assert node["fileStatus"] == "READY"
    assert node["fileErrors"] == []
    assert node["alt"] == "A hero"
    assert node["mimeType"] == "image/png"
    assert node["originalSource"] == {"url": target["resourceUrl"], "fileSize": len(image)}
    assert node["image"]["width"] == 3
    assert node["image"]["height"] == 2
    assert node["image"]["altText"] == "A hero"
    assert cdn_name(node) == "hero.png"


def test_put_upload_then_file_create_ends_ready(instant: SandboxServer) -> None:
    target = stage(instant, "banner.png", method="PUT")
    upload = put_upload(target, png(7, 5), "image/png")
    assert upload.status_code == 200, upload.text
    node = read(instant, created(instant, originalSource=target["resourceUrl"])["id"])
    assert node["fileStatus"] == "READY"
    assert (node["image"]["width"], node["image"]["height"]) == (7, 5)
    assert cdn_name(node) == "banner.png"


def test_a_gifs_size_is_read_too(instant: SandboxServer) -> None:
    target = stage(instant, "spinner.gif", mime="image/gif")
    assert post_upload(target, gif(300, 120), "spinner.gif", "image/gif").status_code == 201
    node = read(instant, created(instant, originalSource=target["resourceUrl"])["id"])
    assert node["mimeType"] == "image/gif"
    assert (node["image"]["width"], node["image"]["height"]) == (300, 120)


def test_the_filename_defaults_to_the_staged_one(instant: SandboxServer) -> None:
    file_id = ready_file(instant, "from-the-stage.png", png(1, 1))
    assert cdn_name(read(instant, file_id)) == "from-the-stage.png"


def test_a_given_filename_names_the_file(instant: SandboxServer) -> None:
    file_id = ready_file(instant, "tmp-name.png", png(1, 1), filename="final-name.png")
    assert cdn_name(read(instant, file_id)) == "final-name.png"
    search_caught_up(instant)
    assert [n["id"] for n in search(instant, "filename:final-name.png")] == [file_id]
    assert search(instant, "filename:tmp-name.png") == []


def test_a_file_is_processing_until_file_processing_s_has_passed(
    sandbox_factory: SandboxFactory,
) -> None:
    # Search catches up (0.1 s) while the file is still processing (PROCESSING_S).
    sandbox = sandbox_factory(file_processing_s=PROCESSING_S, search_lag_ms=100)
    clock = sandbox.store.clock = StoreClock()
    source = uploaded(sandbox, "slow.png", png(2, 2))
    file_id = created(sandbox, originalSource=source)["id"]

    processing = read(sandbox, file_id)
    assert processing["fileStatus"] == "PROCESSING"
    assert processing["image"] is None
    assert processing["fileErrors"] == []
    assert processing["preview"] == {"status": "PROCESSING", "image": None}
    search_caught_up(sandbox)
    (listed,) = search(sandbox, "filename:slow.png")
    assert listed["fileStatus"] == "PROCESSING"

    clock.advance(PROCESSING_S - 0.1)
    ready = read(sandbox, file_id)
    assert ready["fileStatus"] == "READY"
    assert ready["image"]["width"] == 2
    assert ready["preview"]["status"] == "READY"
    assert ready["preview"]["image"]["url"] == ready["image"]["url"]


def test_a_failing_file_shows_processing_before_failed(
    sandbox_factory: SandboxFactory,
) -> None:
    sandbox = sandbox_factory(file_processing_s=PROCESSING_S)
    clock = sandbox.store.clock = StoreClock()
    file_id = created(sandbox, originalSource=uploaded(sandbox, "bad.png", NOT_AN_IMAGE))["id"]
    processing = read(sandbox, file_id)
    assert (processing["fileStatus"], processing["fileErrors"]) == ("PROCESSING", [])
    clock.advance(PROCESSING_S)
    assert read(sandbox, file_id)["fileStatus"] == "FAILED"


def test_several_files_in_one_call_are_all_created(instant: SandboxServer) -> None:
    sources = [uploaded(instant, f"batch-{n}.png", png(n, n)) for n in (1, 2)]
    payload = file_create(instant, *({"originalSource": s} for s in sources))
    assert payload["userErrors"] == []
    nodes = [read(instant, f["id"]) for f in payload["files"]]
    assert [n["image"]["width"] for n in nodes] == [1, 2]
    assert [cdn_name(n) for n in nodes] == ["batch-1.png", "batch-2.png"]


# ------------------------------------------------------------------------------ the bucket


def test_a_forged_signature_is_403_and_nothing_is_stored(instant: SandboxServer) -> None:
    target = stage(instant, "forged.png")
    forged = post_upload(target, png(1, 1), "forged.png", **{"x-goog-signature": "0" * 64})
    assert forged.status_code == 403
    assert "<Code>AccessDenied</Code>" in forged.text
    (staged,) = instant.store.staged_uploads.values()
    assert staged.data is None

    file_id = created(instant, originalSource=target["resourceUrl"])["id"]
    node = read(instant, file_id)
    assert node["fileStatus"] == "FAILED"
    assert node["image"] is None
    assert [e["code"] for e in node["fileErrors"]] == ["IMAGE_DOWNLOAD_FAILURE"]
    assert node["fileErrors"][0]["message"]


def test_a_missing_signature_is_403(instant: SandboxServer) -> None:
    target = stage(instant, "unsigned.png")
    fields = {k: v for k, v in form_of(target).items() if k != "x-goog-signature"}
    response = requests.post(
        target["url"],
        data=fields,
        files={"file": ("unsigned.png", png(1, 1), "image/png")},
        timeout=TIMEOUT,
    )
    assert response.status_code == 403
    put_target = stage(instant, "unsigned.png", method="PUT")
    put_target["url"] = put_target["resourceUrl"]  # the signed URL without its signature
    assert put_upload(put_target, png(1, 1), "image/png").status_code == 403
    assert all(u.data is None for u in instant.store.staged_uploads.values())


def test_a_put_with_a_forged_signature_is_403(instant: SandboxServer) -> None:
    target = stage(instant, "forged.png", method="PUT")
    signed = target["url"]
    target["url"] = signed[: signed.index("=") + 1] + "f" * 64
    assert put_upload(target, png(1, 1), "image/png").status_code == 403
    node = read(instant, created(instant, originalSource=target["resourceUrl"])["id"])
    assert [e["code"] for e in node["fileErrors"]] == ["IMAGE_DOWNLOAD_FAILURE"]


def test_a_signature_is_bound_to_its_key(instant: SandboxServer) -> None:
    first, second = stage(instant, "first.png"), stage(instant, "second.png")
    swapped = post_upload(
        first, png(1, 1), "first.png", **{"x-goog-signature": form_of(second)["x-goog-signature"]}
    )
    assert swapped.status_code == 403


def test_another_sandboxs_signed_form_is_403(sandbox_factory: SandboxFactory) -> None:
    mine, theirs = sandbox_factory(), sandbox_factory()
    their_target = stage(theirs, "theirs.png")
    # Their key and signature, sent to my bucket: my store never signed that key.
    response = requests.post(
        f"{mine.url}/sandbox/staged-uploads/",
        data=form_of(their_target),
        files={"file": ("theirs.png", png(1, 1), "image/png")},
        timeout=TIMEOUT,
    )
    assert response.status_code == 403


def test_a_content_type_other_than_the_staged_one_is_400(instant: SandboxServer) -> None:
    target = stage(instant, "typed.png")
    posted = post_upload(target, png(1, 1), "typed.png", **{"Content-Type": "image/jpeg"})
    assert posted.status_code == 400
    assert "<Code>InvalidArgument</Code>" in posted.text

    put_target = stage(instant, "typed.png", method="PUT")
    assert put_upload(put_target, png(1, 1), "image/jpeg").status_code == 400
    assert all(u.data is None for u in instant.store.staged_uploads.values())
    # The same PUT with the staged type goes through.
    assert put_upload(put_target, png(1, 1), "image/png").status_code == 200


def test_an_empty_upload_is_400(instant: SandboxServer) -> None:
    target = stage(instant, "empty.png")
    assert post_upload(target, b"", "empty.png").status_code == 400
    (staged,) = instant.store.staged_uploads.values()
    assert staged.data is None


def test_the_bucket_only_takes_post_and_put(instant: SandboxServer) -> None:
    target = stage(instant, "get.png")
    response = requests.get(target["resourceUrl"], timeout=TIMEOUT)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"POST", "PUT"}


def test_the_upload_is_recorded_and_needs_no_admin_token(instant: SandboxServer) -> None:
    target = stage(instant, "recorded.png")
    before = len(instant.requests)
    response = post_upload(target, png(1, 1), "recorded.png")
    assert response.status_code == 201
    (entry,) = instant.requests[before:]
    assert entry.method == "POST"
    assert entry.path == "/sandbox/staged-uploads/"
    assert entry.status == 201
    assert entry.operation_name is None
    assert "x-shopify-access-token" not in {h.lower() for h in entry.headers}
    assert entry.headers["Content-Type"].startswith("multipart/form-data")


# ------------------------------------------------------------------------------ processing


def test_bytes_that_are_not_an_image_end_failed_unsupported(instant: SandboxServer) -> None:
    source = uploaded(instant, "document.png", NOT_AN_IMAGE)
    node = read(instant, created(instant, originalSource=source)["id"])
    assert node["fileStatus"] == "FAILED"
    assert node["image"] is None
    assert [e["code"] for e in node["fileErrors"]] == ["UNSUPPORTED_IMAGE_FILE_TYPE"]


def test_raise_error_on_a_taken_filename_ends_failed(instant: SandboxServer) -> None:
    first = ready_file(instant, "logo.png", png(1, 1))
    source = uploaded(instant, "logo.png", png(2, 2))
    second = created(instant, originalSource=source, duplicateResolutionMode="RAISE_ERROR")
    assert second["fileStatus"] == "UPLOADED"
    node = read(instant, second["id"])
    assert node["fileStatus"] == "FAILED"
    assert [e["code"] for e in node["fileErrors"]] == ["DUPLICATE_FILENAME_ERROR"]
    # The file that held the name is untouched.
    kept = read(instant, first)
    assert (kept["fileStatus"], kept["image"]["width"]) == ("READY", 1)


def test_raise_error_on_a_free_filename_is_ready(instant: SandboxServer) -> None:
    source = uploaded(instant, "unique.png", png(1, 1))
    file_id = created(instant, originalSource=source, duplicateResolutionMode="RAISE_ERROR")["id"]
    assert read(instant, file_id)["fileStatus"] == "READY"


def test_append_uuid_gives_a_taken_filename_a_new_name(instant: SandboxServer) -> None:
    first = ready_file(instant, "photo.png", png(1, 1))
    second = ready_file(
        instant, "photo.png", png(4, 4), filename="photo.png", duplicateResolutionMode="APPEND_UUID"
    )
    assert second != first
    renamed = cdn_name(read(instant, second))
    assert re.fullmatch(r"photo_[0-9a-f-]{36}\.png", renamed), renamed
    assert cdn_name(read(instant, first)) == "photo.png"
    # Without a mode, APPEND_UUID is what Shopify does.
    third = ready_file(instant, "photo.png", png(1, 1))
    assert cdn_name(read(instant, third)) not in ("photo.png", renamed)


def test_replace_keeps_the_id_and_takes_the_new_bytes(instant: SandboxServer) -> None:
    original = ready_file(instant, "chart.png", png(1, 1), alt="old")
    source = uploaded(instant, "chart.png", png(9, 4))
    replaced = created(
        instant,
        originalSource=source,
        filename="chart.png",
        alt="new",
        duplicateResolutionMode="REPLACE",
    )
    assert replaced["id"] == original
    node = read(instant, original)
    assert node["fileStatus"] == "READY"
    assert (node["image"]["width"], node["image"]["height"]) == (9, 4)
    assert node["alt"] == "new"
    assert cdn_name(node) == "chart.png"
    search_caught_up(instant)
    assert [n["id"] for n in search(instant, "filename:chart.png")] == [original]
    assert len(instant.store.all("file")) == 1


def test_replace_without_a_file_of_that_name_creates_one(instant: SandboxServer) -> None:
    source = uploaded(instant, "fresh.png", png(1, 1))
    file_id = created(
        instant, originalSource=source, filename="fresh.png", duplicateResolutionMode="REPLACE"
    )["id"]
    assert read(instant, file_id)["fileStatus"] == "READY"
    search_caught_up(instant)
    assert [n["id"] for n in search(instant, "filename:fresh.png")] == [file_id]


# ------------------------------------------------------------------------------ userErrors


def error_codes(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def test_a_filename_whose_extension_differs_from_the_source_is_refused(
    instant: SandboxServer,
) -> None:
    source = uploaded(instant, "real.png", png(1, 1))
    payload = file_create(instant, {"originalSource": source, "filename": "renamed.jpg"})
    assert payload["files"] is None
    assert error_codes(payload) == [
        (["files", "0", "filename"], "MISMATCHED_FILENAME_AND_ORIGINAL_SOURCE")
    ]
    assert instant.store.all("file") == []


def test_replace_without_a_filename_is_refused(instant: SandboxServer) -> None:
    source = uploaded(instant, "real.png", png(1, 1))
    payload = file_create(instant, {"originalSource": source, "duplicateResolutionMode": "REPLACE"})
    assert payload["files"] is None
    assert error_codes(payload) == [
        (["files", "0", "duplicateResolutionMode"], "MISSING_FILENAME_FOR_DUPLICATE_MODE_REPLACE")
    ]
    assert instant.store.all("file") == []


def test_alt_is_limited_to_512_characters(instant: SandboxServer) -> None:
    source = uploaded(instant, "alt.png", png(1, 1))
    too_long = file_create(instant, {"originalSource": source, "alt": "a" * 513})
    assert too_long["files"] is None
    assert error_codes(too_long) == [(["files", "0", "alt"], "ALT_VALUE_LIMIT_EXCEEDED")]
    assert instant.store.all("file") == []
    at_limit = created(instant, originalSource=source, alt="a" * 512)
    assert read(instant, at_limit["id"])["alt"] == "a" * 512


@pytest.mark.parametrize(
    "source", ["ftp://example.com/a.png", "file:///etc/passwd", "a.png", "javascript:alert(1)"]
)
def test_a_source_that_is_not_http_is_refused(instant: SandboxServer, source: str) -> None:
    payload = file_create(instant, {"originalSource": source})
    assert payload["files"] is None
    assert error_codes(payload) == [(["files", "0", "originalSource"], "INVALID_IMAGE_SOURCE_URL")]
    assert instant.store.all("file") == []


def test_a_content_type_other_than_image_is_refused(instant: SandboxServer) -> None:
    source = uploaded(instant, "file.png", png(1, 1))
    payload = file_create(instant, {"originalSource": source, "contentType": "FILE"})
    assert error_codes(payload) == [(["files", "0", "contentType"], "UNACCEPTABLE_ASSET")]
    assert instant.store.all("file") == []


def test_one_bad_input_means_no_file_is_created(instant: SandboxServer) -> None:
    good = uploaded(instant, "good.png", png(1, 1))
    other = uploaded(instant, "other.png", png(1, 1))
    payload = file_create(
        instant,
        {"originalSource": good},
        {"originalSource": other, "filename": "other.gif"},
        {"originalSource": good, "alt": "x" * 600},
    )
    assert payload["files"] is None
    assert error_codes(payload) == [
        (["files", "1", "filename"], "MISMATCHED_FILENAME_AND_ORIGINAL_SOURCE"),
        (["files", "2", "alt"], "ALT_VALUE_LIMIT_EXCEEDED"),
    ]
    assert instant.store.all("file") == []
    assert search(instant, None) == []


# ------------------------------------------------------------------------------ reading


def test_files_query_by_filename_finds_exactly_that_file(instant: SandboxServer) -> None:
    wanted = ready_file(instant, "wanted.png", png(1, 1))
    ready_file(instant, "wanted.png", png(1, 1))  # renamed wanted_<uuid>.png
    ready_file(instant, "unwanted.png", png(1, 1))
    ready_file(instant, "wanted.gif", gif(1, 1))
    search_caught_up(instant)

    found = search(instant, "filename:wanted.png")
    assert [n["id"] for n in found] == [wanted]
    assert cdn_name(found[0]) == "wanted.png"
    assert search(instant, "filename:missing.png") == []
    assert len(search(instant, None)) == 4


def test_files_query_ors_filenames(instant: SandboxServer) -> None:
    a = ready_file(instant, "a.png", png(1, 1))
    ready_file(instant, "b.png", png(1, 1))
    c = ready_file(instant, "c.png", png(1, 1))
    search_caught_up(instant)
    found = search(instant, "filename:a.png OR filename:c.png")
    assert [n["id"] for n in found] == [a, c]


def test_file_delete_removes_the_file(instant: SandboxServer) -> None:
    keep = ready_file(instant, "keep.png", png(1, 1))
    gone = ready_file(instant, "gone.png", png(1, 1))
    search_caught_up(instant)
    payload = data(instant, FILE_DELETE, {"ids": [gone]})["fileDelete"]
    assert payload == {"deletedFileIds": [gone], "userErrors": []}
    assert data(instant, FILES_BY_ID, {"ids": [gone]})["nodes"] == [None]
    search_caught_up(instant)
    assert search(instant, "filename:gone.png") == []
    assert [n["id"] for n in search(instant, None)] == [keep]


def test_deleting_an_unknown_file_is_file_does_not_exist(instant: SandboxServer) -> None:
    keep = ready_file(instant, "keep.png", png(1, 1))
    unknown = "gid://shopify/MediaImage/999999"
    payload = data(instant, FILE_DELETE, {"ids": [keep, unknown]})["fileDelete"]
    assert payload["deletedFileIds"] is None
    (error,) = payload["userErrors"]
    assert error["code"] == "FILE_DOES_NOT_EXIST"
    assert error["field"] == ["fileIds"]
    assert unknown in error["message"]
    # Nothing was deleted, not even the id that exists.
    assert read(instant, keep)["fileStatus"] == "READY"


# ------------------------------------------------------------------------------ scopes


def assert_denied(body: dict[str, Any], field: str, scope: str) -> None:
    assert body["data"] == {field: None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert error["message"] == (
        f"Access denied for {field} field. Required access: `{scope}` access scope."
    )


def test_a_read_content_token_may_not_touch_files(instant: SandboxServer) -> None:
    existing = ready_file(instant, "secret.png", png(1, 1))
    source = uploaded(instant, "more.png", png(1, 1))
    reader = instant.issue_token(scopes=["read_content"])

    item = {"filename": "x.png", "mimeType": "image/png", "resource": "IMAGE"}
    staged = gql(instant, STAGED_UPLOADS_CREATE, {"input": [item]}, token=reader)
    assert_denied(staged, "stagedUploadsCreate", "write_files")
    create = gql(instant, FILE_CREATE, {"files": [{"originalSource": source}]}, token=reader)
    assert_denied(create, "fileCreate", "write_files")
    listed = gql(instant, FILES_SEARCH, {"query": None}, token=reader)
    assert_denied(listed, "files", "read_files")
    by_id = gql(instant, FILES_BY_ID, {"ids": [existing]}, token=reader)
    assert_denied(by_id, "nodes", "read_files")
    delete = gql(instant, FILE_DELETE, {"ids": [existing]}, token=reader)
    assert_denied(delete, "fileDelete", "write_files")

    assert len(instant.store.staged_uploads) == 2  # only the two staged with the full token
    assert [r["id"] for r in instant.store.all("file")] == [existing]


def test_read_files_reads_but_does_not_write(instant: SandboxServer) -> None:
    existing = ready_file(instant, "shared.png", png(1, 1))
    reader = instant.issue_token(scopes=["read_files"])
    listed = data(instant, FILES_SEARCH, {"query": None}, token=reader)["files"]["nodes"]
    assert [n["id"] for n in listed] == [existing]
    source = uploaded(instant, "other.png", png(1, 1))
    create = gql(instant, FILE_CREATE, {"files": [{"originalSource": source}]}, token=reader)
    assert_denied(create, "fileCreate", "write_files")


def test_write_products_may_stage_but_not_create_files(instant: SandboxServer) -> None:
    token = instant.issue_token(scopes=["write_products"])
    item = {"filename": "p.png", "mimeType": "image/png", "resource": "IMAGE"}
    staged = data(instant, STAGED_UPLOADS_CREATE, {"input": [item]}, token=token)
    assert len(staged["stagedUploadsCreate"]["stagedTargets"]) == 1
    source = staged["stagedUploadsCreate"]["stagedTargets"][0]["resourceUrl"]
    create = gql(instant, FILE_CREATE, {"files": [{"originalSource": source}]}, token=token)
    assert_denied(create, "fileCreate", "write_files")


# ------------------------------------------------------------------------------ odd names


def test_a_filename_with_a_hash_survives_the_signed_url(instant: SandboxServer) -> None:
    target = stage(instant, "issue#12.png", method="PUT")
    assert put_upload(target, png(1, 1), "image/png").status_code == 200
    node = read(instant, created(instant, originalSource=target["resourceUrl"])["id"])
    assert node["fileStatus"] == "READY"
    assert node["image"]["url"].split("?")[0].endswith("/files/issue%2312.png")
    assert node["image"]["url"].split("?")[0].endswith("/files/issue%2312.png")

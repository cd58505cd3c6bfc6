"""Parity for Content > Files: the two live media captures, replayed by hand.

These captures record variables and responses but not the query text, so ``test_parity``'s
generic replay cannot send them; here each query is the one the response's shape implies.
Signed URLs, ids and dates differ by nature; the shapes, statuses and form fields may not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shopsync.sandbox import SandboxServer

from ..conftest import SandboxFactory
from ..shared import shared_dir
from .gql import gql

pytestmark = pytest.mark.shared

STAGED_UPLOADS = """
mutation Staged($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}
"""
FILE_FIELDS = "id alt createdAt fileStatus ... on MediaImage { image { url width height } } " + (
    "preview { image { url } }"
)
FILE_CREATE = (
    "mutation Create($files: [FileCreateInput!]!) { fileCreate(files: $files) { files { "
    + FILE_FIELDS
    + " } userErrors { field message code } } }"
)
READ = "query Read($ids: [ID!]!) { nodes(ids: $ids) { ... on File { " + FILE_FIELDS + " } } }"
DELETE = (
    "mutation Delete($fileIds: [ID!]!) { fileDelete(fileIds: $fileIds) { deletedFileIds "
    "userErrors { field message code } } }"
)


def capture(name: str) -> dict[str, Any]:
    path = shared_dir() / "shopify" / "captures" / name
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def test_image_and_file_targets_carry_the_live_form_fields(sandbox: SandboxServer) -> None:
    recorded = capture("2026-04_media_staged-upload-targets-parity.json")["stagedUploadsCreate"]
    # IMAGE and FILE go to the staged-uploads bucket as a POST form; VIDEO and MODEL_3D use
    # other buckets and signing schemes, which shopsync never asks for.
    inputs = [i for i in recorded["variables"]["input"] if i["resource"] in ("IMAGE", "FILE")]
    live = recorded["response"]["data"]["stagedUploadsCreate"]["stagedTargets"][: len(inputs)]
    answer = gql(sandbox, STAGED_UPLOADS, {"input": inputs})
    ours = answer["data"]["stagedUploadsCreate"]
    assert ours["userErrors"] == []
    for given, want, got in zip(inputs, live, ours["stagedTargets"], strict=True):
        assert [p["name"] for p in got["parameters"]] == [p["name"] for p in want["parameters"]]
        params = {p["name"]: p["value"] for p in got["parameters"]}
        wanted = {p["name"]: p["value"] for p in want["parameters"]}
        for fixed in ("Content-Type", "success_action_status", "acl"):
            assert params[fixed] == wanted[fixed]
        # resourceUrl = bucket + key; the key's folder says what the upload is for.
        assert got["url"].endswith("/") and want["url"].endswith("/")
        assert got["resourceUrl"] == got["url"] + params["key"]
        assert want["resourceUrl"] == want["url"] + wanted["key"]
        assert params["key"].split("/")[2] == wanted["key"].split("/")[2]  # products / files
        assert params["key"].endswith("/" + given["filename"])


def test_file_create_then_read_then_delete_answer_like_the_live_store(
    sandbox_factory: SandboxFactory,
) -> None:
    sandbox = sandbox_factory(file_processing_s=30)  # still processing when read, as live
    recorded = capture("2026-04_media_media-file-create-then-image-read.json")

    created = gql(sandbox, FILE_CREATE, recorded["create"]["variables"])
    want_create = recorded["create"]["response"]["data"]["fileCreate"]
    got_create = created["data"]["fileCreate"]
    assert normalised(got_create) == normalised(want_create)
    file_id = got_create["files"][0]["id"]

    read = gql(sandbox, READ, {"ids": [file_id]})["data"]["nodes"][0]
    live_read = recorded["readAfterCreate"]["response"]["data"]["files"]["nodes"][0]
    assert normalised(read) == normalised(live_read)

    deleted = gql(sandbox, DELETE, {"fileIds": [file_id]})["data"]["fileDelete"]
    live_delete = recorded["cleanup"]["response"]["data"]["fileDelete"]
    assert deleted["userErrors"] == live_delete["userErrors"] == []
    assert deleted["deletedFileIds"] == [file_id]
    assert gql(sandbox, READ, {"ids": [file_id]})["data"]["nodes"] == [None]


def normalised(value: Any) -> Any:
    """Ids and dates differ by nature; everything else must match."""
    if isinstance(value, dict):
        return {
            k: ("<differs>" if k in ("id", "createdAt") else normalised(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value

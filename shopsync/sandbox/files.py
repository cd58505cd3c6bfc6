"""Content > Files: staged uploads, ``fileCreate``, ``files``, ``fileDelete`` (images only).

How a real store does it, and so the sandbox: ``stagedUploadsCreate`` hands out a signed form
for Shopify's storage bucket; the app POSTs the bytes there (not to the Admin API, and without
its token); ``fileCreate(originalSource: resourceUrl)`` then makes a file that is ``UPLOADED``,
``PROCESSING`` for a while, and finally ``READY`` with a CDN URL (or ``FAILED`` with
``fileErrors``). The sandbox's "bucket" is a route of its own server (``server.py`` serves
``/sandbox/staged-uploads``); uploads live in memory, files in the store like other records.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from shopsync.content.images import MAX_IMAGE_BYTES, sniff
from shopsync.sandbox.resolving import (
    Info,
    listing,
    resolver_table,
    store_of,
    user_error,
)
from shopsync.sandbox.store import CDN_ROOT, Record, Store, number_of

#: This module's resolvers by ``(type, field)``, for the engine; ``@resolver`` fills it.
RESOLVERS, resolver = resolver_table()

UPLOAD_PATH = "/sandbox/staged-uploads"
MAX_ALT = 512
CDN = CDN_ROOT + "files"


@dataclass
class StagedUpload:
    """A signed target, and the bytes once the client has POSTed them."""

    key: str
    filename: str
    mime_type: str
    signature: str
    data: bytes | None = None


def sign(store: Store, key: str) -> str:
    # A secret per store: a signature from another sandbox (or a forged one) does not verify.
    return hmac.new(store.upload_secret, key.encode(), hashlib.sha256).hexdigest()


def receive_upload(store: Store, fields: Mapping[str, str], data: bytes) -> tuple[int, str]:
    """The bucket's side of a staged upload: (HTTP status, XML body), as Google Cloud answers."""
    key = fields.get("key", "")
    with store.lock:
        target = store.staged_uploads.get(key)
    if target is None or not hmac.compare_digest(
        fields.get("x-goog-signature", ""), target.signature
    ):
        return 403, xml_error("AccessDenied", "Invalid signature or expired upload target.")
    if fields.get("Content-Type", target.mime_type) != target.mime_type:
        return 400, xml_error("InvalidArgument", "Content-Type does not match the policy.")
    if not data or len(data) > MAX_IMAGE_BYTES:
        return 400, xml_error("EntityTooLarge", "Your proposed upload is outside the policy.")
    with store.lock:
        target.data = data
    etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return 201, (
        "<?xml version='1.0' encoding='UTF-8'?><PostResponse>"
        f"<Location>{key}</Location><Bucket>shopify-staged-uploads</Bucket>"
        f'<Key>{key}</Key><ETag>"{etag}"</ETag></PostResponse>'
    )


def xml_error(code: str, message: str) -> str:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )


# ----------------------------------------------------------------------------- staged uploads


@resolver("Mutation", "stagedUploadsCreate")
def m_staged_uploads_create(_: Any, info: Info, input: list[Mapping[str, Any]]) -> Any:
    store = store_of(info)
    base = str(info.context.get("base_url") or "http://127.0.0.1")
    errors = []
    for index, item in enumerate(input):
        if not str(item.get("filename") or "").strip():
            errors.append(
                user_error(["input", str(index), "filename"], "Filename can't be blank", None)
            )
        if not str(item.get("mimeType") or "").strip():
            errors.append(
                user_error(["input", str(index), "mimeType"], "Mime type can't be blank", None)
            )
    if errors:
        return {"stagedTargets": [], "userErrors": errors}
    targets = []
    for item in input:
        folder = "products" if item["resource"] in ("IMAGE", "PRODUCT_IMAGE") else "files"
        key = f"tmp/1/{folder}/{uuid.uuid4()}/{item['filename']}"
        target = StagedUpload(key, item["filename"], item["mimeType"], sign(store, key))
        with store.lock:
            store.staged_uploads[key] = target
        targets.append(_target(store, base, target, item.get("httpMethod") or "PUT"))
    return {"stagedTargets": targets, "userErrors": []}


def _target(store: Store, base: str, target: StagedUpload, method: str) -> dict[str, Any]:
    bucket = base + UPLOAD_PATH
    resource_url = f"{bucket}/{quote(target.key)}"
    if method == "PUT":
        url = f"{resource_url}?X-Goog-Signature={target.signature}"
        return {
            "url": url,
            "resourceUrl": resource_url,
            "parameters": [
                {"name": "content_type", "value": target.mime_type},
                {"name": "acl", "value": "private"},
            ],
        }
    date = store.clock().strftime("%Y%m%dT%H%M%SZ")
    policy = base64.b64encode(
        json.dumps(
            {
                "conditions": [
                    {"Content-Type": target.mime_type},
                    {"success_action_status": "201"},
                    {"acl": "private"},
                    ["content-length-range", 1, MAX_IMAGE_BYTES],
                    {"key": target.key},
                ],
                "expiration": (store.clock() + timedelta(days=1)).isoformat(),
            }
        ).encode()
    ).decode()
    parameters = {
        "Content-Type": target.mime_type,
        "success_action_status": "201",
        "acl": "private",
        "key": target.key,
        "x-goog-date": date,
        "x-goog-credential": f"sandbox@shopsync/{date[:8]}/auto/storage/goog4_request",
        "x-goog-algorithm": "GOOG4-HMAC-SHA256",
        "x-goog-signature": target.signature,
        "policy": policy,
    }
    return {
        "url": bucket + "/",
        "resourceUrl": resource_url,
        "parameters": [{"name": k, "value": v} for k, v in parameters.items()],
    }


# ----------------------------------------------------------------------------- files


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _source_name(source: str) -> str:
    return PurePosixPath(unquote(urlsplit(source).path)).name


@resolver("Mutation", "fileCreate")
def m_file_create(_: Any, info: Info, files: list[Mapping[str, Any]]) -> Any:
    store = store_of(info)
    errors = _file_create_errors(store, files)
    if errors:
        return {"files": None, "userErrors": errors}
    created = [_create_file(store, item, info) for item in files]
    # The payload shows each file as just received; reads later see it processed.
    return {"files": [{**r, "_justCreated": True} for r in created], "userErrors": []}


def _file_create_errors(store: Store, files: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    errors = []
    for index, item in enumerate(files):
        path = ["files", str(index)]
        source = str(item["originalSource"])
        if urlsplit(source).scheme not in ("http", "https"):
            errors.append(
                user_error(
                    [*path, "originalSource"],
                    "Invalid image source url value provided.",
                    "INVALID_IMAGE_SOURCE_URL",
                )
            )
            continue
        if item.get("contentType") not in (None, "IMAGE"):
            errors.append(
                user_error(
                    [*path, "contentType"],
                    "The sandbox store keeps images only.",
                    "UNACCEPTABLE_ASSET",
                )
            )
        filename = item.get("filename")
        if filename is not None and _suffix(filename) != _suffix(_source_name(source)):
            errors.append(
                user_error(
                    [*path, "filename"],
                    "Cannot create file with custom filename which does not match original "
                    "source extension.",
                    "MISMATCHED_FILENAME_AND_ORIGINAL_SOURCE",
                )
            )
        if item.get("duplicateResolutionMode") == "REPLACE" and not filename:
            errors.append(
                user_error(
                    [*path, "duplicateResolutionMode"],
                    "Duplicate resolution mode REPLACE cannot be used without specifying filename.",
                    "MISSING_FILENAME_FOR_DUPLICATE_MODE_REPLACE",
                )
            )
        if len(item.get("alt") or "") > MAX_ALT:
            errors.append(
                user_error(
                    [*path, "alt"],
                    "The alt value exceeds the maximum limit of 512 characters.",
                    "ALT_VALUE_LIMIT_EXCEEDED",
                )
            )
    return errors


def _create_file(store: Store, item: Mapping[str, Any], info: Info) -> Record:
    source = str(item["originalSource"])
    filename = str(item.get("filename") or _source_name(source) or "image")
    mode = item.get("duplicateResolutionMode") or "APPEND_UUID"
    base = str(info.context.get("base_url") or "")
    data: bytes | None = None
    error: dict[str, str] | None = None
    if base and source.startswith(base + UPLOAD_PATH + "/"):
        with store.lock:
            key = unquote(urlsplit(source).path[len(UPLOAD_PATH + "/") :])
            target = store.staged_uploads.get(key)
        data = target.data if target is not None else None
        if data is None:
            error = _error("IMAGE_DOWNLOAD_FAILURE", "the staged upload holds no file")
    mime = sniff(data) if data is not None else None
    if data is not None and mime is None:
        error = _error("UNSUPPORTED_IMAGE_FILE_TYPE", "the image is an unsupported file type")
    existing = _by_filename(store, filename)
    if existing is not None and error is None:
        if mode == "RAISE_ERROR":
            error = _error("DUPLICATE_FILENAME_ERROR", "a file with the same name already exists")
        elif mode == "APPEND_UUID":
            path = PurePosixPath(filename)
            filename = f"{path.stem}_{uuid.uuid4()}{path.suffix}"
    now = store.now()
    ready = store.clock() + timedelta(seconds=store.file_processing_s)
    width, height = _size(data) if data is not None else (None, None)
    version = int(store.clock().timestamp())
    record: Record = {
        "alt": item.get("alt") or "",
        "filename": filename,
        "mimeType": mime or "image/" + (_suffix(filename).lstrip(".") or "png"),
        "originalSource": {"url": source, "fileSize": len(data) if data is not None else None},
        "createdAt": now,
        "updatedAt": now,
        "readyAt": ready.timestamp(),
        "error": error,
        "url": f"{CDN}/{quote(filename)}?v={version}",
        "width": width,
        "height": height,
    }
    if data is not None and error is None:
        with store.lock:
            store.file_data[filename] = data
    if mode == "REPLACE" and existing is not None and error is None:
        record = {**existing, **record, "createdAt": existing["createdAt"], "id": existing["id"]}
        return store.put("file", record)
    return store.insert("file", record)


def _error(code: str, what: str) -> dict[str, str]:
    return {"code": code, "message": f"File could not be processed because {what}."}


def _by_filename(store: Store, filename: str) -> Record | None:
    return next(
        (r for r in store.all("file") if r["filename"] == filename and not r.get("error")), None
    )


def _size(data: bytes) -> tuple[int | None, int | None]:
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"GIF8") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    return None, None


def file_status(store: Store, record: Record) -> str:
    if record.get("_justCreated"):
        return "UPLOADED"
    if store.clock().timestamp() < record["readyAt"]:
        return "PROCESSING"
    return "FAILED" if record.get("error") else "READY"


@resolver("MediaImage", "fileStatus")
def f_file_status(record: Record, info: Info) -> str:
    return file_status(store_of(info), record)


@resolver("MediaImage", "fileErrors")
def f_file_errors(record: Record, info: Info) -> list[dict[str, Any]]:
    if file_status(store_of(info), record) != "FAILED":
        return []
    return [{**record["error"], "details": None}]


@resolver("MediaImage", "image")
def f_file_image(record: Record, info: Info) -> dict[str, Any] | None:
    if file_status(store_of(info), record) != "READY":
        return None
    return {
        "id": f"gid://shopify/ImageSource/{number_of(record['id'])}",
        "url": record["url"],
        "altText": record["alt"],
        "width": record["width"],
        "height": record["height"],
    }


@resolver("MediaImage", "preview")
def f_file_preview(record: Record, info: Info) -> dict[str, Any]:
    return {
        "image": f_file_image(record, info),
        "status": file_status(store_of(info), record),
    }


FILE_SEARCH = {
    "filename": lambda r: r["filename"],
    "media_type": lambda r: "IMAGE",
    "id": lambda r: number_of(r["id"]),
}


def _file_search(store: Store) -> Mapping[str, Any]:
    return {
        **FILE_SEARCH,
        "status": lambda r: file_status(store, r).lower(),
    }


resolver("QueryRoot", "files")(listing("file", _file_search))


@resolver("Mutation", "fileDelete")
def m_file_delete(_: Any, info: Info, fileIds: list[str]) -> Any:
    store = store_of(info)
    missing = [i for i in fileIds if store.get("file", i) is None]
    if missing:
        return {
            "deletedFileIds": None,
            "userErrors": [
                user_error(
                    ["fileIds"],
                    f"File id {missing[0]} does not exist.",
                    "FILE_DOES_NOT_EXIST",
                )
            ],
        }
    for file_id in fileIds:
        store.delete("file", file_id)
    return {"deletedFileIds": list(fileIds), "userErrors": []}

"""The sandbox store's state: records as plain dicts keyed by GID, optionally kept in SQLite.

The rules (handles, limits, user errors) live in the engine, which answers GraphQL; this module
only keeps state consistent under concurrent requests and across restarts, and keeps the
search index: Shopify's search (a read with ``query:``) answers from an index that catches up
with writes a moment later, so with a ``search_lag`` the store also remembers each record as
it was, and ``indexed`` answers as of ``search_lag`` ago by the store's clock. Records use the
GraphQL field names (``title``, ``isPublished``...) so the engine can hand them to graphql-core
as they are, and the storefront can read them without translation.
"""

from __future__ import annotations

import copy
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

Record = dict[str, Any]

# Kinds of record and the GID type each one carries.
KINDS = {
    "blog": "Blog",
    "article": "Article",
    "page": "Page",
    "comment": "Comment",
    "product": "Product",
    "metafield": "Metafield",
    "redirect": "UrlRedirect",
    "file": "MediaImage",
    "definition": "MetafieldDefinition",
}


# Where the sandbox "re-hosts" files and article images (the storefront serves /cdn/... for it).
CDN_ROOT = "https://cdn.shopify.com/s/files/1/0000/0001/"


# When a version the store had before it kept history was written: always in the index.
_ALWAYS = datetime.min.replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{KINDS[kind]}/{number}"


def number_of(gid_value: str) -> int | None:
    """The numeric tail of a GID, or None when it is not one of ours."""
    tail = gid_value.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


class Store:
    """Thread-safe state of one sandbox store."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        db_path: Path | None = None,
        products: Sequence[Mapping[str, Any]] = (),
        search_lag: timedelta = timedelta(0),
    ) -> None:
        """``search_lag``: how far behind the writes search is (by ``clock``); what is
        loaded or seeded here is already indexed."""
        self.clock = clock or utc_now
        self.search_lag = timedelta(0)
        # Per kind, per id: the versions written (when, record or None once deleted), oldest
        # first, kept while the index may still answer with them (only with a search lag).
        self._history: dict[str, dict[str, list[tuple[datetime, Record | None]]]] = {
            kind: {} for kind in KINDS
        }
        self.lock = threading.RLock()
        self._records: dict[str, dict[str, Record]] = {kind: {} for kind in KINDS}
        self._next: dict[str, int] = {kind: 1 for kind in KINDS}
        # Records are kept in id order (new ids only grow), so listing needs no sort; one put
        # out of order marks the kind to be sorted once. Metafields are also kept by owner:
        # every article read looks up several, and a scan of all would be quadratic.
        self._last: dict[str, int] = {kind: 0 for kind in KINDS}
        self._unordered: set[str] = set()
        self._by_owner: dict[str, dict[str, Record]] = {}
        self._db: sqlite3.Connection | None = None
        # Staged uploads (files.py): like a real bucket's, they do not outlive the process.
        self.staged_uploads: dict[str, Any] = {}  # key -> files.StagedUpload
        self.upload_secret = secrets.token_bytes(16)
        self.file_processing_s = 0.0
        # Bytes of uploaded files by name, for the storefront's /cdn/ (in memory only).
        self.file_data: dict[str, bytes] = {}
        if db_path is not None:
            self._db = sqlite3.connect(str(db_path), check_same_thread=False)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, kind TEXT, doc TEXT)"
            )
            self._load()
        #: Nothing was loaded from ``db_path``: the store is new (the server seeds it).
        self.is_new = not any(self._records.values())
        if not self._records["product"]:
            self.add_products(products)
        self.search_lag = search_lag
        self.index_all()

    # -- products

    @staticmethod
    def load_products_file(path: Path) -> list[dict[str, Any]]:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        items = data["products"] if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ValueError(f"{path}: expected a list of products")
        return [dict(item) for item in items]

    @staticmethod
    def default_products() -> list[dict[str, Any]]:
        text = files("shopsync.sandbox").joinpath("seed_products.json").read_text(encoding="utf-8")
        data = json.loads(text)
        return [dict(item) for item in (data["products"] if isinstance(data, dict) else data)]

    def add_products(self, products: Sequence[Mapping[str, Any]]) -> None:
        with self.lock:
            for product in products:
                now = self.now()
                record: Record = {
                    "title": product.get("title") or product["handle"],
                    "status": "ACTIVE",
                    "descriptionHtml": "",
                    "featuredImage": None,
                    "tags": [],
                    "vendor": "",
                    "productType": "",
                    "createdAt": now,
                    "updatedAt": now,
                    **product,
                }
                record.setdefault("description", _text_of(record["descriptionHtml"]))
                if "id" in record and number_of(record["id"]) is not None:
                    self._next["product"] = max(self._next["product"], number_of(record["id"]) + 1)  # type: ignore[operator]
                    self.put("product", record)
                else:
                    record.pop("id", None)
                    self.insert("product", record)

    # -- generic record access (the engine's)

    def now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

    def insert(self, kind: str, record: Record) -> Record:
        with self.lock:
            number = self._next[kind]
            self._next[kind] = number + 1
            record["id"] = gid(kind, number)
            self.put(kind, record)
            return record

    def next_number(self, sequence: str) -> int:
        """A counter for ids of things that are not records (e.g. article images)."""
        with self.lock:
            number = self._next.get(sequence, 1)
            self._next[sequence] = number + 1
            return number

    def put(self, kind: str, record: Record) -> Record:
        with self.lock:
            records = self._records[kind]
            if record["id"] not in records:
                number = number_of(record["id"]) or 0
                if number < self._last[kind]:
                    self._unordered.add(kind)
                self._last[kind] = max(self._last[kind], number)
            records[record["id"]] = record
            self._remember(kind, record["id"], record)
            if kind == "metafield":
                self._by_owner.setdefault(record["ownerId"], {})[record["id"]] = record
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO records (id, kind, doc) VALUES (?, ?, ?)",
                    (record["id"], kind, json.dumps(record)),
                )
                self._db.commit()
            return record

    def delete(self, kind: str, record_id: str) -> Record | None:
        with self.lock:
            record = self._records[kind].pop(record_id, None)
            if record is not None:
                self._remember(kind, record_id, None)
            if record is not None and kind == "metafield":
                self._by_owner.get(record["ownerId"], {}).pop(record_id, None)
            if record is not None and self._db is not None:
                self._db.execute("DELETE FROM records WHERE id = ?", (record_id,))
                self._db.commit()
            return record

    def get(self, kind: str, record_id: str) -> Record | None:
        with self.lock:
            return self._records[kind].get(record_id)

    def all(self, kind: str) -> list[Record]:
        """In creation order (ids grow), which is Shopify's default ``ID`` sort."""
        with self.lock:
            if kind in self._unordered:
                ordered = sorted(
                    self._records[kind].values(), key=lambda r: number_of(r["id"]) or 0
                )
                self._records[kind] = {r["id"]: r for r in ordered}
                self._unordered.discard(kind)
            return list(self._records[kind].values())

    # -- the search index

    def index_all(self) -> None:
        """Everything the store holds now is in the search index: what it loaded, or what
        a new store already has (long since indexed on Shopify)."""
        with self.lock:
            if not self.search_lag:
                return
            for kind, records in self._records.items():
                self._history[kind] = {
                    record_id: [(_ALWAYS, copy.deepcopy(record))]
                    for record_id, record in records.items()
                }

    def _remember(self, kind: str, record_id: str, record: Record | None) -> None:
        """A version for the index to catch up with: a copy, as records change in place."""
        if not self.search_lag:
            return
        now = self.clock()
        versions = self._history[kind].setdefault(record_id, [])
        versions.append((now, copy.deepcopy(record) if record is not None else None))
        # Only the newest version the index has reached, and those after it, still matter.
        horizon = now - self.search_lag
        reached = [n for n, (at, _) in enumerate(versions) if at <= horizon]
        if reached:
            del versions[: reached[-1]]

    def indexed(self, kind: str) -> list[tuple[Record, Record]]:
        """What search knows of ``kind``, in id order: (the version it indexed, what it
        answers). A record created less than ``search_lag`` ago is missing; one changed since
        matches on its old values and answers with the new; one deleted since is still
        found, as it was (a read by id answers null)."""
        with self.lock:
            current = self.all(kind)
            if not self.search_lag:
                return [(r, r) for r in current]
            horizon = self.clock() - self.search_lag
            history = self._history[kind]
            found: list[tuple[Record, Record]] = []
            for record in current:
                indexed = _as_of(history.get(record["id"], [(_ALWAYS, record)]), horizon)
                if indexed is not None:
                    found.append((indexed, record))
            gone = [i for i in history if i not in self._records[kind]]
            for record_id in gone:
                indexed = _as_of(history[record_id], horizon)
                if indexed is not None:
                    found.append((indexed, indexed))
                elif history[record_id][0][0] <= horizon:
                    del history[record_id]  # its deletion is indexed: forgotten
            if gone:
                found.sort(key=lambda pair: number_of(pair[0]["id"]) or 0)
            return found

    def kind_of(self, record_id: str) -> str | None:
        type_name = record_id.removeprefix("gid://shopify/").split("/", 1)[0]
        return next((k for k, t in KINDS.items() if t == type_name), None)

    # -- reads for the storefront view

    def blogs(self) -> list[Record]:
        return self.all("blog")

    def blog_by_handle(self, handle: str) -> Record | None:
        return next((b for b in self.all("blog") if b["handle"] == handle), None)

    def articles_of(self, blog_id: str) -> list[Record]:
        return [a for a in self.all("article") if a["blogId"] == blog_id]

    def article_by_handle(self, blog_handle: str, handle: str) -> Record | None:
        blog = self.blog_by_handle(blog_handle)
        if blog is None:
            return None
        return next((a for a in self.articles_of(blog["id"]) if a["handle"] == handle), None)

    def pages(self) -> list[Record]:
        return self.all("page")

    def page_by_handle(self, handle: str) -> Record | None:
        return next((p for p in self.all("page") if p["handle"] == handle), None)

    def product_by_handle(self, handle: str) -> Record | None:
        return next((p for p in self.all("product") if p["handle"] == handle), None)

    def add_comment(
        self,
        article_id: str,
        body: str,
        *,
        author: str = "Reader",
        email: str = "reader@example.com",
        status: str = "UNAPPROVED",
    ) -> Record:
        """A reader's comment. Readers post on the storefront; the Admin API only moderates."""
        now = self.now()
        published = status == "PUBLISHED"
        return self.insert(
            "comment",
            {
                "articleId": article_id,
                "body": body,
                "bodyHtml": f"<p>{body}</p>",
                "author": {"name": author, "email": email},
                "status": status,
                "isPublished": published,
                "publishedAt": now if published else None,
                "ip": "127.0.0.1",
                "userAgent": None,
                "createdAt": now,
                "updatedAt": now,
            },
        )

    def metafields_of(self, owner_id: str) -> list[Record]:
        with self.lock:
            found = list(self._by_owner.get(owner_id, {}).values())
        return sorted(found, key=lambda m: number_of(m["id"]) or 0)

    # -- persistence

    def _load(self) -> None:
        assert self._db is not None
        rows = sorted(
            self._db.execute("SELECT id, kind, doc FROM records"),
            key=lambda row: number_of(row[0]) or 0,
        )
        for record_id, kind, doc in rows:
            record = json.loads(doc)
            self._records[kind][record_id] = record
            if kind == "metafield":
                self._by_owner.setdefault(record["ownerId"], {})[record_id] = record
            number = number_of(record_id) or 0
            self._next[kind] = max(self._next[kind], number + 1)
            self._last[kind] = max(self._last[kind], number)

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _as_of(versions: list[tuple[datetime, Record | None]], horizon: datetime) -> Record | None:
    """The newest version written by ``horizon`` (None: not yet created, or deleted)."""
    indexed: Record | None = None
    for at, version in versions:
        if at > horizon:
            break
        indexed = version
    return indexed


def _text_of(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", html).strip()

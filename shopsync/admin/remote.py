"""What the store has now, read through the client in as few requests as possible.

A plan's reads, for a blog of N articles: one *snapshot* request (API versions, the token's
scopes, every blog with its index, every page in full, the featured products, the local
images' files), then N/250 cheap *scan* pages of the blog's articles (id, handle, updatedAt
and the metafields an admin edits in place), then, only for what the blog's index cannot
vouch for (``index.decide``), the full articles by id, 250 a request. A no-change plan of a
1,000-article blog is 5 requests and downloads no body. A blog no file wants is listed
with shopsync's marks only (``managed_in_blog``): the articles a moved or deleted file left
there are read in full, no other. Parsing a node into canonical fields
is pure (``article_from_node``/``page_from_node``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shopsync.admin.index import (
    INDEX_KEY_PREFIX,
    IndexEntry,
    Signal,
    decode,
    decode_files,
    meta_hash,
)
from shopsync.admin.marks import decode_written
from shopsync.vocabulary import (
    Fields,
    ProductInfo,
    RemoteFile,
    ResolvedProduct,
    Resource,
    fingerprint,
    format_datetime,
    stable_hash,
)

if TYPE_CHECKING:
    from shopsync.admin.client import ShopifyClient

# Each article node costs about a dozen points (itself, author, image, blog, seven
# metafields): 50 a page stays well under Shopify's 1,000-point single-query cap.
ARTICLE_PAGE_SIZE = 50
PAGE_PAGE_SIZE = 100
#: Articles per scan page, and per nodes(ids:) read: Shopify's largest page.
SCAN_PAGE_SIZE = 250
READ_BATCH = 250
BLOG_PAGE_SIZE = 50
# Product handles per request, each its own productByIdentifier (about 3 points each).
PRODUCT_BATCH = 50
# File names per files(query: "filename:a OR filename:b") request.
FILE_BATCH = 50


@dataclass(frozen=True)
class RemoteItem:
    """One article or page as the store has it, reduced to canonical fields."""

    resource: Resource
    id: str
    handle: str
    fields: Fields
    blog: str | None = None
    source: str | None = None
    #: What shopsync recorded at its last write (``marks``): fingerprint and exact digest.
    recorded_fingerprint: str | None = None
    recorded_digest: str | None = None
    #: Articles: the store's updatedAt, and the hash of the metafields an admin edits in place
    #: (``index.meta_hash``): what the blog's index records.
    updated_at: str | None = None
    meta: str | None = None
    #: The marks are where releases before the app namespace kept them: the next write moves
    #: them (``marks.LEGACY_NAMESPACE``).
    legacy_marks: bool = False

    def __hash__(self) -> int:
        return stable_hash(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "id": self.id,
            "handle": self.handle,
            "blog": self.blog,
            "fields": self.fields,
            "source": self.source,
            "recorded_fingerprint": self.recorded_fingerprint,
            "recorded_digest": self.recorded_digest,
            "updated_at": self.updated_at,
            "meta": self.meta,
            "legacy_marks": self.legacy_marks,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RemoteItem:
        return cls(
            resource=data["resource"],
            id=str(data["id"]),
            handle=str(data["handle"]),
            fields=dict(data["fields"]),
            blog=data.get("blog"),
            source=data.get("source"),
            recorded_fingerprint=data.get("recorded_fingerprint"),
            recorded_digest=data.get("recorded_digest"),
            updated_at=data.get("updated_at"),
            legacy_marks=bool(data.get("legacy_marks")),
            meta=data.get("meta"),
        )

    @property
    def managed(self) -> bool:
        return self.source is not None

    @property
    def drifted(self) -> bool:
        """Edited since shopsync last wrote it (only meaningful for managed items)."""
        recorded = self.recorded_fingerprint
        return recorded is not None and fingerprint(self.fields) != recorded


@dataclass(frozen=True)
class StoredIndex:
    """A blog's index as the store holds it: its entries, its shard keys, a digest of the values."""

    entries: Mapping[str, IndexEntry] = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    digest: str = ""
    files: Mapping[str, str] = field(default_factory=dict)  # filename -> file GID
    #: Shards an earlier release kept in the plain namespace: deleted by the next index write.
    legacy_keys: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "keys": list(self.keys),
            "digest": self.digest,
            "legacy_keys": list(self.legacy_keys),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredIndex:
        # Entries are what the plan read them for; a saved plan needs only what apply uses.
        return cls(
            keys=tuple(data.get("keys") or ()),
            digest=str(data.get("digest") or ""),
            legacy_keys=tuple(data.get("legacy_keys") or ()),
        )


@dataclass(frozen=True)
class RemoteState:
    """Blogs (handle → id), their articles (read in full or vouched for), pages, indexes."""

    blogs: Mapping[str, str] = field(default_factory=dict)
    articles: tuple[RemoteItem, ...] = ()
    pages: tuple[RemoteItem, ...] = ()
    indexes: Mapping[str, StoredIndex] = field(default_factory=dict)


def _value(node: Mapping[str, Any], alias: str) -> str | None:
    metafield = node.get(alias)
    if isinstance(metafield, Mapping):
        value = metafield.get("value")
        return value if isinstance(value, str) else None
    return None


def _parse_time(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return format_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))


def _product_ids(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        parsed = json.loads(raw)
    except ValueError:
        return [raw]
    if isinstance(parsed, list):
        return [str(x) for x in parsed]
    return [str(parsed)]


@dataclass(frozen=True)
class _Marks:
    source: str | None
    fingerprint: str | None
    digest: str | None
    image_src: str | None
    legacy: bool


def _marks(node: Mapping[str, Any]) -> _Marks:
    """The item's marks: the app namespace's, else those an earlier release left."""
    legacy = _value(node, "shopsyncSource") is None and _value(node, "legacySource") is not None
    if legacy:
        keys = ("legacySource", "legacyFingerprint", "legacyContentDigest", "legacyImageSrc")
    else:
        keys = ("shopsyncSource", "shopsyncFingerprint", "shopsyncContentDigest", "imageSrc")
    source, fingerprint_, digest, image_src = (_value(node, key) for key in keys)
    return _Marks(source, fingerprint_, digest, image_src, legacy=legacy)


def article_from_node(node: Mapping[str, Any]) -> RemoteItem:
    """A node selected by the ``SyncArticle`` fields (see queries/Sync*.graphql)."""
    marks = _marks(node)
    image = node.get("image") if isinstance(node.get("image"), Mapping) else None
    author = node.get("author") if isinstance(node.get("author"), Mapping) else None
    blog = node.get("blog") if isinstance(node.get("blog"), Mapping) else None
    image_src: str | None = None
    image_alt: str | None = None
    if image is not None:
        # Shopify re-hosts the image: compare the URL we sent (kept in a metafield),
        # falling back to the stored one for images set in the admin.
        image_src = marks.image_src or image.get("url")
        image_alt = image.get("altText") or None
    blog_handle = blog.get("handle") if blog else None
    fields: Fields = {
        "handle": node["handle"],
        "blog": blog_handle,
        "title": node.get("title"),
        "author": author.get("name") if author else None,
        "is_published": bool(node.get("isPublished")),
        "publish_date": _parse_time(node.get("publishedAt")),
        "tags": sorted(node.get("tags") or []),
        "summary_html": node.get("summary") or None,
        "body_html": node.get("body") or "",
        "image_src": image_src,
        "image_alt": image_alt,
        "template_suffix": node.get("templateSuffix") or None,
        "seo_title": _value(node, "seoTitle"),
        "seo_description": _value(node, "seoDescription"),
        "featured_products": _product_ids(_value(node, "featuredProducts")),
    }
    return RemoteItem(
        resource="article",
        id=node["id"],
        handle=node["handle"],
        fields=fields,
        blog=blog_handle,
        source=marks.source,
        recorded_fingerprint=marks.fingerprint,
        recorded_digest=marks.digest,
        updated_at=node.get("updatedAt") if isinstance(node.get("updatedAt"), str) else None,
        meta=fields_meta(fields),
        legacy_marks=marks.legacy,
    )


def fields_meta(fields: Mapping[str, Any]) -> str:
    """``index.meta_hash`` of an article's canonical fields."""
    return meta_hash(
        fields.get("seo_title"),
        fields.get("seo_description"),
        fields.get("featured_products") or [],
    )


def page_from_node(node: Mapping[str, Any]) -> RemoteItem:
    """A node selected by the ``SyncPage`` fields."""
    marks = _marks(node)
    published = bool(node.get("isPublished"))
    fields: Fields = {
        "handle": node["handle"],
        "title": node.get("title"),
        "is_published": published,
        # Pages are published now or hidden; their dates are Shopify's business.
        "publish_date": None,
        "body_html": node.get("body") or "",
        "template_suffix": node.get("templateSuffix") or None,
        "seo_title": _value(node, "seoTitle"),
        "seo_description": _value(node, "seoDescription"),
    }
    return RemoteItem(
        resource="page",
        id=node["id"],
        handle=node["handle"],
        fields=fields,
        source=marks.source,
        recorded_fingerprint=marks.fingerprint,
        recorded_digest=marks.digest,
        legacy_marks=marks.legacy,
    )


def product_from_node(node: Mapping[str, Any]) -> ResolvedProduct:
    image = node.get("featuredImage") if isinstance(node.get("featuredImage"), Mapping) else None
    handle = str(node["handle"])
    info = ProductInfo(
        handle=handle,
        title=str(node.get("title") or handle),
        url=f"/products/{handle}",
        image_url=image.get("url") if image else None,
        image_alt=(image.get("altText") or None) if image else None,
        status=str(node.get("status") or "ACTIVE"),
    )
    return ResolvedProduct(id=str(node["id"]), info=info)


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# A product by its handle is a direct read: search (``products(query:)``) lags behind writes
# and matches loosely, productByIdentifier does neither.
_PRODUCT_FIELDS = "id handle title status featuredImage { url altText }"


def product_lookups(count: int) -> tuple[str, str]:
    """(variable definitions, aliased fields) resolving ``count`` handles ($p0, $p1...)."""
    definitions = "".join(f", $p{n}: String!" for n in range(count))
    fields = "".join(
        f"\n  p{n}: productByIdentifier(identifier: {{handle: $p{n}}}) {{ {_PRODUCT_FIELDS} }}"
        for n in range(count)
    )
    return definitions, fields


def product_variables(handles: Sequence[str]) -> dict[str, str]:
    return {f"p{n}": handle for n, handle in enumerate(handles)}


def products_document(count: int) -> str:
    definitions, fields = product_lookups(count)
    return f"query SyncProducts{count}({definitions.lstrip(', ')}) {{{fields}\n}}\n"


def _products_in(data: Mapping[str, Any], handles: Sequence[str]) -> dict[str, ResolvedProduct]:
    found: dict[str, ResolvedProduct] = {}
    for n, handle in enumerate(handles):
        node = data.get(f"p{n}")
        if isinstance(node, Mapping) and node.get("handle") == handle:
            found[handle] = product_from_node(node)
    return found


def fetch_products(client: ShopifyClient, handles: Sequence[str]) -> dict[str, ResolvedProduct]:
    """Resolve product handles in batches; handles the store does not have are absent."""
    found: dict[str, ResolvedProduct] = {}
    for batch in _chunks(sorted(set(handles)), PRODUCT_BATCH):
        data = client.execute(
            products_document(len(batch)),
            product_variables(batch),
            operation_name=f"SyncProducts{len(batch)}",
        )
        found |= _products_in(data, batch)
    return found


def file_from_node(node: Mapping[str, Any]) -> RemoteFile:
    image = node.get("image")
    url = image.get("url") if isinstance(image, Mapping) else None
    return RemoteFile(id=str(node["id"]), status=str(node.get("fileStatus") or ""), url=url)


def file_name(node: Mapping[str, Any]) -> str | None:
    """A file's name: the last path segment of its CDN URL, or of the upload it came from."""
    for key in ("image", "originalSource"):
        value = node.get(key)
        url = value.get("url") if isinstance(value, Mapping) else None
        if url:
            return str(url).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return None


# A READY file beats one still processing, which beats a failed one.
_STATUS_RANK = {"READY": 0, "PROCESSING": 1, "UPLOADED": 1, "FAILED": 2}


def fetch_files(client: ShopifyClient, filenames: Sequence[str]) -> dict[str, RemoteFile]:
    """The store's files among ``filenames`` (content-addressed upload names), in batches."""
    found: dict[str, RemoteFile] = {}
    wanted = sorted(set(filenames))
    for batch in _chunks(wanted, FILE_BATCH):
        # Room for a failed attempt beside each good file, within the 250 cap.
        variables = {"first": min(250, 4 * len(batch)), "query": file_query(batch)}
        found |= _files_in(client.run("SyncFilesByName", variables).get("files"), batch)
    return found


def read_files(client: ShopifyClient, ids: Mapping[str, str]) -> dict[str, RemoteFile]:
    """Files by name -> GID, read directly (those gone since are left out)."""
    names = list(ids)
    found: dict[str, RemoteFile] = {}
    for batch in _chunks(names, READ_BATCH):
        data = client.run("SyncFilesStatus", {"ids": [ids[name] for name in batch]})
        for name, node in zip(batch, data.get("nodes") or (), strict=False):
            if isinstance(node, Mapping) and node.get("id") == ids[name]:
                found[name] = file_from_node(node)
    return found


def read_written(client: ShopifyClient, ids: Sequence[str]) -> dict[str, Fields]:
    """What shopsync last wrote to these articles and pages (``marks.encode_written``), by id;
    items written before it kept that, or whose record is damaged, are left out."""
    found: dict[str, Fields] = {}
    for batch in _chunks(list(ids), READ_BATCH):
        data = client.run("SyncWritten", {"ids": batch})
        for node in data.get("nodes") or ():
            if not isinstance(node, Mapping) or not isinstance(node.get("id"), str):
                continue
            written = node.get("written")
            value = written.get("value") if isinstance(written, Mapping) else None
            fields = decode_written(value if isinstance(value, str) else None)
            if fields is not None:
                found[node["id"]] = fields
    return found


def file_query(filenames: Iterable[str]) -> str:
    return " OR ".join(f'filename:"{name}"' for name in filenames)


def _files_in(connection: Any, filenames: Sequence[str]) -> dict[str, RemoteFile]:
    found: dict[str, RemoteFile] = {}
    for node in _nodes(connection):
        name = file_name(node)
        if name is None or name not in filenames:
            continue  # search matches loosely; keep exact names only
        remote = file_from_node(node)
        best = found.get(name)
        if best is None or _STATUS_RANK.get(remote.status, 3) < _STATUS_RANK.get(best.status, 3):
            found[name] = remote
    return found


def fetch_blogs(client: ShopifyClient, handles: Sequence[str]) -> dict[str, str]:
    """Blog handle → id for the blogs that exist among ``handles``."""
    # A store has few blogs: listing them all is one request and needs no search syntax.
    blogs: dict[str, str] = {}
    for node in client.paginate("SyncBlogs", {"first": 250}, path=["blogs"]):
        if node["handle"] in handles:
            blogs[node["handle"]] = node["id"]
    return blogs


# ----------------------------------------------------------------------------- snapshot

_SNAPSHOT_HEAD = """query SyncSnapshot($blogFirst: Int!, $pageFirst: Int!{variables}) {{
  publicApiVersions {{ handle supported }}
  currentAppInstallation {{ accessScopes {{ handle }} }}
  blogs(first: $blogFirst) {{
    nodes {{
      id
      handle
      index: metafields(first: 25, namespace: "$app:shopsync") {{ nodes {{ key value }} }}
      legacyIndex: metafields(first: 25, namespace: "shopsync") {{ nodes {{ key }} }}
    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
  pages(first: $pageFirst) {{
    nodes {{ ...SyncPage }}
    pageInfo {{ hasNextPage endCursor }}
  }}{products}{files}
}}
"""
_SNAPSHOT_FILES = """
  files(first: $fileFirst, query: $fileQuery) {
    nodes {
      id
      fileStatus
      ... on MediaImage { image { url } originalSource { url } }
    }
  }"""


_SNAPSHOT_DEFINITION = """
  productDefinition: metafieldDefinition(
    identifier: {ownerType: ARTICLE, namespace: $productNamespace, key: $productKey}
  ) { id type { name } }"""


def snapshot_document(*, products: int, files: bool) -> str:
    """The first request of every plan: ``products`` handles resolved (and the definition
    of the metafield that links them), and files only when the files need them (``files``
    needs the read_files scope, which a token without local images may lack)."""
    variables, lookups = product_lookups(products)
    if products:
        variables += ", $productNamespace: String!, $productKey: String!"
        lookups += _SNAPSHOT_DEFINITION
    if files:
        variables += ", $fileFirst: Int!, $fileQuery: String!"
    head = _SNAPSHOT_HEAD.format(
        variables=variables, products=lookups, files=_SNAPSHOT_FILES if files else ""
    )
    from shopsync.admin.documents import with_fragments

    return with_fragments(head, "SyncSnapshot")


@dataclass(frozen=True)
class Snapshot:
    """What the first request of a plan learns."""

    versions: tuple[str, ...]
    scopes: frozenset[str]
    blog_ids: Mapping[str, str]
    indexes: Mapping[str, StoredIndex]
    pages: tuple[RemoteItem, ...]
    products: Mapping[str, ResolvedProduct]
    files: Mapping[str, RemoteFile]
    #: The featured-products metafield's definition on articles, when products were asked
    #: for: ``None`` if it has none; unset (``definition_read`` false) otherwise.
    product_definition: RemoteDefinition | None = None
    definition_read: bool = False


@dataclass(frozen=True)
class RemoteDefinition:
    """A metafield definition as the store has it."""

    id: str
    type: str


def read_snapshot(
    client: ShopifyClient,
    *,
    product_handles: Sequence[str],
    filenames: Sequence[str],
    product_namespace: str = "custom",
    product_key: str = "featured_products",
) -> Snapshot:
    """Versions, scopes, blogs and their indexes, pages, products and files, in one request
    (more only for a store with more than 50 blogs or 250 pages, or many products/images)."""
    handles = sorted(set(product_handles))
    names = sorted(set(filenames))
    first_handles, first_names = handles[:PRODUCT_BATCH], names[:FILE_BATCH]
    variables: dict[str, Any] = {"blogFirst": BLOG_PAGE_SIZE, "pageFirst": SCAN_PAGE_SIZE}
    variables |= product_variables(first_handles)
    if first_handles:
        variables |= {"productNamespace": product_namespace, "productKey": product_key}
    if first_names:
        variables |= {
            "fileFirst": min(250, 4 * len(first_names)),
            "fileQuery": file_query(first_names),
        }
    text = snapshot_document(products=len(first_handles), files=bool(first_names))
    data = client.execute(text, variables, operation_name="SyncSnapshot")
    versions = tuple(
        str(v["handle"])
        for v in data.get("publicApiVersions") or ()
        if isinstance(v, Mapping) and v.get("supported")
    )
    installation = data.get("currentAppInstallation") or {}
    scopes = frozenset(
        str(s["handle"]) for s in installation.get("accessScopes") or () if isinstance(s, Mapping)
    )
    blog_nodes = list(_nodes(data.get("blogs")))
    if _has_next(data.get("blogs")):
        blog_nodes += list(client.paginate("SyncBlogs", {"first": 250}, path=["blogs"]))
    blog_ids: dict[str, str] = {}
    indexes: dict[str, StoredIndex] = {}
    for node in blog_nodes:
        handle = str(node["handle"])
        blog_ids[handle] = str(node["id"])
        legacy = tuple(
            str(n["key"])
            for n in _nodes(node.get("legacyIndex"))
            if str(n.get("key", "")).startswith(INDEX_KEY_PREFIX)
        )
        indexes[handle] = replace(stored_index(node.get("index")), legacy_keys=legacy)
    pages = [page_from_node(node) for node in _nodes(data.get("pages"))]
    if _has_next(data.get("pages")):
        cursor = (data["pages"].get("pageInfo") or {}).get("endCursor")
        more = client.paginate(
            "SyncPages", {"first": PAGE_PAGE_SIZE, "after": cursor}, path=["pages"]
        )
        pages += [page_from_node(node) for node in more]
    products = _products_in(data, first_handles)
    if len(handles) > PRODUCT_BATCH:
        products |= fetch_products(client, handles[PRODUCT_BATCH:])
    found = _files_in(data.get("files"), first_names)
    if len(names) > FILE_BATCH:
        found |= fetch_files(client, names[FILE_BATCH:])
    # Search lags uploads: what it missed but an index recorded is read by id.
    recorded = {name: gid for index in indexes.values() for name, gid in index.files.items()}
    missed = {name: recorded[name] for name in names if name not in found and name in recorded}
    if missed:
        found |= read_files(client, missed)
    definition = data.get("productDefinition")
    return Snapshot(
        versions=versions,
        scopes=scopes,
        blog_ids=blog_ids,
        indexes=indexes,
        pages=tuple(pages),
        products=products,
        files=found,
        product_definition=RemoteDefinition(
            str(definition["id"]), str((definition.get("type") or {}).get("name"))
        )
        if isinstance(definition, Mapping)
        else None,
        definition_read=bool(first_handles),
    )


def stored_index(connection: Any) -> StoredIndex:
    """A blog's ``index_*`` metafields (from ``metafields(namespace: "$app:shopsync")``)."""
    values = {
        str(node["key"]): str(node.get("value") or "")
        for node in _nodes(connection)
        if str(node.get("key", "")).startswith(INDEX_KEY_PREFIX)
    }
    keys = tuple(sorted(values, key=_shard_number))
    text = json.dumps([values[k] for k in keys], ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return StoredIndex(entries=decode(values), keys=keys, digest=digest, files=decode_files(values))


def index_values_digest(values: Sequence[str]) -> str:
    """The digest ``stored_index`` gives shards with these values, in this order."""
    text = json.dumps(list(values), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shard_number(key: str) -> int:
    tail = key[len(INDEX_KEY_PREFIX) :]
    return int(tail) if tail.isdigit() else 10**9


def _nodes(connection: Any) -> Iterator[dict[str, Any]]:
    if isinstance(connection, Mapping):
        yield from (n for n in connection.get("nodes") or () if isinstance(n, dict))


def _has_next(connection: Any) -> bool:
    return isinstance(connection, Mapping) and bool(
        (connection.get("pageInfo") or {}).get("hasNextPage")
    )


# -------------------------------------------------------------------------- scan and read


def scan_blog(
    client: ShopifyClient, blog_id: str, *, product_namespace: str, product_key: str
) -> list[Signal]:
    """Every article of the blog, cheaply: id, handle, updatedAt, and the in-place metafields."""
    variables = {
        "blogId": blog_id,
        "first": SCAN_PAGE_SIZE,
        "productNamespace": product_namespace,
        "productKey": product_key,
    }
    return [
        Signal(
            id=str(node["id"]),
            handle=str(node["handle"]),
            updated_at=str(node.get("updatedAt") or ""),
            meta=meta_hash(
                _value(node, "seoTitle"),
                _value(node, "seoDescription"),
                _product_ids(_value(node, "featuredProducts")),
            ),
        )
        for node in client.paginate("SyncBlogScan", variables, path=["blog", "articles"])
    ]


def managed_in_blog(client: ShopifyClient, blog_id: str) -> list[str]:
    """The GIDs of the blog's articles that carry shopsync's ``source`` mark (either
    namespace), listed directly: what a blog no file wants still holds of shopsync's."""
    variables = {"blogId": blog_id, "first": SCAN_PAGE_SIZE}
    return [
        str(node["id"])
        for node in client.paginate("SyncBlogMarks", variables, path=["blog", "articles"])
        if _value(node, "source") or _value(node, "legacySource")
    ]


def read_pages(client: ShopifyClient) -> list[RemoteItem]:
    """Every page, listed directly (a store has few)."""
    nodes = client.paginate("SyncPages", {"first": PAGE_PAGE_SIZE}, path=["pages"])
    return [page_from_node(node) for node in nodes]


def read_articles(
    client: ShopifyClient, ids: Sequence[str], *, product_namespace: str, product_key: str
) -> list[RemoteItem]:
    """The articles with these GIDs, in full (those gone since are left out)."""
    found: list[RemoteItem] = []
    for batch in _chunks(list(ids), READ_BATCH):
        variables = {
            "ids": list(batch),
            "productNamespace": product_namespace,
            "productKey": product_key,
        }
        data = client.run("SyncArticlesRead", variables)
        found += [
            article_from_node(node)
            for node in data.get("nodes") or ()
            if isinstance(node, Mapping) and node.get("id")
        ]
    return found

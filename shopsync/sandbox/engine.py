"""Executes validated Admin GraphQL documents over the sandbox store, with Shopify's rules.

graphql-core does the execution, so any valid selection (aliases, fragments, variables) is
answered; this module supplies resolvers, looked up per ``(type, field)`` in ``RESOLVERS``, with
a plain dict lookup for everything else. The rules follow what a live store recorded
(``shared/shopify/README.md`` and ``captures/``): user-error codes, fields and messages, handle
rules, limits, publish dates, partial updates, sorted tags, verbatim bodies, redirects.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    execute,
)

from shopsync.sandbox import metafields as metafield_rules
from shopsync.sandbox.store import KINDS, Record, Store, number_of

Resolver = Callable[..., Any]
Info = GraphQLResolveInfo[dict[str, Any]]
RESOLVERS: dict[tuple[str, str], Resolver] = {}

MAX_PAGE = 250
TITLE_MAX = 255
HANDLE_MAX = {"article": 265, "page": 255, "blog": 255}
ARTICLE_BODY_MAX = 1024 * 1024
PAGE_BODY_MAX = 512 * 1024
STALE_MESSAGE = (
    "The resource has been updated since it was loaded. "
    "Try again with an updated `compareDigest` value."
)
DEFAULT_VERSIONS = ("2025-07", "2025-10", "2026-01", "2026-04", "2026-07")


def resolver(type_name: str, *fields: str) -> Callable[[Resolver], Resolver]:
    def register(func: Resolver) -> Resolver:
        for field in fields:
            RESOLVERS[(type_name, field)] = func
        return func

    return register


class Engine:
    """One per sandbox server; stateless apart from the store it answers for."""

    def __init__(self, store: Store, schema: GraphQLSchema | None = None) -> None:
        if schema is None:
            from shopsync.schema import admin_schema

            schema = admin_schema()
        self.store = store
        self.schema = schema

    def execute(
        self,
        document: DocumentNode,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> ExecutionResult:
        ctx: dict[str, Any] = {"store": self.store, **(context or {})}
        result = execute(
            self.schema,
            document,
            context_value=ctx,
            variable_values=dict(variables or {}),
            operation_name=operation_name,
            field_resolver=_resolve,
            type_resolver=_resolve_type,
        )
        assert isinstance(result, ExecutionResult)
        return result


def _resolve(source: Any, info: Info, **args: Any) -> Any:
    func = RESOLVERS.get((info.parent_type.name, info.field_name))
    if func is not None:
        return func(source, info, **args)
    if info.field_name == "legacyResourceId" and isinstance(source, dict):
        return str(number_of(source["id"]))
    if info.field_name == "defaultCursor" and isinstance(source, dict):
        return _cursor(source)
    if isinstance(source, dict):
        return source.get(info.field_name)
    return getattr(source, info.field_name, None)


def _resolve_type(value: Any, info: Info, abstract: GraphQLAbstractType) -> str:
    kind = _store(info).kind_of(value["id"])
    return KINDS[kind] if kind else ""


def _store(info: Info) -> Store:
    store: Store = info.context["store"]
    return store


# --------------------------------------------------------------------------- connections


def _cursor(record: Mapping[str, Any]) -> str:
    return base64.b64encode(json.dumps({"id": number_of(record["id"])}).encode()).decode()


def _after(cursor: str) -> int:
    try:
        value = json.loads(base64.b64decode(cursor.encode()))["id"]
        return int(value)
    except (ValueError, KeyError, TypeError):
        raise GraphQLError("Invalid cursor for current pagination sort.") from None


def connection(
    items: list[Record],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
    sort_key: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """A Relay connection over ``items`` with Shopify's page-size rules."""
    if first is None and last is None:
        raise GraphQLError(
            "you must provide one of first or last", extensions={"code": "BAD_REQUEST"}
        )
    for name, value in (("first", first), ("last", last)):
        if value is not None and value > MAX_PAGE:
            raise GraphQLError(
                f"The {name} argument must be less than or equal to {MAX_PAGE}.",
                extensions={"code": "BAD_REQUEST"},
            )
    items = _sorted(items, sort_key)
    if reverse:
        items.reverse()
    ids = [number_of(r["id"]) for r in items]
    start, end = 0, len(items)
    if after is not None:
        marker = _after(after)
        start = ids.index(marker) + 1 if marker in ids else len(items)
    if before is not None:
        marker = _after(before)
        end = ids.index(marker) if marker in ids else end
    window = items[start:end]
    has_previous = start > 0
    has_next = end < len(items)
    if first is not None and len(window) > first:
        window, has_next = window[:first], True
    if last is not None and len(window) > last:
        window, has_previous = window[-last:], True
    edges = [{"cursor": _cursor(r), "node": r} for r in window]
    return {
        "edges": edges,
        "nodes": window,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


_SORT_FIELDS = {
    "TITLE": "title",
    "UPDATED_AT": "updatedAt",
    "PUBLISHED_AT": "publishedAt",
    "CREATED_AT": "createdAt",
    "VENDOR": "vendor",
    "PRODUCT_TYPE": "productType",
    "PATH": "path",
}


def _sorted(items: list[Record], sort_key: str | None) -> list[Record]:
    items = sorted(items, key=lambda r: number_of(r["id"]) or 0)
    field = _SORT_FIELDS.get(sort_key or "ID")
    if field is not None:
        items.sort(key=lambda r: (r.get(field) is None, str(r.get(field) or "").lower()))
    if sort_key == "AUTHOR":
        items.sort(key=lambda r: str((r.get("author") or {}).get("name", "")).lower())
    return items


# --------------------------------------------------------------------------- search syntax


def _terms(query: str) -> list[list[str]]:
    """Shopify's search syntax, the part shopsync and its users need: OR of AND-ed terms."""
    tokens = re.findall(r"""(?:[^\s"']+:)?(?:"[^"]*"|'[^']*')|\S+""", query)
    groups: list[list[str]] = [[]]
    for token in tokens:
        if token == "OR":
            groups.append([])
        elif token != "AND":
            groups[-1].append(token)
    return [g for g in groups if g]


def _match_value(actual: Any, wanted: str) -> bool:
    wanted = wanted.strip("\"'").lower()
    values = actual if isinstance(actual, list) else [actual]
    for value in values:
        text = "" if value is None else str(value).lower()
        if wanted.endswith("*") and text.startswith(wanted[:-1]):
            return True
        if text == wanted:
            return True
    return False


def search(
    items: Iterable[Record], query: str | None, fields: Mapping[str, Callable[[Record], Any]]
) -> list[Record]:
    items = list(items)
    if not query or not query.strip():
        return items
    groups = _terms(query)

    def term_ok(record: Record, term: str) -> bool:
        negate = term.startswith(("-", "NOT "))
        term = term.lstrip("-")
        if ":" in term:
            key, value = term.split(":", 1)
            getter = fields.get(key)
            ok = True if getter is None else _match_value(getter(record), value)
        else:
            word = term.strip("\"'").lower().rstrip("*")
            ok = word in str(record.get("title", "")).lower()
        return ok != negate

    return [r for r in items if any(all(term_ok(r, t) for t in g) for g in groups)]


def _published_status(record: Record) -> list[str]:
    return ["any", "published" if record.get("isPublished") else "unpublished"]


ARTICLE_SEARCH: dict[str, Callable[[Record], Any]] = {
    "blog_id": lambda r: number_of(r["blogId"]),
    "handle": lambda r: r["handle"],
    "title": lambda r: r["title"],
    "author": lambda r: (r.get("author") or {}).get("name"),
    "tag": lambda r: r.get("tags") or [],
    "tag_not": lambda r: r.get("tags") or [],
    "id": lambda r: number_of(r["id"]),
    "published_status": _published_status,
}


def _article_search(store: Store) -> dict[str, Callable[[Record], Any]]:
    """Article filters, plus ``blog_title`` which needs the blogs."""
    titles = {b["id"]: b["title"] for b in store.all("blog")}
    return {**ARTICLE_SEARCH, "blog_title": lambda r: titles.get(r["blogId"])}


PAGE_SEARCH: dict[str, Callable[[Record], Any]] = {
    "handle": lambda r: r["handle"],
    "title": lambda r: r["title"],
    "id": lambda r: number_of(r["id"]),
    "published_status": _published_status,
}
BLOG_SEARCH: dict[str, Callable[[Record], Any]] = {
    "handle": lambda r: r["handle"],
    "title": lambda r: r["title"],
    "id": lambda r: number_of(r["id"]),
}
PRODUCT_SEARCH: dict[str, Callable[[Record], Any]] = {
    "handle": lambda r: r["handle"],
    "title": lambda r: r["title"],
    "status": lambda r: r["status"],
    "vendor": lambda r: r.get("vendor"),
    "product_type": lambda r: r.get("productType"),
    "tag": lambda r: r.get("tags") or [],
    "id": lambda r: number_of(r["id"]),
}
REDIRECT_SEARCH: dict[str, Callable[[Record], Any]] = {
    "path": lambda r: r["path"],
    "target": lambda r: r["target"],
    "id": lambda r: number_of(r["id"]),
}


# --------------------------------------------------------------------------- queries


def _get(kind: str) -> Resolver:
    def get(_source: Any, info: Info, id: str) -> Record | None:
        return _store(info).get(kind, id)

    return get


RESOLVERS[("QueryRoot", "blog")] = _get("blog")
RESOLVERS[("QueryRoot", "article")] = _get("article")
RESOLVERS[("QueryRoot", "page")] = _get("page")
RESOLVERS[("QueryRoot", "product")] = _get("product")
RESOLVERS[("QueryRoot", "urlRedirect")] = _get("redirect")


@resolver("QueryRoot", "blogs")
def q_blogs(
    _: Any,
    info: Info,
    query: str | None = None,
    sortKey: str | None = None,
    **args: Any,
) -> Any:
    return connection(
        search(_store(info).all("blog"), query, BLOG_SEARCH), sort_key=sortKey, **args
    )


@resolver("QueryRoot", "articles")
def q_articles(
    _: Any,
    info: Info,
    query: str | None = None,
    sortKey: str | None = None,
    **args: Any,
) -> Any:
    return connection(
        search(_store(info).all("article"), query, _article_search(_store(info))),
        sort_key=sortKey,
        **args,
    )


@resolver("QueryRoot", "pages")
def q_pages(
    _: Any,
    info: Info,
    query: str | None = None,
    sortKey: str | None = None,
    **args: Any,
) -> Any:
    args.pop("savedSearchId", None)
    return connection(
        search(_store(info).all("page"), query, PAGE_SEARCH), sort_key=sortKey, **args
    )


@resolver("QueryRoot", "products")
def q_products(
    _: Any,
    info: Info,
    query: str | None = None,
    sortKey: str | None = None,
    **args: Any,
) -> Any:
    args.pop("savedSearchId", None)
    return connection(
        search(_store(info).all("product"), query, PRODUCT_SEARCH), sort_key=sortKey, **args
    )


@resolver("QueryRoot", "urlRedirects")
def q_redirects(
    _: Any,
    info: Info,
    query: str | None = None,
    sortKey: str | None = None,
    **args: Any,
) -> Any:
    args.pop("savedSearchId", None)
    return connection(
        search(_store(info).all("redirect"), query, REDIRECT_SEARCH), sort_key=sortKey, **args
    )


@resolver("QueryRoot", "productByIdentifier")
def q_product_by_identifier(_: Any, info: Info, identifier: Mapping[str, Any]) -> Any:
    store = _store(info)
    if identifier.get("id"):
        return store.get("product", identifier["id"])
    if identifier.get("handle") is not None:
        return store.product_by_handle(identifier["handle"])
    return None


@resolver("QueryRoot", "node")
def q_node(_: Any, info: Info, id: str) -> Any:
    store = _store(info)
    kind = store.kind_of(id)
    return store.get(kind, id) if kind else None


@resolver("QueryRoot", "nodes")
def q_nodes(_: Any, info: Info, ids: list[str]) -> Any:
    return [q_node(None, info, i) for i in ids]


@resolver("QueryRoot", "currentAppInstallation")
def q_installation(_: Any, info: Info) -> Any:
    scopes = info.context.get("scopes") or []
    return {
        "id": "gid://shopify/AppInstallation/1",
        "accessScopes": [{"handle": s, "description": s.replace("_", " ")} for s in scopes],
    }


@resolver("QueryRoot", "publicApiVersions")
def q_versions(_: Any, info: Info) -> Any:
    supported = list(info.context.get("api_versions") or DEFAULT_VERSIONS)
    listed = [{"handle": "2025-01", "displayName": "2025-01", "supported": False}]
    listed += [{"handle": v, "displayName": v, "supported": True} for v in supported]
    listed.append({"handle": "unstable", "displayName": "unstable", "supported": False})
    return listed


def _count(n: int) -> dict[str, Any]:
    return {"count": n, "precision": "EXACT"}


@resolver("QueryRoot", "blogsCount")
def q_blogs_count(_: Any, info: Info, query: str | None = None, limit: int | None = None) -> Any:
    return _count(len(search(_store(info).all("blog"), query, BLOG_SEARCH)))


@resolver("QueryRoot", "pagesCount")
def q_pages_count(_: Any, info: Info, limit: int | None = None) -> Any:
    return _count(len(_store(info).all("page")))


@resolver("QueryRoot", "articleAuthors")
def q_authors(_: Any, info: Info, **args: Any) -> Any:
    names = sorted({(a.get("author") or {}).get("name") or "" for a in _store(info).all("article")})
    authors = [
        {"id": f"gid://shopify/ArticleAuthor/{i + 1}", "name": n} for i, n in enumerate(names) if n
    ]
    return connection(authors, **args)


@resolver("QueryRoot", "articleTags")
def q_tags(_: Any, info: Info, limit: int, sort: str | None = None) -> Any:
    counts: dict[str, int] = {}
    for article in _store(info).all("article"):
        for tag in article.get("tags") or []:
            counts[tag] = counts.get(tag, 0) + 1
    if sort == "POPULAR":
        tags = sorted(counts, key=lambda t: (-counts[t], t.lower()))
    else:
        tags = sorted(counts, key=str.lower)
    return tags[:limit]


# --------------------------------------------------------------------------- object fields


@resolver("Article", "blog")
def f_article_blog(article: Record, info: Info) -> Any:
    return _store(info).get("blog", article["blogId"])


@resolver("Blog", "articles")
def f_blog_articles(
    blog: Record,
    info: Info,
    query: str | None = None,
    sortKey: str | None = None,
    **args: Any,
) -> Any:
    mine = [a for a in _store(info).all("article") if a["blogId"] == blog["id"]]
    return connection(search(mine, query, _article_search(_store(info))), sort_key=sortKey, **args)


@resolver("Blog", "tags")
def f_blog_tags(blog: Record, info: Info) -> Any:
    """A blog's tags are those of its articles, as the admin shows them."""
    tags = {t for a in _store(info).articles_of(blog["id"]) for t in a.get("tags") or []}
    return sorted(tags, key=str.lower)


@resolver("Blog", "articlesCount")
def f_blog_articles_count(blog: Record, info: Info, **_: Any) -> Any:
    return _count(len(_store(info).articles_of(blog["id"])))


@resolver("Article", "comments")
def f_comments(
    article: Record,
    info: Info,
    query: str | None = None,
    sortKey: str | None = None,
    **args: Any,
) -> Any:
    mine = [c for c in _store(info).all("comment") if c["articleId"] == article["id"]]
    return connection(search(mine, query, COMMENT_SEARCH), sort_key=sortKey, **args)


COMMENT_SEARCH: dict[str, Callable[[Record], Any]] = {
    "status": lambda r: r["status"],
    "published_status": _published_status,
    "id": lambda r: number_of(r["id"]),
}


RESOLVERS[("QueryRoot", "comment")] = _get("comment")


@resolver("QueryRoot", "comments")
def q_comments(
    _: Any, info: Info, query: str | None = None, sortKey: str | None = None, **args: Any
) -> Any:
    found = search(_store(info).all("comment"), query, COMMENT_SEARCH)
    return connection(found, sort_key=sortKey, **args)


def _moderate(status: str, published: bool) -> Resolver:
    """commentApprove / commentSpam / commentNotSpam: a status, and published or not."""

    def moderate(_: Any, info: Info, id: str) -> Any:
        store = _store(info)
        with store.lock:
            comment = store.get("comment", id)
            if comment is None:
                return {
                    "comment": None,
                    "userErrors": [user_error(["id"], "Comment does not exist", "NOT_FOUND")],
                }
            comment.update(
                status=status,
                isPublished=published,
                publishedAt=(comment.get("publishedAt") or store.now()) if published else None,
                updatedAt=store.now(),
            )
            return {"comment": store.put("comment", comment), "userErrors": []}

    return moderate


RESOLVERS[("Mutation", "commentApprove")] = _moderate("PUBLISHED", True)
RESOLVERS[("Mutation", "commentSpam")] = _moderate("SPAM", False)
RESOLVERS[("Mutation", "commentNotSpam")] = _moderate("UNAPPROVED", False)


@resolver("Mutation", "commentDelete")
def m_comment_delete(_: Any, info: Info, id: str) -> Any:
    if _store(info).delete("comment", id) is None:
        error = user_error(["id"], "Comment does not exist", "NOT_FOUND")
        return {"deletedCommentId": None, "userErrors": [error]}
    return {"deletedCommentId": id, "userErrors": []}


@resolver("Article", "commentsCount")
def f_comments_count(article: Record, info: Info, **_: Any) -> Any:
    return _count(len([c for c in _store(info).all("comment") if c["articleId"] == article["id"]]))


@resolver("Comment", "article")
def f_comment_article(comment: Record, info: Info) -> Any:
    return _store(info).get("article", comment["articleId"])


def _owner_metafield(owner: Record, info: Info, key: str, namespace: str | None = None) -> Any:
    namespace, key = _split_key(namespace, key)
    return next(
        (
            m
            for m in _store(info).metafields_of(owner["id"])
            if (m["namespace"], m["key"]) == (namespace, key)
        ),
        None,
    )


def _owner_metafields(
    owner: Record,
    info: Info,
    namespace: str | None = None,
    keys: list[str] | None = None,
    **args: Any,
) -> Any:
    items = _store(info).metafields_of(owner["id"])
    if namespace is not None:
        items = [m for m in items if m["namespace"] == namespace]
    if keys is not None:
        wanted = {tuple(k.split(".", 1)) if "." in k else (namespace, k) for k in keys}
        items = [m for m in items if (m["namespace"], m["key"]) in wanted]
    return connection(items, **args)


for _type in ("Article", "Blog", "Page", "Product", "AppInstallation", "Image"):
    RESOLVERS[(_type, "metafield")] = _owner_metafield
    RESOLVERS[(_type, "metafields")] = _owner_metafields


def _split_key(namespace: str | None, key: str) -> tuple[str, str]:
    if namespace is None and "." in key:
        ns, _, rest = key.partition(".")
        return ns, rest
    return namespace or "$app", key


@resolver("Metafield", "owner")
def f_mf_owner(metafield: Record, info: Info) -> Any:
    store = _store(info)
    kind = store.kind_of(metafield["ownerId"])
    return store.get(kind, metafield["ownerId"]) if kind else None


@resolver("Metafield", "ownerType")
def f_mf_owner_type(metafield: Record, info: Info) -> Any:
    kind = _store(info).kind_of(metafield["ownerId"])
    return kind.upper() if kind else None


@resolver("Metafield", "jsonValue")
def f_mf_json(metafield: Record, info: Info) -> Any:
    return _json_value(metafield["type"], metafield["value"])


@resolver("Metafield", "compareDigest")
def f_mf_digest(metafield: Record, info: Info) -> Any:
    return _digest(metafield)


@resolver("Metafield", "sizeInBytes")
def f_mf_size(metafield: Record, info: Info) -> Any:
    return len(metafield["value"].encode())


@resolver("Metafield", "reference")
def f_mf_reference(metafield: Record, info: Info) -> Any:
    if not metafield["type"].endswith("_reference") or metafield["type"].startswith("list."):
        return None
    return q_node(None, info, metafield["value"])


@resolver("Metafield", "references")
def f_mf_references(metafield: Record, info: Info, **args: Any) -> Any:
    if not metafield["type"].startswith("list.") or not metafield["type"].endswith("_reference"):
        return None
    nodes = [q_node(None, info, i) for i in json.loads(metafield["value"])]
    found = [n for n in nodes if n is not None]
    # References keep the list's order, not the id order a connection would sort by.
    result = connection(found, **args)
    if args.get("first") is not None and not args.get("after"):
        window = found[: args["first"]]
        result["nodes"] = window
        result["edges"] = [{"cursor": _cursor(n), "node": n} for n in window]
    return result


def _digest(metafield: Record) -> str:
    return hashlib.sha256(
        f"{metafield['id']}:{metafield['updatedAt']}:{metafield['value']}".encode()
    ).hexdigest()


def _json_value(type_name: str, value: str) -> Any:
    if type_name.startswith("list.") or type_name in (
        "json",
        "rating",
        "dimension",
        "volume",
        "weight",
        "money",
        "link",
        "rich_text_field",
    ):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if type_name == "number_integer":
        return int(value)
    if type_name == "number_decimal":
        return value
    if type_name == "boolean":
        return value == "true"
    return value


@resolver("Image", "url")
def f_image_url(image: Record, info: Info, **_: Any) -> Any:
    return image.get("url")


# --------------------------------------------------------------------------- validation helpers


def user_error(field: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


def handleize(text: str) -> str:
    """Shopify's handle from a title: lower-case ASCII words joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"['’]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _parse_date(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _check_common(kind: str, data: Mapping[str, Any], creating: bool) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    title = data.get("title")
    if (creating or "title" in data) and (title is None or not str(title).strip()):
        errors.append(
            user_error([kind, "title"], "Title can't be blank", None if kind == "blog" else "BLANK")
        )
    elif title is not None and len(title) > TITLE_MAX:
        errors.append(
            user_error(
                [kind, "title"],
                f"Title is too long (maximum is {TITLE_MAX} characters)",
                "TOO_LONG",
            )
        )
    handle = data.get("handle")
    if handle is not None and len(handle) > HANDLE_MAX[kind]:
        errors.append(
            user_error(
                [kind, "handle"],
                f"Handle is too long (maximum is {HANDLE_MAX[kind]} characters)",
                "TOO_LONG",
            )
        )
    body = data.get("body")
    if body is not None and kind == "article" and len(body.encode()) >= ARTICLE_BODY_MAX:
        errors.append(user_error(["article", "body"], "Content is too big (maximum is 1 MB)", None))
    if body is not None and kind == "page" and len(body.encode()) >= PAGE_BODY_MAX:
        errors.append(
            user_error(["page", "body"], "Content is too big (maximum is 512 KB)", "TOO_BIG")
        )
    return errors


def _publishing(
    store: Store, kind: str, data: Mapping[str, Any], record: Record | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Input ``isPublished``/``publishDate`` to the ``isPublished``/``publishedAt`` stored."""
    now = store.clock()
    changes: dict[str, Any] = {}
    published = data.get("isPublished")
    date = _parse_date(data["publishDate"]) if data.get("publishDate") else None
    if published is True and date is not None and date > now:
        return {}, [
            user_error(
                [kind],
                "Can’t set isPublished to true and also set a future publish date.",
                "INVALID_PUBLISH_DATE",
            )
        ]
    if record is None:
        published = True if published is None and date is None else published
    if published is True:
        changes = {
            "isPublished": True,
            "publishedAt": _iso(date) if date else (record or {}).get("publishedAt") or store.now(),
        }
    elif published is False:
        if date is not None and date > now:
            changes = {"isPublished": False, "publishedAt": _iso(date)}  # scheduled
        else:
            changes = {"isPublished": False, "publishedAt": None}
    elif date is not None:
        changes = {"isPublished": date <= now, "publishedAt": _iso(date)}
    return changes, []


def _unique_handle(
    store: Store, kind: str, wanted: str, scope: Callable[[Record], bool], first_suffix: int = 1
) -> str:
    taken = {r["handle"] for r in store.all(kind) if scope(r)}
    if wanted not in taken:
        return wanted
    n = first_suffix
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def _metafield_errors(
    store: Store, items: list[Mapping[str, Any]], path: list[str]
) -> list[dict[str, Any]]:
    """Problems of inline ``metafields`` on a create or update."""
    errors = []
    for index, item in enumerate(items):
        problem = metafield_rules.check(item, _exists(store))
        if problem is not None:
            errors.append(
                user_error([*path, str(index), problem.field], problem.message, problem.code)
            )
    return errors


def _exists(store: Store) -> Callable[[str], bool]:
    def exists(gid: str) -> bool:
        kind = store.kind_of(gid)
        return kind is not None and store.get(kind, gid) is not None

    return exists


def _write_metafields(
    store: Store, owner_id: str, items: Iterable[Mapping[str, Any]]
) -> list[Record]:
    """Upsert by (namespace, key), as Shopify does for inline and ``metafieldsSet`` writes."""
    written = []
    existing = {(m["namespace"], m["key"]): m for m in store.metafields_of(owner_id)}
    now = store.now()
    for item in items:
        namespace, key = _split_key(item.get("namespace"), str(item["key"]))
        found = existing.get((namespace, key))
        if found is None:
            record = store.insert(
                "metafield",
                {
                    "ownerId": owner_id,
                    "namespace": namespace,
                    "key": key,
                    "type": item["type"],
                    "value": item["value"],
                    "createdAt": now,
                    "updatedAt": now,
                },
            )
        else:
            if found["value"] != item["value"] or found["type"] != (
                item.get("type") or found["type"]
            ):
                found.update(
                    {
                        "value": item["value"],
                        "type": item.get("type") or found["type"],
                        "updatedAt": now,
                    }
                )
            record = store.put("metafield", found)
        existing[(namespace, key)] = record
        written.append(record)
    return written


def _redirect(store: Store, old: str, new: str) -> None:
    for r in store.all("redirect"):
        if r["path"] == old:
            store.delete("redirect", r["id"])
    store.insert("redirect", {"path": old, "target": new})


# --------------------------------------------------------------------------- blogs


@resolver("Mutation", "blogCreate")
def m_blog_create(_: Any, info: Info, blog: Mapping[str, Any]) -> Any:
    store = _store(info)
    with store.lock:
        errors = _check_common("blog", blog, creating=True)
        errors += _metafield_errors(store, blog.get("metafields") or [], ["blog", "metafields"])
        if errors:
            return {"blog": None, "userErrors": errors}
        wanted = handleize(blog.get("handle") or blog["title"]) or "blog"
        # Blogs differ from articles and pages: a taken handle is silently changed (-2).
        handle = _unique_handle(store, "blog", wanted, lambda _r: True, first_suffix=1)
        now = store.now()
        record = store.insert(
            "blog",
            {
                "title": blog["title"],
                "handle": handle,
                "templateSuffix": blog.get("templateSuffix"),
                "commentPolicy": blog.get("commentPolicy") or "MODERATED",
                "tags": [],
                "createdAt": now,
                "updatedAt": now,
            },
        )
        _write_metafields(store, record["id"], blog.get("metafields") or [])
        return {"blog": record, "userErrors": []}


@resolver("Mutation", "blogUpdate")
def m_blog_update(_: Any, info: Info, id: str, blog: Mapping[str, Any]) -> Any:
    store = _store(info)
    with store.lock:
        record = store.get("blog", id)
        if record is None:
            return {
                "blog": None,
                "userErrors": [user_error(["id"], "Blog does not exist", "NOT_FOUND")],
            }
        errors = _check_common("blog", blog, creating=False)
        if errors:
            return {"blog": None, "userErrors": errors}
        changes = {k: blog[k] for k in ("title", "templateSuffix", "commentPolicy") if k in blog}
        if blog.get("handle"):
            handle = _unique_handle(
                store, "blog", handleize(blog["handle"]), lambda r: r["id"] != id, first_suffix=1
            )
            if handle != record["handle"] and blog.get("redirectNewHandle"):
                _redirect(store, f"/blogs/{record['handle']}", f"/blogs/{handle}")
            changes["handle"] = handle
        record.update(changes, updatedAt=store.now())
        store.put("blog", record)
        _write_metafields(store, id, blog.get("metafields") or [])
        return {"blog": record, "userErrors": []}


@resolver("Mutation", "blogDelete")
def m_blog_delete(_: Any, info: Info, id: str) -> Any:
    store = _store(info)
    with store.lock:
        if store.get("blog", id) is None:
            return {
                "deletedBlogId": None,
                "userErrors": [user_error(["id"], "Blog does not exist", "NOT_FOUND")],
            }
        for article in store.articles_of(id):
            _delete_article(store, article["id"])
        _delete_owned(store, id)
        store.delete("blog", id)
        return {"deletedBlogId": id, "userErrors": []}


def _delete_owned(store: Store, owner_id: str) -> None:
    for metafield in store.metafields_of(owner_id):
        store.delete("metafield", metafield["id"])


# --------------------------------------------------------------------------- articles


@resolver("Mutation", "articleCreate")
def m_article_create(
    _: Any,
    info: Info,
    article: Mapping[str, Any],
    blog: Mapping[str, Any] | None = None,
) -> Any:
    store = _store(info)
    with store.lock:
        if article.get("blogId") and blog is not None:
            return _article_errors(
                [
                    user_error(
                        ["article"],
                        "Can't create a blog from input if a blog ID is supplied.",
                        "AMBIGUOUS_BLOG",
                    )
                ]
            )
        if not article.get("blogId") and blog is None:
            return _article_errors(
                [
                    user_error(
                        ["article"],
                        "Must reference or create a blog when creating an article.",
                        "BLOG_REFERENCE_REQUIRED",
                    )
                ]
            )
        author = article.get("author") or {}
        if author.get("name") and author.get("userId"):
            return _article_errors(
                [
                    user_error(
                        ["article"],
                        "Can't create an article if both author name and user ID are supplied.",
                        "AMBIGUOUS_AUTHOR",
                    )
                ]
            )
        if not author.get("name") and not author.get("userId"):
            return _article_errors(
                [
                    user_error(
                        ["article"],
                        "Can't create an article if both author name and user ID are blank.",
                        "AUTHOR_FIELD_REQUIRED",
                    )
                ]
            )
        if article.get("blogId") and store.get("blog", article["blogId"]) is None:
            return _article_errors(
                [user_error(["article"], "Must reference an existing blog.", "NOT_FOUND")]
            )
        errors = _check_common("article", article, creating=True)
        errors += _metafield_errors(
            store, article.get("metafields") or [], ["article", "metafields"]
        )
        publishing, date_errors = _publishing(store, "article", article, None)
        errors += date_errors
        if blog is not None:
            errors += _check_common("blog", blog, creating=True)
        if errors:
            return _article_errors(errors)
        blog_id = article.get("blogId")
        if blog_id is None:
            created = m_blog_create(None, info, {"title": blog["title"]})  # type: ignore[index]
            blog_id = created["blog"]["id"]

        def in_blog(r: Record) -> bool:
            return bool(r["blogId"] == blog_id)

        if article.get("handle"):
            handle = handleize(article["handle"])
            if any(r["handle"] == handle for r in store.all("article") if in_blog(r)):
                return _article_errors(
                    [user_error(["article", "handle"], "Handle has already been taken", "TAKEN")]
                )
        else:
            handle = _unique_handle(
                store, "article", handleize(article["title"]) or "article", in_blog
            )
        now = store.now()
        record = store.insert(
            "article",
            {
                "blogId": blog_id,
                "title": article["title"],
                "handle": handle,
                "body": article.get("body") or "",
                "summary": article.get("summary"),
                "tags": _tags(article.get("tags")),
                "author": {"name": author.get("name") or "Staff"},
                "image": _image(store, article.get("image")),
                "templateSuffix": article.get("templateSuffix"),
                "createdAt": now,
                "updatedAt": now,
                **publishing,
            },
        )
        _write_metafields(store, record["id"], article.get("metafields") or [])
        return {"article": record, "userErrors": []}


def _article_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"article": None, "userErrors": errors}


def _tags(tags: Iterable[str] | None) -> list[str]:
    """Shopify trims, de-duplicates and reads tags back sorted."""
    seen: dict[str, str] = {}
    for tag in tags or []:
        tag = tag.strip()
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return sorted(seen.values(), key=str.lower)


def _image(store: Store, image: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Shopify downloads an article image and serves it from its CDN under a new URL and id.

    The sandbox has no network, so it cannot know the size; it re-hosts by name only. Callers
    that compare images must therefore remember the source URL they sent (shopsync does).
    """
    if not image or not image.get("url"):
        return None
    name = str(image["url"]).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "image"
    version = int(store.clock().timestamp())
    number = store.next_number("article_image")
    return {
        "id": f"gid://shopify/ArticleImage/{number}",
        "url": f"https://cdn.shopify.com/s/files/1/0000/0001/articles/{name}?v={version}",
        "altText": image.get("altText"),
        "width": None,
        "height": None,
    }


@resolver("Mutation", "articleUpdate")
def m_article_update(
    _: Any,
    info: Info,
    id: str,
    article: Mapping[str, Any],
    blog: Mapping[str, Any] | None = None,
) -> Any:
    store = _store(info)
    with store.lock:
        record = store.get("article", id)
        if record is None:
            return _article_errors([user_error(["article"], "Article not found", "NOT_FOUND")])
        blog_id = article.get("blogId") or record["blogId"]
        if article.get("blogId") and store.get("blog", article["blogId"]) is None:
            return _article_errors(
                [user_error(["article"], "Must reference an existing blog.", "NOT_FOUND")]
            )
        errors = _check_common("article", article, creating=False)
        errors += _metafield_errors(
            store, article.get("metafields") or [], ["article", "metafields"]
        )
        publishing, date_errors = _publishing(store, "article", article, record)
        errors += date_errors
        if errors:
            return _article_errors(errors)
        changes: dict[str, Any] = {
            k: article[k] for k in ("title", "body", "summary", "templateSuffix") if k in article
        }
        if "tags" in article:
            changes["tags"] = _tags(article["tags"])
        if "image" in article:
            changes["image"] = _image(store, article["image"])
        if article.get("author") and article["author"].get("name"):
            changes["author"] = {"name": article["author"]["name"]}
        if article.get("handle"):
            handle = handleize(article["handle"])
            if any(r["handle"] == handle and r["id"] != id for r in store.articles_of(blog_id)):
                return _article_errors(
                    [user_error(["article", "handle"], "Handle has already been taken", "TAKEN")]
                )
            changes["handle"] = handle
        old_blog = store.get("blog", record["blogId"]) or {"handle": ""}
        old_path = f"/blogs/{old_blog['handle']}/{record['handle']}"
        record.update(changes, blogId=blog_id, **publishing)
        new_blog = store.get("blog", blog_id) or {"handle": ""}
        new_path = f"/blogs/{new_blog['handle']}/{record['handle']}"
        if article.get("redirectNewHandle") and new_path != old_path:
            _redirect(store, old_path, new_path)
        record["updatedAt"] = store.now()
        store.put("article", record)
        _write_metafields(store, id, article.get("metafields") or [])
        return {"article": record, "userErrors": []}


def _delete_article(store: Store, article_id: str) -> None:
    for comment in store.all("comment"):
        if comment["articleId"] == article_id:
            store.delete("comment", comment["id"])
    _delete_owned(store, article_id)
    store.delete("article", article_id)


@resolver("Mutation", "articleDelete")
def m_article_delete(_: Any, info: Info, id: str) -> Any:
    store = _store(info)
    with store.lock:
        if store.get("article", id) is None:
            return {
                "deletedArticleId": None,
                "userErrors": [user_error(["id"], "Article does not exist", "NOT_FOUND")],
            }
        _delete_article(store, id)
        return {"deletedArticleId": id, "userErrors": []}


# --------------------------------------------------------------------------- pages


def _page_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"page": None, "userErrors": errors}


@resolver("Mutation", "pageCreate")
def m_page_create(_: Any, info: Info, page: Mapping[str, Any]) -> Any:
    store = _store(info)
    with store.lock:
        errors = _check_common("page", page, creating=True)
        errors += _metafield_errors(store, page.get("metafields") or [], ["page", "metafields"])
        publishing, date_errors = _publishing(store, "page", page, None)
        errors += date_errors
        if errors:
            return _page_errors(errors)
        if page.get("handle"):
            handle = handleize(page["handle"])
            if store.page_by_handle(handle) is not None:
                return _page_errors(
                    [user_error(["page", "handle"], "Handle has already been taken", "TAKEN")]
                )
        else:
            handle = _unique_handle(
                store, "page", handleize(page["title"]) or "page", lambda _r: True
            )
        now = store.now()
        record = store.insert(
            "page",
            {
                "title": page["title"],
                "handle": handle,
                "body": page.get("body") or "",
                "templateSuffix": page.get("templateSuffix"),
                "createdAt": now,
                "updatedAt": now,
                **publishing,
            },
        )
        record["bodySummary"] = _summary(record["body"])
        store.put("page", record)
        _write_metafields(store, record["id"], page.get("metafields") or [])
        return {"page": record, "userErrors": []}


def _summary(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()
    return text[:150]


@resolver("Mutation", "pageUpdate")
def m_page_update(_: Any, info: Info, id: str, page: Mapping[str, Any]) -> Any:
    store = _store(info)
    with store.lock:
        record = store.get("page", id)
        if record is None:
            return _page_errors([user_error(["id"], "Page does not exist", "NOT_FOUND")])
        errors = _check_common("page", page, creating=False)
        errors += _metafield_errors(store, page.get("metafields") or [], ["page", "metafields"])
        publishing, date_errors = _publishing(store, "page", page, record)
        errors += date_errors
        if errors:
            return _page_errors(errors)
        changes = {k: page[k] for k in ("title", "body", "templateSuffix") if k in page}
        if page.get("handle"):
            handle = handleize(page["handle"])
            other = store.page_by_handle(handle)
            if other is not None and other["id"] != id:
                return _page_errors(
                    [user_error(["page", "handle"], "Handle has already been taken", "TAKEN")]
                )
            if handle != record["handle"] and page.get("redirectNewHandle"):
                _redirect(store, f"/pages/{record['handle']}", f"/pages/{handle}")
            changes["handle"] = handle
        record.update(changes, **publishing)
        record["bodySummary"] = _summary(record["body"])
        record["updatedAt"] = store.now()
        store.put("page", record)
        _write_metafields(store, id, page.get("metafields") or [])
        return {"page": record, "userErrors": []}


@resolver("Mutation", "pageDelete")
def m_page_delete(_: Any, info: Info, id: str) -> Any:
    store = _store(info)
    with store.lock:
        if store.get("page", id) is None:
            return {
                "deletedPageId": None,
                "userErrors": [user_error(["id"], "Page does not exist", "NOT_FOUND")],
            }
        _delete_owned(store, id)
        store.delete("page", id)
        return {"deletedPageId": id, "userErrors": []}


# --------------------------------------------------------------------------- metafields


@resolver("Mutation", "metafieldsSet")
def m_metafields_set(_: Any, info: Info, metafields: list[Mapping[str, Any]]) -> Any:
    store = _store(info)
    with store.lock:
        if len(metafields) > 25:
            return {
                "metafields": None,
                "userErrors": [
                    {
                        "field": ["metafields"],
                        "message": "Exceeded the maximum metafields input limit of 25.",
                        "code": "LESS_THAN_OR_EQUAL_TO",
                        "elementIndex": None,
                    }
                ],
            }
        errors = []
        for index, item in enumerate(metafields):
            owner_kind = store.kind_of(item["ownerId"])
            if owner_kind is None or store.get(owner_kind, item["ownerId"]) is None:
                errors.append(
                    {
                        "field": ["metafields", str(index), "ownerId"],
                        "message": "Owner does not exist.",
                        "code": "INVALID",
                        "elementIndex": index,
                    }
                )
                continue
            namespace, key = _split_key(item.get("namespace"), item["key"])
            existing = next(
                (
                    m
                    for m in store.metafields_of(item["ownerId"])
                    if (m["namespace"], m["key"]) == (namespace, key)
                ),
                None,
            )
            typed = {**item, "type": item.get("type") or (existing or {}).get("type")}
            problem = metafield_rules.check(typed, _exists(store))
            if problem is not None:
                errors.append(
                    {
                        "field": ["metafields", str(index), problem.field],
                        "message": problem.message,
                        "code": problem.code,
                        "elementIndex": problem.element_index,
                    }
                )
            digest = item.get("compareDigest")
            if digest is not None and (existing is None or _digest(existing) != digest):
                errors.append(
                    {
                        "field": ["metafields", str(index)],
                        "message": STALE_MESSAGE,
                        "code": "STALE_OBJECT",
                        "elementIndex": index,
                    }
                )
        if errors:
            return {"metafields": [], "userErrors": errors}
        written = []
        for item in metafields:
            existing_type = next(
                (
                    m["type"]
                    for m in store.metafields_of(item["ownerId"])
                    if (m["namespace"], m["key"]) == _split_key(item.get("namespace"), item["key"])
                ),
                None,
            )
            written += _write_metafields(
                store, item["ownerId"], [{**item, "type": item.get("type") or existing_type}]
            )
        return {"metafields": written, "userErrors": []}


@resolver("Mutation", "metafieldsDelete")
def m_metafields_delete(_: Any, info: Info, metafields: list[Mapping[str, Any]]) -> Any:
    store = _store(info)
    with store.lock:
        deleted: list[dict[str, Any] | None] = []
        for item in metafields:
            found = next(
                (
                    m
                    for m in store.metafields_of(item["ownerId"])
                    if (m["namespace"], m["key"]) == (item["namespace"], item["key"])
                ),
                None,
            )
            if found is None:
                deleted.append(None)
                continue
            store.delete("metafield", found["id"])
            deleted.append(
                {"ownerId": item["ownerId"], "namespace": item["namespace"], "key": item["key"]}
            )
        return {"deletedMetafields": deleted, "userErrors": []}


# --------------------------------------------------------------------------- redirects


@resolver("Mutation", "urlRedirectCreate")
def m_redirect_create(_: Any, info: Info, urlRedirect: Mapping[str, Any]) -> Any:
    store = _store(info)
    with store.lock:
        path, target = urlRedirect.get("path"), urlRedirect.get("target")
        errors = []
        if not path:
            errors.append(
                {
                    "field": ["urlRedirect", "path"],
                    "message": "Path can't be blank",
                    "code": "CREATE_FAILED",
                }
            )
        elif any(r["path"] == path for r in store.all("redirect")):
            errors.append(
                {
                    "field": ["urlRedirect", "path"],
                    "message": "Path has already been taken",
                    "code": "CREATE_FAILED",
                }
            )
        if not target:
            errors.append(
                {
                    "field": ["urlRedirect", "target"],
                    "message": "Target can't be blank",
                    "code": "CREATE_FAILED",
                }
            )
        elif path == target:
            errors.append(
                {
                    "field": ["urlRedirect", "target"],
                    "message": "Target cannot be the same as path",
                    "code": "CREATE_FAILED",
                }
            )
        if errors:
            return {"urlRedirect": None, "userErrors": errors}
        return {
            "urlRedirect": store.insert("redirect", {"path": path, "target": target}),
            "userErrors": [],
        }


@resolver("Mutation", "urlRedirectDelete")
def m_redirect_delete(_: Any, info: Info, id: str) -> Any:
    store = _store(info)
    if store.delete("redirect", id) is None:
        return {
            "deletedUrlRedirectId": None,
            "userErrors": [
                {
                    "field": ["id"],
                    "message": "Url redirect does not exist",
                    "code": "DOES_NOT_EXIST",
                }
            ],
        }
    return {"deletedUrlRedirectId": id, "userErrors": []}

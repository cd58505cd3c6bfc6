"""Blogs, articles, pages and comments, with the rules a live store enforces on them.

Handles (TAKEN vs generated ``-1``), required fields, length limits, publish dates, partial
updates, sorted tags, verbatim bodies and redirects follow ``shared/shopify/README.md`` and the
captures; ``tests/sandbox/test_parity.py`` replays those against this code.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from shopsync.sandbox.definitions import app_of
from shopsync.sandbox.resolving import (
    Info,
    Resolver,
    connection,
    count,
    getter,
    listing,
    published_status,
    resolver_table,
    search,
    searched,
    store_of,
    user_error,
)
from shopsync.sandbox.shop import delete_owned, metafield_errors, redirect, write_metafields
from shopsync.sandbox.store import CDN_ROOT, Record, Store, number_of

#: This module's resolvers by ``(type, field)``, for the engine; ``@resolver`` fills it.
RESOLVERS, resolver = resolver_table()

TITLE_MAX = 255


HANDLE_MAX = {"article": 265, "page": 255, "blog": 255}


ARTICLE_BODY_MAX = 1024 * 1024


PAGE_BODY_MAX = 512 * 1024


ARTICLE_SEARCH: dict[str, Callable[[Record], Any]] = {
    "blog_id": lambda r: number_of(r["blogId"]),
    "handle": lambda r: r["handle"],
    "title": lambda r: r["title"],
    "author": lambda r: (r.get("author") or {}).get("name"),
    "tag": lambda r: r.get("tags") or [],
    "tag_not": lambda r: r.get("tags") or [],
    "id": lambda r: number_of(r["id"]),
    "published_status": published_status,
}


def _article_search(store: Store) -> dict[str, Callable[[Record], Any]]:
    """Article filters, plus ``blog_title`` which needs the blogs."""
    titles = {b["id"]: b["title"] for b in store.all("blog")}
    return {**ARTICLE_SEARCH, "blog_title": lambda r: titles.get(r["blogId"])}


PAGE_SEARCH: dict[str, Callable[[Record], Any]] = {
    "handle": lambda r: r["handle"],
    "title": lambda r: r["title"],
    "id": lambda r: number_of(r["id"]),
    "published_status": published_status,
}


BLOG_SEARCH: dict[str, Callable[[Record], Any]] = {
    "handle": lambda r: r["handle"],
    "title": lambda r: r["title"],
    "id": lambda r: number_of(r["id"]),
}


resolver("QueryRoot", "blog")(getter("blog"))


resolver("QueryRoot", "article")(getter("article"))


resolver("QueryRoot", "page")(getter("page"))
resolver("QueryRoot", "blogs")(listing("blog", BLOG_SEARCH))
resolver("QueryRoot", "articles")(listing("article", _article_search))
resolver("QueryRoot", "pages")(listing("page", PAGE_SEARCH))


@resolver("QueryRoot", "blogsCount")
def q_blogs_count(_: Any, info: Info, query: str | None = None, limit: int | None = None) -> Any:
    return count(len(searched(store_of(info), "blog", query, BLOG_SEARCH)))


@resolver("QueryRoot", "pagesCount")
def q_pages_count(_: Any, info: Info, limit: int | None = None) -> Any:
    return count(len(store_of(info).all("page")))


@resolver("QueryRoot", "articleAuthors")
def q_authors(_: Any, info: Info, **args: Any) -> Any:
    names = sorted(
        {(a.get("author") or {}).get("name") or "" for a in store_of(info).all("article")}
    )
    authors = [
        {"id": f"gid://shopify/ArticleAuthor/{i + 1}", "name": n} for i, n in enumerate(names) if n
    ]
    return connection(authors, **args)


@resolver("QueryRoot", "articleTags")
def q_tags(_: Any, info: Info, limit: int, sort: str | None = None) -> Any:
    counts: dict[str, int] = {}
    for article in store_of(info).all("article"):
        for tag in article.get("tags") or []:
            counts[tag] = counts.get(tag, 0) + 1
    if sort == "POPULAR":
        tags = sorted(counts, key=lambda t: (-counts[t], t.lower()))
    else:
        tags = sorted(counts, key=str.lower)
    return tags[:limit]


@resolver("Article", "blog")
def f_article_blog(article: Record, info: Info) -> Any:
    return store_of(info).get("blog", article["blogId"])


@resolver("Blog", "articles")
def f_blog_articles(
    blog: Record,
    info: Info,
    query: str | None = None,
    sortKey: str | None = None,
    **args: Any,
) -> Any:
    mine = [a for a in store_of(info).all("article") if a["blogId"] == blog["id"]]
    return connection(
        search(mine, query, _article_search(store_of(info))), sort_key=sortKey, **args
    )


@resolver("Blog", "tags")
def f_blog_tags(blog: Record, info: Info) -> Any:
    """A blog's tags are those of its articles, as the admin shows them."""
    tags = {t for a in store_of(info).articles_of(blog["id"]) for t in a.get("tags") or []}
    return sorted(tags, key=str.lower)


@resolver("Blog", "articlesCount")
def f_blog_articles_count(blog: Record, info: Info, **_: Any) -> Any:
    return count(len(store_of(info).articles_of(blog["id"])))


@resolver("Article", "comments")
def f_comments(
    article: Record,
    info: Info,
    query: str | None = None,
    sortKey: str | None = None,
    **args: Any,
) -> Any:
    mine = searched(
        store_of(info), "comment", query, COMMENT_SEARCH, lambda c: c["articleId"] == article["id"]
    )
    return connection(mine, sort_key=sortKey, **args)


COMMENT_SEARCH: dict[str, Callable[[Record], Any]] = {
    "status": lambda r: r["status"],
    "published_status": published_status,
    "id": lambda r: number_of(r["id"]),
}


resolver("QueryRoot", "comment")(getter("comment"))
resolver("QueryRoot", "comments")(listing("comment", COMMENT_SEARCH))


def _moderate(status: str, published: bool) -> Resolver:
    """commentApprove / commentSpam / commentNotSpam: a status, and published or not."""

    def moderate(_: Any, info: Info, id: str) -> Any:
        store = store_of(info)
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


resolver("Mutation", "commentApprove")(_moderate("PUBLISHED", True))


resolver("Mutation", "commentSpam")(_moderate("SPAM", False))


resolver("Mutation", "commentNotSpam")(_moderate("UNAPPROVED", False))


@resolver("Mutation", "commentDelete")
def m_comment_delete(_: Any, info: Info, id: str) -> Any:
    if store_of(info).delete("comment", id) is None:
        error = user_error(["id"], "Comment does not exist", "NOT_FOUND")
        return {"deletedCommentId": None, "userErrors": [error]}
    return {"deletedCommentId": id, "userErrors": []}


@resolver("Article", "commentsCount")
def f_comments_count(article: Record, info: Info, query: str | None = None, **_: Any) -> Any:
    mine = searched(
        store_of(info), "comment", query, COMMENT_SEARCH, lambda c: c["articleId"] == article["id"]
    )
    return count(len(mine))


@resolver("Comment", "article")
def f_comment_article(comment: Record, info: Info) -> Any:
    return store_of(info).get("article", comment["articleId"])


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


@resolver("Mutation", "blogCreate")
def m_blog_create(_: Any, info: Info, blog: Mapping[str, Any]) -> Any:
    store = store_of(info)
    with store.lock:
        errors = _check_common("blog", blog, creating=True)
        errors += metafield_errors(
            store,
            blog.get("metafields") or [],
            ["blog", "metafields"],
            owner_type="BLOG",
            app=app_of(info),
        )
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
        write_metafields(store, record["id"], blog.get("metafields") or [], app_of(info))
        return {"blog": record, "userErrors": []}


@resolver("Mutation", "blogUpdate")
def m_blog_update(_: Any, info: Info, id: str, blog: Mapping[str, Any]) -> Any:
    store = store_of(info)
    with store.lock:
        record = store.get("blog", id)
        if record is None:
            return {
                "blog": None,
                "userErrors": [user_error(["id"], "Blog does not exist", "NOT_FOUND")],
            }
        errors = _check_common("blog", blog, creating=False)
        errors += metafield_errors(
            store,
            blog.get("metafields") or [],
            ["blog", "metafields"],
            owner_type="BLOG",
            app=app_of(info),
        )
        if errors:
            return {"blog": None, "userErrors": errors}
        changes = {k: blog[k] for k in ("title", "templateSuffix", "commentPolicy") if k in blog}
        if blog.get("handle"):
            handle = _unique_handle(
                store, "blog", handleize(blog["handle"]), lambda r: r["id"] != id, first_suffix=1
            )
            if handle != record["handle"] and blog.get("redirectNewHandle"):
                redirect(store, f"/blogs/{record['handle']}", f"/blogs/{handle}")
            changes["handle"] = handle
        record.update(changes, updatedAt=store.now())
        store.put("blog", record)
        write_metafields(store, id, blog.get("metafields") or [], app_of(info))
        return {"blog": record, "userErrors": []}


@resolver("Mutation", "blogDelete")
def m_blog_delete(_: Any, info: Info, id: str) -> Any:
    store = store_of(info)
    with store.lock:
        if store.get("blog", id) is None:
            return {
                "deletedBlogId": None,
                "userErrors": [user_error(["id"], "Blog does not exist", "NOT_FOUND")],
            }
        for article in store.articles_of(id):
            _delete_article(store, article["id"])
        delete_owned(store, id)
        store.delete("blog", id)
        return {"deletedBlogId": id, "userErrors": []}


@resolver("Mutation", "articleCreate")
def m_article_create(
    _: Any,
    info: Info,
    article: Mapping[str, Any],
    blog: Mapping[str, Any] | None = None,
) -> Any:
    store = store_of(info)
    with store.lock:
        staff = info.context.get("staff") or {}
        refusal = _blog_or_author_error(store, article, blog, staff)
        if refusal is not None:
            return _article_errors([refusal])
        errors = _check_common("article", article, creating=True)
        errors += _image_errors(article, None)
        errors += metafield_errors(
            store,
            article.get("metafields") or [],
            ["article", "metafields"],
            owner_type="ARTICLE",
            app=app_of(info),
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
        handle = _new_article_handle(store, article, blog_id)
        if handle is None:
            return _article_errors(
                [user_error(["article", "handle"], "Handle has already been taken", "TAKEN")]
            )
        author = article.get("author") or {}
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
                "author": _author_of(author, staff),
                "image": _new_image(store, article.get("image"), None),
                "templateSuffix": article.get("templateSuffix"),
                "createdAt": now,
                "updatedAt": now,
                **publishing,
            },
        )
        write_metafields(store, record["id"], article.get("metafields") or [], app_of(info))
        return {"article": record, "userErrors": []}


def _blog_or_author_error(
    store: Store,
    article: Mapping[str, Any],
    blog: Mapping[str, Any] | None,
    staff: Mapping[str, str],
) -> dict[str, Any] | None:
    """The first blog or author rule an ``articleCreate`` breaks: then the only error said."""
    author = article.get("author") or {}
    if article.get("blogId") and blog is not None:
        return user_error(
            ["article"],
            "Can't create a blog from input if a blog ID is supplied.",
            "AMBIGUOUS_BLOG",
        )
    if not article.get("blogId") and blog is None:
        return user_error(
            ["article"],
            "Must reference or create a blog when creating an article.",
            "BLOG_REFERENCE_REQUIRED",
        )
    ambiguous_or_unknown = _author_error(author, staff, "create")
    if ambiguous_or_unknown is not None:
        return ambiguous_or_unknown
    if not author.get("name") and not author.get("userId"):
        return user_error(
            ["article"],
            "Can't create an article if both author name and user ID are blank.",
            "AUTHOR_FIELD_REQUIRED",
        )
    if article.get("blogId") and store.get("blog", article["blogId"]) is None:
        return user_error(["article"], "Must reference an existing blog.", "NOT_FOUND")
    return None


def _author_error(
    author: Mapping[str, Any], staff: Mapping[str, str], verb: str
) -> dict[str, Any] | None:
    """A name and a user id both (AMBIGUOUS_AUTHOR), or a user id of no staff member
    (AUTHOR_MUST_EXIST): ``online-store-article-update-validation.json`` (airhorns/shopify-draft-
    proxy, fixtures/conformance/harry-test-heelo.myshopify.com/2025-01/online-store/) records both
    on articleUpdate; articleCreate's words are its enum's descriptions, which are word for word
    the update's messages and the create's AUTHOR_FIELD_REQUIRED one."""
    if author.get("name") and author.get("userId"):
        return user_error(
            ["article"],
            f"Can't {verb} an article author if both author name and user ID are supplied.",
            "AMBIGUOUS_AUTHOR",
        )
    if author.get("userId") and author["userId"] not in staff:
        return user_error(
            ["article"], "User must exist if a user ID is supplied.", "AUTHOR_MUST_EXIST"
        )
    return None


def _author_of(author: Mapping[str, Any], staff: Mapping[str, str]) -> dict[str, Any]:
    """The stored author: the name given, or the staff member's the user id names."""
    return {"name": author.get("name") or staff[author["userId"]]}


def _new_article_handle(store: Store, article: Mapping[str, Any], blog_id: str) -> str | None:
    """The handle asked for (None when the blog has it already), else one from the title.

    Only a generated handle is silently made unique; an explicit one is TAKEN.
    """

    def in_blog(r: Record) -> bool:
        return bool(r["blogId"] == blog_id)

    if article.get("handle"):
        handle = handleize(article["handle"])
        taken = any(r["handle"] == handle for r in store.all("article") if in_blog(r))
        return None if taken else handle
    return _unique_handle(store, "article", handleize(article["title"]) or "article", in_blog)


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


ALT_WITHOUT_IMAGE = (
    "Cannot update image alt text without an existing image or providing a new image URL"
)


def _image_errors(article: Mapping[str, Any], record: Record | None) -> list[dict[str, Any]]:
    """Alt text with no URL for an article that has no image: refused, INVALID on
    ``["article", "image"]`` (``online-store-article-update-validation.json``, the last step; the
    same rule is assumed for articleCreate, which has no image to keep)."""
    image = article.get("image")
    if not image or image.get("url"):
        return []
    has_image = bool(record and record.get("image"))
    if str(image.get("altText") or "").strip() and not has_image:
        return [user_error(["article", "image"], ALT_WITHOUT_IMAGE, "INVALID")]
    return []


def _new_image(
    store: Store, image: Mapping[str, Any] | None, current: Record | None
) -> dict[str, Any] | None:
    """The article's image after ``image`` was sent (``current``: the one it has).

    - ``{url, altText}``: Shopify downloads the URL and serves its own copy, under a new id and
      a new CDN URL every time, even for a URL it downloaded before: the second copy of a name it
      already hosts gets a ``_<uuid>`` suffix (``...media-navigation-follow-through.json`` and
      ``...authoritative-content-hydration.json`` in ``shared/shopify/captures``:
      ``articles/png.png?v=...``, then ``articles/png_<uuid>.png?v=...``).
    - ``{altText}`` alone on an article with an image: the same image (id, URL) with the new alt
      text, nothing downloaded (what the refusal above implies: alt text needs "an existing
      image or ... a new image URL").
    - ``null`` (or an input with neither): no image; reads give ``image: null``. No live
      recording shows a removal; the schema's nullable ``image`` input is all there is.

    The sandbox has no network, so it cannot know the size or the real file type; it names the
    copy after the URL's last path segment. Callers that compare images must therefore remember
    the source URL they sent (shopsync does).
    """
    if not image:
        return None
    if not image.get("url"):
        if current is None or not str(image.get("altText") or "").strip():
            return None
        return {**current, "altText": image.get("altText")}
    name = str(image["url"]).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "image"
    hosted = {
        str(a["image"]["url"]).split("?", 1)[0].rsplit("/", 1)[-1]
        for a in store.all("article")
        if a.get("image")
    }
    if name in hosted:
        stem, dot, extension = name.rpartition(".")
        stem, extension = (stem, f".{extension}") if dot else (name, "")
        renamed = f"{stem}_{uuid.uuid4()}{extension}"
        if name in store.file_data:  # an uploaded file's bytes: the storefront serves the copy
            store.file_data[renamed] = store.file_data[name]
        name = renamed
    version = int(store.clock().timestamp())
    number = store.next_number("article_image")
    return {
        "id": f"gid://shopify/ArticleImage/{number}",
        "url": f"{CDN_ROOT}articles/{name}?v={version}",
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
    store = store_of(info)
    with store.lock:
        record = store.get("article", id)
        if record is None:
            return _article_errors([user_error(["article"], "Article not found", "NOT_FOUND")])
        blog_id = article.get("blogId") or record["blogId"]
        if article.get("blogId") and store.get("blog", article["blogId"]) is None:
            return _article_errors(
                [user_error(["article"], "Must reference an existing blog.", "NOT_FOUND")]
            )
        staff = info.context.get("staff") or {}
        author = article.get("author") or {}
        author_refusal = _author_error(author, staff, "update")
        if author_refusal is not None:
            return _article_errors([author_refusal])
        errors = _check_common("article", article, creating=False)
        errors += _image_errors(article, record)
        errors += metafield_errors(
            store,
            article.get("metafields") or [],
            ["article", "metafields"],
            owner_type="ARTICLE",
            app=app_of(info),
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
            changes["image"] = _new_image(store, article["image"], record.get("image"))
        if author.get("name") or author.get("userId"):
            changes["author"] = _author_of(author, staff)
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
            redirect(store, old_path, new_path)
        record["updatedAt"] = store.now()
        store.put("article", record)
        write_metafields(store, id, article.get("metafields") or [], app_of(info))
        return {"article": record, "userErrors": []}


def _delete_article(store: Store, article_id: str) -> None:
    for comment in store.all("comment"):
        if comment["articleId"] == article_id:
            store.delete("comment", comment["id"])
    delete_owned(store, article_id)
    store.delete("article", article_id)


@resolver("Mutation", "articleDelete")
def m_article_delete(_: Any, info: Info, id: str) -> Any:
    store = store_of(info)
    with store.lock:
        if store.get("article", id) is None:
            return {
                "deletedArticleId": None,
                "userErrors": [user_error(["id"], "Article does not exist", "NOT_FOUND")],
            }
        _delete_article(store, id)
        return {"deletedArticleId": id, "userErrors": []}


def _page_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"page": None, "userErrors": errors}


@resolver("Mutation", "pageCreate")
def m_page_create(_: Any, info: Info, page: Mapping[str, Any]) -> Any:
    store = store_of(info)
    with store.lock:
        errors = _check_common("page", page, creating=True)
        errors += metafield_errors(
            store,
            page.get("metafields") or [],
            ["page", "metafields"],
            owner_type="PAGE",
            app=app_of(info),
        )
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
        write_metafields(store, record["id"], page.get("metafields") or [], app_of(info))
        return {"page": record, "userErrors": []}


def _summary(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()
    return text[:150]


@resolver("Mutation", "pageUpdate")
def m_page_update(_: Any, info: Info, id: str, page: Mapping[str, Any]) -> Any:
    store = store_of(info)
    with store.lock:
        record = store.get("page", id)
        if record is None:
            return _page_errors([user_error(["id"], "Page does not exist", "NOT_FOUND")])
        errors = _check_common("page", page, creating=False)
        errors += metafield_errors(
            store,
            page.get("metafields") or [],
            ["page", "metafields"],
            owner_type="PAGE",
            app=app_of(info),
        )
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
                redirect(store, f"/pages/{record['handle']}", f"/pages/{handle}")
            changes["handle"] = handle
        record.update(changes, **publishing)
        record["bodySummary"] = _summary(record["body"])
        record["updatedAt"] = store.now()
        store.put("page", record)
        write_metafields(store, id, page.get("metafields") or [], app_of(info))
        return {"page": record, "userErrors": []}


@resolver("Mutation", "pageDelete")
def m_page_delete(_: Any, info: Info, id: str) -> Any:
    store = store_of(info)
    with store.lock:
        if store.get("page", id) is None:
            return {
                "deletedPageId": None,
                "userErrors": [user_error(["id"], "Page does not exist", "NOT_FOUND")],
            }
        delete_owned(store, id)
        store.delete("page", id)
        return {"deletedPageId": id, "userErrors": []}

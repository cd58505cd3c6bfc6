"""What one answer means, as tables: (status, headers, body, mutation?, idempotent?) in,
data or (error, retry, after, refresh, maybe_applied) out. Pure functions, no server."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from shopsync.admin.responses import (
    DEFAULT_429_WAIT,
    Call,
    Failure,
    date_header,
    mutation_payload,
    read_reply,
    upload_answer,
)
from shopsync.errors import (
    AuthError,
    ConfigError,
    QueryError,
    ScopeError,
    ServerError,
    ShopsyncError,
    ThrottledError,
    UserErrors,
)

#: The wall clock the rows are read at (an HTTP-date Retry-After is measured from it).
NOW = 1_800_000_000.0
DATA: dict[str, Any] = {"blogs": {"nodes": []}}


def _cost(requested: float, available: float, rate: float = 20.0) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": None,
            "throttleStatus": {
                "maximumAvailable": 1000.0,
                "currentlyAvailable": available,
                "restoreRate": rate,
            },
        }
    }


def _errors(code: str | None, message: str = "refused", **extensions: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message}
    if code is not None:
        error["extensions"] = {"code": code, **extensions}
    return {"errors": [error]}


def _date(offset: float) -> str:
    return email.utils.formatdate(NOW + offset, usegmt=True)


@dataclass(frozen=True)
class Row:
    status: int
    headers: dict[str, str]
    body: Any
    mutation: bool
    idempotent: bool
    expect: type[ShopsyncError] | None  # None: the answer is data
    retry: bool = False
    after: float | None = None
    refresh: bool = False
    maybe_applied: bool = False


ROWS: dict[str, Row] = {
    "200 data": Row(200, {}, {"data": DATA, "extensions": _cost(1, 999)}, False, True, None),
    "200 data for a create": Row(200, {}, {"data": DATA}, True, False, None),
    "THROTTLED waits for the missing points": Row(
        200,
        {},
        {**_errors("THROTTLED", "Throttled"), "extensions": _cost(50, 10)},
        False,
        True,
        ThrottledError,
        retry=True,
        after=2.0,  # (50 requested - 10 available) / 20 per second
    ),
    "THROTTLED create: nothing happened, so it is resent": Row(
        200,
        {},
        {**_errors("THROTTLED"), "extensions": _cost(10, 10)},
        True,
        False,
        ThrottledError,
        retry=True,
        after=0.0,
    ),
    "THROTTLED without a cost report backs off": Row(
        200, {}, _errors("THROTTLED"), False, True, ThrottledError, retry=True
    ),
    "MAX_COST_EXCEEDED": Row(
        200,
        {},
        _errors("MAX_COST_EXCEEDED", "Query cost is 2510, which exceeds the single query max"),
        False,
        True,
        ThrottledError,
    ),
    "ACCESS_DENIED": Row(
        200,
        {},
        _errors("ACCESS_DENIED", requiredAccess="`read_products` access scope."),
        False,
        True,
        ScopeError,
    ),
    "INTERNAL_SERVER_ERROR query": Row(
        200, {}, _errors("INTERNAL_SERVER_ERROR"), False, True, ServerError, retry=True
    ),
    "INTERNAL_SERVER_ERROR create": Row(
        200, {}, _errors("INTERNAL_SERVER_ERROR"), True, False, ServerError, maybe_applied=True
    ),
    "INTERNAL_SERVER_ERROR idempotent write": Row(
        200,
        {},
        _errors("INTERNAL_SERVER_ERROR"),
        True,
        True,
        ServerError,
        retry=True,
        maybe_applied=True,
    ),
    "other error code": Row(200, {}, _errors("BAD_USER_INPUT"), False, True, QueryError),
    "error without a code": Row(200, {}, _errors(None), True, False, QueryError),
    "errors beside data": Row(200, {}, {"data": DATA, **_errors(None)}, False, True, QueryError),
    "401 asks for a new token": Row(
        401, {}, {"errors": "[API] Invalid API key"}, True, False, AuthError, True, 0.0, True
    ),
    "403": Row(403, {}, None, False, True, AuthError),
    "404": Row(404, {}, None, False, True, ConfigError),
    "402 frozen": Row(402, {}, None, False, True, ServerError),
    "423 locked": Row(423, {}, None, True, True, ServerError),
    "429 Retry-After seconds": Row(
        429, {"Retry-After": "7"}, None, True, False, ServerError, retry=True, after=7.0
    ),
    "429 Retry-After date": Row(
        429, {"Retry-After": _date(30)}, None, False, True, ServerError, retry=True, after=30.0
    ),
    "429 Retry-After date passed": Row(
        429, {"Retry-After": _date(-30)}, None, False, True, ServerError, retry=True, after=0.0
    ),
    "429 Retry-After garbled": Row(
        429, {"Retry-After": "soon"}, None, False, True, ServerError, True, DEFAULT_429_WAIT
    ),
    "429 without Retry-After": Row(
        429, {}, None, False, True, ServerError, retry=True, after=DEFAULT_429_WAIT
    ),
    "500 query": Row(500, {}, None, False, True, ServerError, retry=True),
    "502 idempotent write": Row(
        502, {}, {"data": DATA}, True, True, ServerError, retry=True, maybe_applied=True
    ),
    "503 create": Row(503, {}, None, True, False, ServerError, maybe_applied=True),
    "not JSON, query": Row(200, {}, None, False, True, ServerError, retry=True),
    "not JSON, create": Row(200, {}, None, True, False, ServerError, maybe_applied=True),
    "JSON without data or errors": Row(
        200, {}, {"extensions": {}}, True, False, ServerError, maybe_applied=True
    ),
    "data that is not an object": Row(200, {}, {"data": None}, False, True, ServerError, True),
    "400 with errors": Row(400, {}, _errors(None, "syntax error"), False, True, QueryError),
    "400 not JSON": Row(400, {}, None, True, True, QueryError),
}


def _read(row: Row) -> Any:
    call = Call("Op", row.mutation, row.idempotent, "2026-07", "https://shop.myshopify.com")
    return read_reply(row.status, row.headers, row.body, call, now=NOW)


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_an_answer_is_data_or_a_failure(row: Row) -> None:
    if row.expect is None:
        assert _read(row).data == row.body["data"]
        return
    with pytest.raises(Failure) as caught:
        _read(row)
    failure = caught.value
    assert type(failure.error) is row.expect
    assert (failure.retry, failure.after, failure.refresh, failure.maybe_applied) == (
        row.retry,
        row.after,
        row.refresh,
        row.maybe_applied,
    )
    assert failure.error.maybe_applied is row.maybe_applied
    if isinstance(failure.error, ConfigError):
        assert "version 2026-07 at https://shop.myshopify.com" in failure.error.message
    else:
        assert getattr(failure.error, "operation", None) == "Op"


def test_only_429_and_throttled_are_counted_as_throttling() -> None:
    counted: set[str] = set()
    for name, row in ROWS.items():
        try:
            _read(row)
        except Failure as failure:
            if failure.throttled:
                counted.add(name)
    assert counted == {name for name in ROWS if name.startswith(("429", "THROTTLED"))}


def test_the_cost_report_travels_with_data_and_with_graphql_failures() -> None:
    reply = _read(ROWS["200 data"])
    assert reply.cost is not None and reply.cost.requested == 1
    with pytest.raises(Failure) as caught:
        _read(ROWS["THROTTLED waits for the missing points"])
    assert caught.value.cost is not None and caught.value.cost.requested == 50


def test_messages_name_what_was_refused() -> None:
    messages: dict[str, str] = {}
    for name in ("ACCESS_DENIED", "MAX_COST_EXCEEDED", "400 with errors", "400 not JSON"):
        with pytest.raises(Failure) as caught:
            _read(ROWS[name])
        messages[name] = caught.value.error.message
        if isinstance(caught.value.error, ScopeError):
            assert caught.value.error.missing == ["read_products"]
    assert "read_products" in messages["ACCESS_DENIED"]
    assert messages["MAX_COST_EXCEEDED"] == (
        "Op: Query cost is 2510, which exceeds the single query max"
    )
    assert messages["400 with errors"] == "Op: refused (HTTP 400): syntax error"
    assert messages["400 not JSON"] == "Op: refused (HTTP 400): unknown error"


def test_a_create_that_may_have_landed_says_to_look_it_up() -> None:
    with pytest.raises(Failure) as caught:
        _read(ROWS["503 create"])
    assert caught.value.error.hint is not None and "look it up" in caught.value.error.hint


# -- userErrors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "field", "code"),
    [
        (
            {"field": ["blog", "handle"], "message": "taken", "code": "TAKEN"},
            ("blog", "handle"),
            "TAKEN",
        ),
        ({"field": ["files", 0, "alt"], "message": "too long"}, ("files", "0", "alt"), None),
        ({"field": None, "message": "no", "code": 5}, None, None),
        ({"field": [], "message": "no"}, None, None),
    ],
)
def test_user_errors_keep_field_and_code(
    entry: dict[str, Any], field: tuple[str, ...] | None, code: str | None
) -> None:
    data = {"blogCreate": {"blog": None, "userErrors": [entry, "not an entry"]}}
    with pytest.raises(UserErrors) as caught:
        mutation_payload("SyncBlogCreate", "blogCreate", data)
    (error,) = caught.value.errors
    assert (error.message, error.field, error.code) == (entry["message"], field, code)
    assert caught.value.operation == "SyncBlogCreate"
    assert not caught.value.maybe_applied


def test_a_payload_without_user_errors_is_returned() -> None:
    payload = {"blog": {"id": "gid://shopify/Blog/1"}, "userErrors": []}
    assert mutation_payload("SyncBlogCreate", "blogCreate", {"blogCreate": payload}) == payload


def test_no_payload_at_all_may_have_landed() -> None:
    with pytest.raises(ServerError) as caught:
        mutation_payload("SyncBlogCreate", "blogCreate", {"blogCreate": None})
    assert caught.value.maybe_applied


# -- staged uploads ----------------------------------------------------------------------

DENIED = "<Error><Code>AccessDenied</Code><Message>bad signature</Message></Error>"


@pytest.mark.parametrize(
    ("status", "text", "retry", "detail"),
    [
        (403, DENIED, False, " (AccessDenied: bad signature)"),
        (400, "<Error><Code>EntityTooLarge</Code></Error>", False, " (EntityTooLarge)"),
        (429, "", True, ""),
        (503, "Service Unavailable", True, ""),
    ],
)
def test_a_refused_upload_names_the_bucket_error(
    status: int, text: str, retry: bool, detail: str
) -> None:
    with pytest.raises(Failure) as caught:
        upload_answer("upload of chart.png", status, text)
    assert caught.value.retry is retry
    assert caught.value.error.message == f"upload of chart.png refused with HTTP {status}{detail}"


@pytest.mark.parametrize("status", [200, 201, 204])
def test_a_stored_upload_is_fine(status: int) -> None:
    upload_answer("upload of chart.png", status, "")


# -- the store's clock -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "when"),
    [
        ("Mon, 01 Jun 2026 09:00:01 GMT", datetime(2026, 6, 1, 9, 0, 1, tzinfo=UTC)),
        ("Mon, 01 Jun 2026 11:00:01 +0200", datetime(2026, 6, 1, 9, 0, 1, tzinfo=UTC)),
        ("Mon, 01 Jun 2026 09:00:01 -0000", None),  # no zone known
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_the_date_header_is_the_stores_clock_in_utc(
    value: str | None, when: datetime | None
) -> None:
    assert date_header(value) == when

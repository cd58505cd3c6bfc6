"""The GraphQL pipeline where HTTP cannot reach: an engine that fails outright.

graphql-core turns a resolver's exception into a field error, so over HTTP the engine
never raises; the pipeline is handed an engine that does, to pin Shopify's answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import ExecutionResult

from shopsync.admin.schema import admin_schema
from shopsync.sandbox.engine import Engine
from shopsync.sandbox.pipeline import Operation, Pipeline
from shopsync.sandbox.server import DEFAULT_RESOLVERS
from shopsync.sandbox.store import Store
from shopsync.sandbox.throttle import CostBucket

from .gql import FakeClock

QUERY = "query Scopes { currentAppInstallation { accessScopes { handle } } }"


class _BrokenEngine(Engine):
    def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        raise RuntimeError("the store fell over")


@pytest.fixture
def store() -> Iterator[Store]:
    store = Store()
    try:
        yield store
    finally:
        store.close()


def test_an_engine_failure_is_internal_server_error_and_costs_nothing(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    schema = admin_schema()
    bucket = CostBucket(100, 10, FakeClock())
    engine = _BrokenEngine(store, schema, resolvers=DEFAULT_RESOLVERS)
    pipeline = Pipeline(schema, engine, bucket)
    operation = pipeline.read({"query": QUERY})
    assert isinstance(operation, Operation)
    with caplog.at_level(logging.ERROR, logger="shopsync.sandbox.pipeline"):
        answer = pipeline.run(operation, ["read_content"], {})
    assert answer.status == 200
    assert answer.body["data"] is None
    assert "extensions" not in answer.body
    (error,) = answer.body["errors"]
    request_id = error["extensions"]["requestId"]
    assert re.fullmatch(r"[0-9a-f-]{36}", request_id)
    assert error == {
        "message": "Internal error. Looks like something went wrong on our end.\n"
        f"Request ID: {request_id} (include this in support requests).",
        "extensions": {"requestId": request_id, "code": "INTERNAL_SERVER_ERROR"},
    }
    assert bucket.status().currently_available == 100  # the reservation was refunded
    assert "sandbox engine failed on operation Scopes" in caplog.text

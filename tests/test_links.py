"""``validate --check-links``: each citation's link asked over real HTTP (a local server
standing in for PubMed and doi.org), with the client's retry policy and never a real sleep."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from shopsync.admin.links import LinkResult, check_link, citation_link_problems
from shopsync.admin.retry import RetryPolicy
from shopsync.content.models import Article
from shopsync.loopback import serve_on

from .cli_support import Cli


class Site:
    """Routes: /ok, /gone (404), /flaky (503 then 200), /busy (429 always), /no-head (405 to
    HEAD), /moved (302 to /ok). Every request is logged as (method, path)."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.flaky = 0

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.log.append((request.method, request.path))
        if request.path == "/ok":
            answer = Response("ok")
        elif request.path == "/gone":
            answer = Response("no", status=404)
        elif request.path == "/flaky":
            self.flaky += 1
            answer = Response("later", status=503) if self.flaky == 1 else Response("ok")
        elif request.path == "/busy":
            answer = Response("slow down", status=429, headers={"Retry-After": "1"})
        elif request.path == "/no-head":
            answer = Response("", status=405) if request.method == "HEAD" else Response("ok")
        elif request.path == "/moved":
            answer = Response("", status=302, headers={"Location": "/ok"})
        else:
            answer = Response("?", status=400)
        return answer(environ, start_response)


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    app = Site()
    server = serve_on("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.socket.getsockname()[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


def policy(slept: list[float]) -> RetryPolicy:
    return RetryPolicy(max_attempts=3, max_seconds=15, sleep=slept.append, jitter=lambda a, b: a)


def test_answers_are_read_as_a_reader_would_meet_them(
    site: tuple[Site, str], session: requests.Session
) -> None:
    app, base = site
    slept: list[float] = []

    def ask(path: str) -> LinkResult:
        return check_link(base + path, session=session, policy=policy(slept))

    assert ask("/ok").ok and ask("/moved").ok
    gone = ask("/gone")
    assert gone.gone and gone.message == "it answered 404"
    assert ask("/flaky").ok and slept == [0.25]  # one retry after the 503, backed off
    no_head = ask("/no-head")
    assert no_head.ok and app.log[-2:] == [("HEAD", "/no-head"), ("GET", "/no-head")]

    slept.clear()
    busy = ask("/busy")
    assert not busy.ok and not busy.gone and busy.status == 429
    assert slept == [1.0, 1.0]  # the server's Retry-After, three attempts in all
    assert app.log.count(("HEAD", "/busy")) == 3


def test_an_unreachable_link_is_a_warning_never_an_error(session: requests.Session) -> None:
    slept: list[float] = []
    result = check_link("http://127.0.0.1:9/", session=session, policy=policy(slept))
    assert result.status is None and "could not reach it" in result.message
    assert len(slept) == 2


def article(handle: str, pmid: str) -> Article:
    return Article.model_validate(
        {
            "title": "T",
            "handle": handle,
            "blog": "b",
            "author": "A",
            "source_path": f"articles/{handle}.md",
            "citation": {"pmid": pmid, "title": "S", "journal": "J", "year": 2016},
        }
    )


def test_citations_are_asked_once_per_link_and_located() -> None:
    asked: list[str] = []
    answers = {"1": 200, "2": 404, "3": None}

    def check(url: str) -> LinkResult:
        asked.append(url)
        status = answers[url.rstrip("/").rsplit("/", 1)[-1]]
        return LinkResult(
            url, status, "could not reach it" if status is None else "it answered 404"
        )

    articles = [article("a", "1"), article("b", "2"), article("c", "2"), article("d", "3")]
    errors, warnings = citation_link_problems(articles, check=check)
    assert sorted(asked) == sorted(f"https://pubmed.ncbi.nlm.nih.gov/{n}/" for n in "123")
    assert [(p.path, p.field) for p in errors] == [
        ("articles/b.md", "citation.pmid"),
        ("articles/c.md", "citation.pmid"),
    ]
    assert "https://pubmed.ncbi.nlm.nih.gov/2/ it answered 404: no such study there" in (
        errors[0].message
    )
    assert [p.path for p in warnings] == ["articles/d.md"]


def test_validate_is_offline_unless_asked(site: tuple[Site, str], cli: Cli) -> None:
    """Every https request would go through the proxy, which logs it: none is made."""
    app, base = site
    repository = Path(__file__).resolve().parents[1]
    result = cli.at(repository).with_env(HTTPS_PROXY=base, HTTP_PROXY=base)("validate")
    assert result.exit_code == 0
    assert app.log == []

    asked = cli.at(repository).with_env(HTTPS_PROXY=base, HTTP_PROXY=base)(
        "validate", "--check-links"
    )
    assert asked.exit_code == 0, asked.output  # no answer: warnings, not errors
    assert {method for method, _path in app.log} == {"CONNECT"}  # it did ask, via the proxy
    assert "could not check the citation's link https://pubmed.ncbi.nlm.nih.gov/27064323/" in (
        asked.output
    )

"""Whether each article's citation link answers (``shopsync validate --check-links``).

A citation that points nowhere (a mistyped PMID, a DOI that never existed) reads as a made-up
source, the one thing a research digest cannot afford. The check is opt-in: validation is
offline by default, and CI without network access must not fail for it. It asks the link
itself (PubMed, or doi.org, which redirects to the publisher): HEAD first, GET when a server
refuses HEAD; short timeouts; the client's retry policy for 429, 5xx and connection errors.
A link that answers 404 or 410 is an error; one that cannot be reached, or answers anything
else, is a warning (the check could not tell).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from shopsync.admin.responses import Failure, retry_after
from shopsync.admin.retry import RetryPolicy
from shopsync.content.models import Article
from shopsync.errors import Problem, ServerError, TransportError

#: (connect, read) seconds: a link checker waits less than the store's client does.
LINK_TIMEOUT = (3.05, 5.0)
#: A short budget: a dead link is not worth two minutes of a CI run.
LINK_POLICY = RetryPolicy(max_attempts=3, max_seconds=15.0)
LINK_WORKERS = 4
GONE = (404, 410)
USER_AGENT = "shopsync-link-check (+https://github.com/) python-requests"


@dataclass(frozen=True)
class LinkResult:
    url: str
    status: int | None  # None: no answer
    message: str = ""

    @property
    def gone(self) -> bool:
        return self.status in GONE

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


def check_link(
    url: str,
    *,
    session: requests.Session,
    policy: RetryPolicy = LINK_POLICY,
    timeout: tuple[float, float] = LINK_TIMEOUT,
) -> LinkResult:
    """Ask ``url`` once (retrying only what is safe to retry); never raises."""

    def attempt() -> int:
        try:
            answer = session.head(url, allow_redirects=True, timeout=timeout)
            if answer.status_code in (403, 405, 501):  # some servers refuse HEAD
                answer = session.get(url, allow_redirects=True, timeout=timeout, stream=True)
                answer.close()
        except requests.RequestException as exc:
            raise Failure(
                TransportError(f"could not reach it ({type(exc).__name__})"), retry=True
            ) from None
        if answer.status_code == 429 or answer.status_code >= 500:
            wait = retry_after(answer.headers.get("Retry-After"), time.time())
            raise Failure(
                ServerError(f"it answered {answer.status_code}", status=answer.status_code),
                retry=True,
                after=min(wait, 5.0) if wait is not None else None,
            )
        return answer.status_code

    try:
        status = policy.run(f"link check {url}", attempt, on_retry=lambda _seconds: None)
    except (TransportError, ServerError) as exc:
        return LinkResult(url, getattr(exc, "status", None), exc.message)
    return LinkResult(url, status, "" if status < 400 else f"it answered {status}")


def citation_link_problems(
    articles: Sequence[Article],
    *,
    check: Callable[[str], LinkResult],
    workers: int = LINK_WORKERS,
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for the articles' citation links, each URL asked once."""
    cited = [a for a in articles if a.citation is not None]
    urls = sorted({a.citation.url for a in cited if a.citation is not None})
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(urls) or 1))) as pool:
        results = dict(zip(urls, pool.map(check, urls), strict=True))
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for article in cited:
        assert article.citation is not None
        result = results[article.citation.url]
        if result.ok:
            continue
        field = "citation.pmid" if article.citation.pmid is not None else "citation.doi"
        if result.gone:
            errors.append(
                Problem(
                    path=article.source_path,
                    field=field,
                    message=f"the citation's link {result.url} {result.message}: "
                    "no such study there",
                    hint="check the pmid or doi against the study's PubMed or journal page",
                )
            )
        else:
            warnings.append(
                Problem(
                    path=article.source_path,
                    field=field,
                    message=f"could not check the citation's link {result.url}: {result.message}",
                    hint="check it by hand, or run --check-links again later",
                )
            )
    return errors, warnings


class LinkChecker:
    """``check_link`` over one session of its own (closed on leaving), for the CLI."""

    def __init__(self, *, policy: RetryPolicy = LINK_POLICY) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.policy = policy

    def __call__(self, url: str) -> LinkResult:
        return check_link(url, session=self.session, policy=self.policy)

    def __enter__(self) -> LinkChecker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.session.close()

"""Where the Admin API access token comes from: a static token, or the client-credentials grant.

Apps created since 2026-01-01 get no permanent ``shpat_`` token; they exchange their
client id and secret for a token of about 24 h. The token is cached until shortly before
it expires and dropped when the store answers 401, so the client fetches a fresh one.
Tokens and secrets are held as ``SecretStr`` so no repr or log line can show them.

A token source is given to ``ShopifyClient``; the client hands it its own pooled session
for the token request, so that request has the same transport (and, for the sandbox on
loopback, the same refusal of environment proxies) as every other. The token URL is the
source's own shop, checked like the client's: the secret only goes to Shopify (or the
sandbox on loopback).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

import requests
from pydantic import SecretStr

from shopsync.config import Settings, shop_base_url
from shopsync.errors import AuthError, ConfigError, ServerError, TransportError

#: A fetched token is used until this many seconds before it expires.
EXPIRY_MARGIN = 60.0
TOKEN_PATH = "/admin/oauth/access_token"


class TokenSource(Protocol):
    @property
    def kind(self) -> str:
        """What sort of credential, for a repr: never the credential itself."""
        ...

    def token(self, session: requests.Session) -> str:
        """A token to send now; ``session`` is the client's, for any request that needs."""
        ...

    def invalidate(self, token: str) -> bool:
        """Forget ``token`` after a 401; True when a different one can be obtained."""
        ...


class StaticToken:
    """A token set by the user: nothing to refresh."""

    def __init__(self, token: str) -> None:
        if not token:
            raise AuthError("the access token is empty", hint="set SHOPSYNC_ACCESS_TOKEN")
        self._token = SecretStr(token)

    kind = "token"

    def __repr__(self) -> str:
        return "StaticToken(**********)"

    def token(self, session: requests.Session) -> str:
        return self._token.get_secret_value()

    def invalidate(self, token: str) -> bool:
        return False


class ClientCredentials:
    """Fetches and caches a token with ``grant_type=client_credentials``."""

    kind = "client_credentials"

    def __init__(
        self,
        shop: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: tuple[float, float] = (10.0, 30.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Checked here too, not only by the client: the secret goes to this URL.
        self._url = shop_base_url(shop) + TOKEN_PATH
        if not client_id or not client_secret:
            raise AuthError(
                "client credentials need both a client id and a client secret",
                hint="set SHOPSYNC_CLIENT_ID and SHOPSYNC_CLIENT_SECRET",
            )
        self._client_id = client_id
        self._secret = SecretStr(client_secret)
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._token: SecretStr | None = None
        self._valid_until = 0.0

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self._client_id!r})"

    def token(self, session: requests.Session) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._valid_until:
                self._fetch(session)
            assert self._token is not None
            return self._token.get_secret_value()

    def invalidate(self, token: str) -> bool:
        with self._lock:
            if self._token is not None and self._token.get_secret_value() == token:
                self._token = None
            return True

    def _fetch(self, session: requests.Session) -> None:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._secret.get_secret_value(),
        }
        started = self._clock()
        try:
            response = session.post(
                self._url, data=form, headers={"Accept": "application/json"}, timeout=self._timeout
            )
        except requests.RequestException as exc:
            raise TransportError(
                f"could not reach the store for an access token ({type(exc).__name__})",
                operation="client_credentials",
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            # The store is busy or failing, not refusing us: the client may try again.
            raise ServerError(
                f"the store could not issue an access token (HTTP {response.status_code})",
                status=response.status_code,
                operation="client_credentials",
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict):
            reason = body.get("error") if isinstance(body, dict) else None
            raise AuthError(
                f"the store refused the client credentials (HTTP {response.status_code}"
                + (f", {reason}" if isinstance(reason, str) else "")
                + ")",
                operation="client_credentials",
                hint="check SHOPSYNC_CLIENT_ID / SHOPSYNC_CLIENT_SECRET and that the app is "
                "installed on this store",
            )
        token = body.get("access_token")
        expires_in = body.get("expires_in")
        if not isinstance(token, str) or not token:
            raise AuthError(
                "the token response had no access_token", operation="client_credentials"
            )
        lifetime = float(expires_in) if isinstance(expires_in, (int, float)) else 0.0
        self._token = SecretStr(token)
        # Without an expiry we keep the token until the store answers 401; a short-lived
        # one is kept for half its life rather than not at all.
        usable = max(lifetime - EXPIRY_MARGIN, lifetime / 2)
        self._valid_until = started + usable if lifetime > 0 else float("inf")


def token_source(
    settings: Settings,
    shop: str,
    *,
    timeout: tuple[float, float] = (10.0, 30.0),
    clock: Callable[[], float] = time.monotonic,
) -> TokenSource:
    """The credential ``settings`` configure for ``shop``: a token, else client credentials."""
    token = settings.access_token.get_secret_value() if settings.access_token else ""
    if token:
        return StaticToken(token)
    if settings.client_id or settings.client_secret:
        secret = settings.client_secret.get_secret_value() if settings.client_secret else ""
        return ClientCredentials(
            shop, settings.client_id or "", secret, timeout=timeout, clock=clock
        )
    raise ConfigError(
        "no access token configured",
        hint="set SHOPSYNC_ACCESS_TOKEN, or SHOPSYNC_CLIENT_ID and SHOPSYNC_CLIENT_SECRET",
    )

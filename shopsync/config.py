"""Settings: where the store is, how to authenticate, where the content lives.

Read from the environment (prefix ``SHOPSYNC_``) and a ``.env`` file; see
``.env.example``. Secrets are ``SecretStr`` so they never show in a repr, a log
line or ``--json`` output.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopsync.errors import ConfigError

DEFAULT_API_VERSION = "2026-07"
API_VERSION_PATTERN = re.compile(r"^\d{4}-(01|04|07|10)$|^unstable$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


class Settings(BaseSettings):
    """Everything that varies between stores and machines."""

    model_config = SettingsConfigDict(
        env_prefix="SHOPSYNC_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    shop: str | None = Field(
        default=None,
        description="Shop name, name.myshopify.com, or a sandbox URL http://127.0.0.1:PORT",
    )
    access_token: SecretStr | None = Field(default=None, description="Admin API access token")
    client_id: str | None = Field(default=None, description="App client id (client credentials)")
    client_secret: SecretStr | None = Field(default=None, description="App client secret")
    api_version: str = Field(default=DEFAULT_API_VERSION, description="Admin API version")
    blog: str = Field(default="research-digest", description="Default blog handle")
    blog_title: str = Field(default="Research Digest", description="Title if the blog is created")
    articles_dir: Path = Field(default=Path("articles"), description="Content directory")
    product_metafield: str = Field(
        default="custom.featured_products",
        description="namespace.key of the article metafield listing featured products",
    )
    timeout: float = Field(default=30.0, gt=0, description="Read timeout per request, seconds")
    connect_timeout: float = Field(default=10.0, gt=0, description="Connect timeout, seconds")
    max_in_flight: int = Field(default=4, ge=1, le=32, description="Concurrent requests")

    @field_validator("api_version")
    @classmethod
    def _check_version(cls, value: str) -> str:
        if not API_VERSION_PATTERN.match(value):
            raise ValueError(f"{value!r} is not an API version such as {DEFAULT_API_VERSION}")
        return value

    @field_validator("product_metafield")
    @classmethod
    def _check_metafield(cls, value: str) -> str:
        namespace, _, key = value.partition(".")
        if not namespace or not key or "." in key:
            raise ValueError("must be namespace.key, e.g. custom.featured_products")
        return value

    @property
    def product_metafield_namespace(self) -> str:
        return self.product_metafield.partition(".")[0]

    @property
    def product_metafield_key(self) -> str:
        return self.product_metafield.partition(".")[2]


def shop_base_url(shop: str) -> str:
    """``https://name.myshopify.com`` for a real shop; a loopback URL only for the sandbox."""
    text = shop.strip()
    parts = urlsplit(text if "://" in text else "https://" + text)
    host = parts.hostname or ""
    if parts.scheme == "http" or host in LOOPBACK_HOSTS:
        if host not in LOOPBACK_HOSTS:
            raise ConfigError(
                f"refusing plain-HTTP shop URL {text!r}",
                hint="plain HTTP is only for the sandbox on 127.0.0.1 or localhost",
            )
        port = f":{parts.port}" if parts.port else ""
        netloc = f"[{host}]" if ":" in host else host
        return f"{parts.scheme}://{netloc}{port}"
    domain = _sanitize_shop_domain(text)
    if domain is None:
        raise ConfigError(
            f"{text!r} is not a Shopify shop",
            hint="use the shop name or name.myshopify.com; the token is only sent to Shopify",
        )
    return f"https://{domain}"


def graphql_url(base_url: str, api_version: str) -> str:
    return f"{base_url}/admin/api/{api_version}/graphql.json"


def _sanitize_shop_domain(shop: str) -> str | None:
    # ShopifyAPI is deprecated upstream and its HTTP path has no timeouts or retries,
    # so none of our traffic goes through it. Its shop-domain sanitiser is still the
    # reference rule for what a *.myshopify.com host looks like, so we use that alone.
    from shopify.utils.shop_url import sanitize_shop_domain

    result: Any = sanitize_shop_domain(shop)
    return str(result) if result else None


def load_settings(**overrides: Any) -> Settings:
    """Settings from env/.env with explicit overrides (CLI flags) on top."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise ConfigError(f"invalid settings: {exc}".splitlines()[0] + _first_reason(exc)) from None


def _first_reason(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        items = errors()
        if items:
            loc = ".".join(str(x) for x in items[0].get("loc", ()))
            return f" ({loc}: {items[0].get('msg', '')})"
    return ""

"""``shopsync sandbox``: run the sandbox store in the foreground until Ctrl-C.

Wired into the main CLI by ``main.add_command(sandbox_command)``. This module prints
(it is a CLI entry point), the sandbox core does not.
"""

from __future__ import annotations

import threading
from pathlib import Path

import click

from shopsync.errors import ConfigError
from shopsync.loopback import is_loopback
from shopsync.sandbox.server import DEFAULT_ACCESS_TOKEN, SandboxConfig, SandboxServer

SANDBOX_EPILOG = """\b
Examples:
  shopsync sandbox                                   in memory, http://127.0.0.1:8787
  shopsync sandbox --port 8787 --db sandbox.db       state kept across restarts
  shopsync sandbox --products seed.json              your own products (JSON list)
  shopsync sandbox --empty                           no blog or page at all
  shopsync sandbox --bucket 200 --restore-rate 10    a tight rate limit, to watch pacing
  shopsync sandbox --latency-ms 150 --port 0         slow network, any free port
  shopsync sandbox --search-lag-ms 500               search behind writes, as on Shopify

\b
Then, in another terminal:
  export SHOPSYNC_SHOP=http://127.0.0.1:8787 SHOPSYNC_ACCESS_TOKEN=shpat_sandbox
  shopsync push
  open http://127.0.0.1:8787/   (the storefront view of what was synced)

Speaks the Admin GraphQL API (POST /admin/api/<version>/graphql.json) with Shopify's
auth, errors and cost-based throttling. Listens on loopback only. Ctrl-C stops it.
"""


@click.command("sandbox", epilog=SANDBOX_EPILOG)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8787,
    show_default=True,
    help="Port (0 = any free port).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file to keep the store in (default: in memory).",
)
@click.option(
    "--products",
    "products_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="JSON file of the store's products (default: the bundled seed products).",
)
@click.option(
    "--empty",
    is_flag=True,
    help="Start without the News blog, Contact page and privacy page a new store has.",
)
@click.option(
    "--bucket",
    type=click.FloatRange(min=1),
    default=2000.0,
    show_default=True,
    help="Cost bucket size in points (Standard plan: 2000).",
)
@click.option(
    "--restore-rate",
    type=click.FloatRange(min=0),
    default=100.0,
    show_default=True,
    help="Points restored per second (Standard plan: 100).",
)
@click.option(
    "--latency-ms",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Delay added to every Admin API request.",
)
@click.option(
    "--search-lag-ms",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="How far search (reads with query:) is behind writes; reads by id never are.",
)
@click.option(
    "--token",
    envvar="SHOPSYNC_SANDBOX_TOKEN",
    default=DEFAULT_ACCESS_TOKEN,
    show_default=True,
    help="Access token the sandbox accepts [env: SHOPSYNC_SANDBOX_TOKEN].",
)
def sandbox_command(
    host: str,
    port: int,
    db_path: Path | None,
    products_path: Path | None,
    empty: bool,
    bucket: float,
    restore_rate: float,
    latency_ms: float,
    search_lag_ms: float,
    token: str,
) -> None:
    """Run a local sandbox store that answers like Shopify's Admin API."""
    if not is_loopback(host):
        raise click.BadParameter(
            f"{host!r} is not a loopback address; the sandbox only listens on 127.0.0.1",
            param_hint="--host",
        )
    from shopsync.sandbox.store import Store

    try:
        products = Store.load_products_file(products_path) if products_path else None
    except (ValueError, KeyError, TypeError) as error:
        raise click.BadParameter(
            f"not a products file ({type(error).__name__}: {error})", param_hint="--products"
        ) from None
    config = SandboxConfig(
        access_token=token,
        bucket=bucket,
        restore_rate=restore_rate,
        latency_ms=latency_ms,
        search_lag_ms=search_lag_ms,
        products=products,
        seed_content=not empty,
    )
    try:
        server = SandboxServer(
            config, host=host, port=port, db_path=db_path, max_recorded=1000
        ).start()
    except OSError as error:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {error.strerror or error}",
            hint="pick another --port, or --port 0 for any free one",
        ) from None
    shown = token if token == DEFAULT_ACCESS_TOKEN else "<your --token / $SHOPSYNC_SANDBOX_TOKEN>"
    click.echo(f"Sandbox store on {server.url}  (storefront: {server.url}/)")
    click.echo(f"Admin API: {server.graphql_url()}")
    click.echo(f"State: {db_path if db_path else 'in memory (lost on exit)'}")
    click.echo("Use it with:")
    click.echo(f"  export SHOPSYNC_SHOP={server.url}")
    click.echo(f"  export SHOPSYNC_ACCESS_TOKEN={shown}")
    click.echo("Ctrl-C to stop.", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        click.echo("Sandbox stopped.", err=True)


if __name__ == "__main__":  # python -m shopsync.sandbox.cli, before it is wired into shopsync
    sandbox_command()

"""Local HTTP servers (the sandbox, the preview): on loopback, and a taken port is an error.

werkzeug's ``make_server`` answers a port in use by printing to stderr and calling
``sys.exit(1)``, which would bypass the CLI's one error handler (and end a test run).
Binding the socket here first turns that into an ``OSError`` the caller maps to a
``ConfigError`` with a hint; werkzeug then serves the socket it is given.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_on(
    host: str,
    port: int,
    app: Callable[..., Any],
    *,
    request_handler: type[WSGIRequestHandler] | None = None,
) -> BaseWSGIServer:
    """A threaded werkzeug server on ``host:port`` (0: any free port); OSError if it is taken."""
    if not is_loopback(host):
        raise ValueError(f"only loopback addresses are served, not {host!r}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
        # werkzeug duplicates the descriptor; ours is closed below either way.
        return make_server(
            host, port, app, threaded=True, request_handler=request_handler, fd=listener.fileno()
        )
    finally:
        listener.close()

"""Tiny real image files for tests, built byte by byte (no image library needed)."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopsync.sandbox import SandboxServer


def png(width: int, height: int) -> bytes:
    """A valid (if dull) truecolour PNG of the given size: signature, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gif(width: int, height: int) -> bytes:
    """A GIF89a: logical screen descriptor (little-endian size), one 2-colour table, no frames."""
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\0" * 6 + b";"


NOT_AN_IMAGE = b"%PDF-1.7\n% this is a document, not an image\n"


class StoreClock:
    """The store's wall clock, moved by hand: processing ends when the test says so."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def search_caught_up(sandbox: SandboxServer) -> None:
    """Move the store's ``StoreClock`` past its search lag: search shows every write so far."""
    clock = sandbox.store.clock
    assert isinstance(clock, StoreClock), "the store must be on a StoreClock"
    clock.advance(sandbox.config.search_lag_ms / 1000)

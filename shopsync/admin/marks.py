"""Where shopsync keeps its bookkeeping and the fields Shopify has no input for, in metafields.

Each article and page shopsync writes carries three marks: the file it comes from (``source``:
what makes it *managed*), the fingerprint of what was written (stored under the key
``digest`` for stores written by earlier releases; compared with what the store holds now, it
tells an admin edit), and the exact digest of the canonical fields (``rendered``: tells "the
store normalised what we sent" from "the files changed"). The image URL that was sent is
kept too, since Shopify re-hosts images under new URLs. SEO title and description have no
input field either: they are ``global.*`` metafields.

The marks live in the app-reserved namespace ``$app:shopsync`` (Shopify resolves it to
``app--<app id>--shopsync``): only the app the token belongs to can read or change them, so
neither a merchant nor another app can make an article look managed, or unmanaged, by
editing a metafield. Earlier releases wrote them in the plain ``shopsync`` namespace: those
are still read (``LEGACY_NAMESPACE``), and the next push moves them. A token of another app
sees none of this app's marks: to it every article is unmanaged (see README, "Changing the
app").
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Mapping
from typing import Any

OWNER_NAMESPACE = "$app:shopsync"
#: Where releases before the app namespace kept the marks: read, then moved on the next push.
LEGACY_NAMESPACE = "shopsync"
SOURCE_KEY = "source"
FINGERPRINT_KEY = "digest"  # holds vocabulary.fingerprint(); the key name predates the rename
CONTENT_DIGEST_KEY = "rendered"  # holds vocabulary.content_digest()
IMAGE_SRC_KEY = "image_src"
#: The canonical fields shopsync wrote, compressed (``encode_written``): what a conflict is
#: compared against, to show what the admin changed.
WRITTEN_KEY = "written"
#: Kept under Shopify's 128 KB for a json value; a bigger body is not kept (the conflict is
#: then shown against the store alone).
WRITTEN_MAX_BYTES = 120_000
SEO_NAMESPACE = "global"
SEO_TITLE_KEY = "title_tag"
SEO_DESCRIPTION_KEY = "description_tag"
TEXT = "single_line_text_field"

#: How a plan diff names the marks.
SOURCE_FIELD = f"shopsync.{SOURCE_KEY}"
FINGERPRINT_FIELD = f"shopsync.{FINGERPRINT_KEY}"
MARKS_FIELD = "shopsync.namespace"  # marks still in LEGACY_NAMESPACE, to be moved
#: Every mark key, for moving them out of LEGACY_NAMESPACE.
MARK_KEYS = (SOURCE_KEY, FINGERPRINT_KEY, CONTENT_DIGEST_KEY, IMAGE_SRC_KEY, WRITTEN_KEY)


def encode_written(fields: Mapping[str, Any]) -> str | None:
    """The json metafield value recording ``fields`` (zlib, base64), or None if too big."""
    packed = zlib.compress(json.dumps(dict(fields), sort_keys=True).encode("utf-8"), 9)
    value = json.dumps({"v": 1, "z": base64.b64encode(packed).decode("ascii")})
    return value if len(value) <= WRITTEN_MAX_BYTES else None


def decode_written(value: str | None) -> dict[str, Any] | None:
    """The fields ``encode_written`` recorded; None for anything else (a damaged value is no
    reason to fail a plan: the conflict is then shown against the store alone)."""
    if not value:
        return None
    try:
        data = json.loads(value)
        if not isinstance(data, dict) or data.get("v") != 1:
            return None
        fields = json.loads(zlib.decompress(base64.b64decode(data["z"])).decode("utf-8"))
    except (ValueError, KeyError, TypeError, zlib.error):
        return None
    return fields if isinstance(fields, dict) else None

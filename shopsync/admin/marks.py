"""Where shopsync keeps its bookkeeping and the fields Shopify has no input for, in metafields.

Each article and page shopsync writes carries three marks in the ``shopsync`` namespace: the
file it comes from (``source``: what makes it *managed*), the fingerprint of what was written
(stored under the key ``digest`` for stores written by earlier releases; compared with what the
store holds now, it tells an admin edit), and the exact digest of the canonical fields
(``rendered``: tells "the store normalised what we sent" from "the files changed"). The
image URL that was sent is kept too, since Shopify re-hosts images under new URLs.
SEO title and description have no input field either: they are ``global.*`` metafields.
"""

from __future__ import annotations

OWNER_NAMESPACE = "shopsync"
SOURCE_KEY = "source"
FINGERPRINT_KEY = "digest"  # holds vocabulary.fingerprint(); the key name predates the rename
CONTENT_DIGEST_KEY = "rendered"  # holds vocabulary.content_digest()
IMAGE_SRC_KEY = "image_src"
SEO_NAMESPACE = "global"
SEO_TITLE_KEY = "title_tag"
SEO_DESCRIPTION_KEY = "description_tag"
TEXT = "single_line_text_field"

#: How a plan diff names the marks (``namespace.key``).
SOURCE_FIELD = f"{OWNER_NAMESPACE}.{SOURCE_KEY}"
FINGERPRINT_FIELD = f"{OWNER_NAMESPACE}.{FINGERPRINT_KEY}"

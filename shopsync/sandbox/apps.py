"""Which app a token belongs to, and the metafield namespaces reserved for each app.

Grounding (live captures in the public repository airhorns/shopify-draft-proxy, under
``fixtures/conformance/harry-test-heelo.myshopify.com/``):

- ``2025-01/apps/current-app-installation-observed-identity-local-app-mutation.json``:
  ``currentAppInstallation { id app { id handle title } }`` answers the token's app, e.g. App
  ``gid://shopify/App/347082227713`` installed as ``gid://shopify/AppInstallation/913990517042``.
- ``2026-04/metafield-definitions/metafields-set-delete-app-namespace-resolution.json``: that
  app's ``$app:value_namespace`` is stored and read back as ``app--347082227713--value_namespace``;
  a ``metafieldsSet`` input without a namespace lands in ``app--347082227713``; writing or deleting
  in another app's ``app--999999999999--...`` is refused (see ``ACCESS_MESSAGE``).
- shopify.dev, "Ownership" (https://shopify.dev/docs/apps/build/custom-data/ownership): ``$app``
  becomes ``app--{app id}``, ``$app:name`` becomes ``app--{app id}--name``; metafields in a
  reserved namespace without a definition are private to the app. Any other namespace (``custom``,
  ``shopsync``...) is merchant-owned: every app and the merchant can read and write it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Shopify's words when an app writes or deletes in another app's reserved namespace
#: (metafieldsSet: code APP_NOT_AUTHORIZED, field ["metafields", "<i>"]; metafieldsDelete:
#: field ["metafields"], no code), as recorded in the capture named above.
ACCESS_MESSAGE = (
    "Access to this namespace and key on Metafields for this resource type is not allowed."
)
_RESERVED = re.compile(r"^app--(\d+)(?:--.*)?$")


@dataclass(frozen=True)
class SandboxApp:
    """An app installed on the sandbox store; every token belongs to one."""

    id: int
    handle: str
    title: str
    #: Its AppInstallation's number (Shopify's differs from the app's own id).
    installation_id: int

    @property
    def gid(self) -> str:
        return f"gid://shopify/App/{self.id}"

    @property
    def installation_gid(self) -> str:
        return f"gid://shopify/AppInstallation/{self.installation_id}"

    @property
    def namespace(self) -> str:
        """The app's own reserved namespace, what ``$app`` (or no namespace) resolves to."""
        return f"app--{self.id}"

    def resolve(self, namespace: str | None) -> str:
        """``$app`` / ``$app:name`` / None as this app's reserved namespace; others as given."""
        if namespace is None or namespace == "$app":
            return self.namespace
        if namespace.startswith("$app:"):
            return f"{self.namespace}--{namespace.removeprefix('$app:')}"
        return namespace

    def may_use(self, namespace: str) -> bool:
        """Whether this app may read and write metafields in ``namespace`` (resolved)."""
        owner = reserved_owner(namespace)
        return owner is None or owner == self.id


def reserved_owner(namespace: str) -> int | None:
    """The id of the app whose reserved namespace this is, or None (merchant-owned)."""
    match = _RESERVED.match(namespace)
    return int(match.group(1)) if match else None


#: The app the default token, OAuth tokens and ``issue_token()`` belong to unless told otherwise.
DEFAULT_APP = SandboxApp(id=4_200_000_001, handle="shopsync", title="shopsync", installation_id=1)

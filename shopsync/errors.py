"""The one error hierarchy of shopsync.

Every failure a user can cause or meet is one of these. The CLI turns them into a
one-line message with a hint and an exit code (see ``shopsync.cli``); the core
never prints. Messages never contain the access token: build them from facts the
user already knows (file, field, shop, operation name), never from headers.

    ShopsyncError
    ├── ConfigError            settings missing or refused (bad shop URL, no token)
    ├── ContentError           article/page files failed validation (carries problems)
    ├── NotApproved            push did not write: no approval, or a plan with errors
    ├── ShopifyError           talking to the store failed
    │   ├── TransportError     connection refused/reset, timeout (after retries)
    │   ├── ServerError        HTTP 5xx / 429 after retries, malformed body
    │   ├── ThrottledError     THROTTLED / MAX_COST_EXCEEDED after retries
    │   ├── AuthError          401/403, or the token could not be obtained
    │   ├── ScopeError         the token lacks access scopes we need
    │   ├── QueryError         GraphQL errors: the document or variables were refused
    │   └── UserErrors         a mutation answered with userErrors
    └── SavedPlanError         a saved plan cannot be read (format, version)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Exit codes CI can act on. 2 is `plan --detailed-exitcode`'s "changes present", as in
# Terraform, and nothing else: a mistyped command or option exits 64 (sysexits' EX_USAGE)
# instead of click's 2, so a typo in a CI step can never read as "changes".
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CHANGES = 2
EXIT_CONFIG = 3
EXIT_STORE = 4
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130


class ShopsyncError(Exception):
    """Base class: a message for the user plus an optional hint on what to do."""

    exit_code: int = EXIT_FAILURE
    #: True when a write may have landed although it failed (timeout, reset or 5xx after
    #: sending): the caller looks the resource up before sending it again.
    maybe_applied: bool = False

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def item_messages(self) -> list[str]:
        """This error as the lines of one failed item in a push result."""
        return [f"{self.message} (hint: {self.hint})" if self.hint else self.message]

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint}


class ConfigError(ShopsyncError):
    exit_code = EXIT_CONFIG


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one content file, located as precisely as we can."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        where = self.location()
        field = f" [{self.field}]" if self.field else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}:{field} {self.message}{hint}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


class NotApproved(ShopsyncError):
    """A push that wrote nothing because nobody approved it, or its plan has errors."""


class ContentError(ShopsyncError):
    """The content files are invalid; nothing was sent to the store."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        count = len(problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the content files",
            hint="fix the files listed above, then run `shopsync validate` again",
        )
        self.problems = list(problems)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


class ShopifyError(ShopsyncError):
    """Talking to the store failed. ``operation`` names the GraphQL operation."""

    exit_code = EXIT_STORE

    def __init__(
        self, message: str, *, operation: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.operation = operation

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["operation"] = self.operation
        return data


class TransportError(ShopifyError):
    """The request may or may not have reached the store (connection, timeout)."""


class ServerError(ShopifyError):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation, hint=hint)
        self.status = status


class ThrottledError(ShopifyError):
    pass


class AuthError(ShopifyError):
    exit_code = EXIT_CONFIG


class ScopeError(AuthError):
    """The token lacks scopes; ``missing`` has one scope per unmet need (the first of the
    scopes that would each do, ``alternatives`` has all of them)."""

    def __init__(self, missing: Sequence[str | Sequence[str]]) -> None:
        groups = sorted(((m,) if isinstance(m, str) else tuple(m)) for m in missing)
        self.alternatives = groups
        self.missing = [group[0] for group in groups]
        named = [
            group[0] + (f" (or {' or '.join(group[1:])})" if len(group) > 1 else "")
            for group in groups
        ]
        super().__init__(
            "the access token lacks the scope(s): " + ", ".join(named),
            hint="grant them to the app in the Shopify admin (or Dev Dashboard), then reinstall",
        )


class QueryError(ShopifyError):
    """The store (or our own pre-flight validation) refused the GraphQL document."""

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[dict[str, Any]] = (),
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation, hint=hint)
        self.errors = list(errors)


@dataclass(frozen=True)
class UserError:
    """One entry of a mutation payload's ``userErrors``."""

    message: str
    field: tuple[str, ...] | None = None
    code: str | None = None

    def __str__(self) -> str:
        where = ".".join(self.field) + ": " if self.field else ""
        code = f" ({self.code})" if self.code else ""
        return f"{where}{self.message}{code}"


class UserErrors(ShopifyError):
    """A mutation was refused by Shopify's business rules; nothing was changed."""

    exit_code = EXIT_FAILURE

    def __init__(self, operation: str, errors: Sequence[UserError]) -> None:
        self.errors = list(errors)
        super().__init__(
            f"{operation} refused: " + "; ".join(str(e) for e in self.errors),
            operation=operation,
        )

    @property
    def codes(self) -> list[str | None]:
        return [e.code for e in self.errors]

    def item_messages(self) -> list[str]:
        return [str(e) for e in self.errors] or [self.message]

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["userErrors"] = [
            {"message": e.message, "field": list(e.field or ()), "code": e.code}
            for e in self.errors
        ]
        return data


class SavedPlanError(ShopsyncError):
    """A plan file written by another shopsync version, or not a plan at all."""

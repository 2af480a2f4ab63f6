"""The project's exception tree. Every message is meant for a person and says what to do.

Secrets (tokens, private keys, client assertions, DPoP proofs) never appear in a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

__all__ = [
    "CheckpointError",
    "ConfigError",
    "ContainmentRefused",
    "InvalidResponseError",
    "OktaAuthError",
    "OktaBadRequestError",
    "OktaError",
    "OktaIRError",
    "OktaNotFoundError",
    "OktaPermissionError",
    "OktaRateLimitError",
    "OktaServerError",
    "OktaTransportError",
    "SplunkdError",
    "UnsafeLinkError",
]


class OktaIRError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(OktaIRError):
    """Bad configuration or user input (org URL, key file, CLI flag values)."""


class CheckpointError(OktaIRError):
    """A checkpoint could not be read or written; nothing was lost, fix the store and rerun."""


class UnsafeLinkError(OktaIRError):
    """A pagination link points off the configured org: refused (SSRF guard)."""


class InvalidResponseError(OktaIRError):
    """Okta answered with a body that is not the JSON it should be (truncated, wrong type)."""


class OktaTransportError(OktaIRError):
    """The org could not be reached (DNS, TCP, TLS, timeout) even after retries."""


class ContainmentRefused(OktaIRError):
    """A containment action was refused by a safety rail before anything was sent."""


class OktaError(OktaIRError):
    """An error answer from the Okta API.

    Carries the HTTP ``status`` and Okta's ``errorCode``, ``errorSummary``, ``errorId`` and causes.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error_code: Optional[str] = None,
        summary: Optional[str] = None,
        error_id: Optional[str] = None,
        causes: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.summary = summary
        self.error_id = error_id
        self.causes = tuple(causes)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, error_code={self.error_code!r}, "
            f"summary={self.summary!r}, error_id={self.error_id!r})"
        )


class OktaBadRequestError(OktaError):
    """400: a parameter, filter or body was rejected (E0000001, E0000031, E0000053...)."""


class OktaAuthError(OktaError):
    """401 (or a refused token request): the credential is wrong, revoked or expired."""


class OktaPermissionError(OktaError):
    """403: the credential lacks a scope or admin role, or the operation is not allowed."""


class OktaNotFoundError(OktaError):
    """404: the user, group, zone or session does not exist (E0000007)."""


class OktaRateLimitError(OktaError):
    """429 that persisted past the retry budget (E0000047)."""

    def __init__(self, message: str, *, reset_in: Optional[float] = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.reset_in = reset_in


class OktaServerError(OktaError):
    """5xx that persisted past the retry budget."""


class SplunkdError(OktaIRError):
    """splunkd's REST API (KV store, storage/passwords, configs) refused a call or could not be reached.

    ``status`` is the HTTP status (0 when splunkd was unreachable).
    """

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status

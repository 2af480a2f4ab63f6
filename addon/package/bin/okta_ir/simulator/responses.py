"""Okta's response shapes: error bodies (as in the recorded cassettes) and OAuth error bodies."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence

from okta_ir.simulator.rand import okta_id

__all__ = ["ERROR_SUMMARIES", "ErrorIds", "error_body", "oauth_error_body"]

ERROR_SUMMARIES: dict[str, str] = {
    "E0000001": "Api validation failed: {0}",
    "E0000004": "Authentication failed",
    "E0000006": "You do not have permission to perform the requested action",
    "E0000007": "Not found: Resource not found: {0}",
    "E0000009": "Internal Server Error",
    "E0000011": "Invalid token provided",
    "E0000022": "The endpoint does not support the provided HTTP method",
    "E0000031": "Invalid search criteria.",
    "E0000032": "Unlock is not allowed for this user.",
    "E0000038": "This operation is not allowed in the user's current status.",
    "E0000047": "API call exceeded rate limit due to too many requests.",
    "E0000053": "Invalid SCIM filter.",
}


class ErrorIds:
    """Deterministic ``errorId`` values (``oae...``) per simulator."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._counter = itertools.count(1)

    def next(self) -> str:
        """A fresh error id."""
        return okta_id("oae", self._seed, 500, next(self._counter), 25)


def error_body(code: str, error_id: str, detail: str = "", causes: Sequence[str] = ()) -> bytes:
    """An Okta error body: errorCode, errorSummary, errorLink, errorId, errorCauses."""
    summary = ERROR_SUMMARIES[code]
    if "{0}" in summary:
        summary = summary.replace("{0}", detail)
    body = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": error_id,
        "errorCauses": [{"errorSummary": c} for c in causes],
    }
    return json.dumps(body, separators=(",", ":")).encode()


def oauth_error_body(error: str, description: str) -> bytes:
    """An OAuth 2.0 error body."""
    return json.dumps({"error": error, "error_description": description}, separators=(",", ":")).encode()

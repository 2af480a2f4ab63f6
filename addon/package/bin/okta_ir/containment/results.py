"""What a containment action did to one target: ``ActionResult`` and the requests it sent or planned."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = [
    "DRY_RUN",
    "FAILED",
    "NO_CHANGE",
    "OK_OUTCOMES",
    "OUTCOMES",
    "REFUSED",
    "SUCCESS",
    "ActionResult",
    "PlannedRequest",
]

SUCCESS = "success"
NO_CHANGE = "no_change"
REFUSED = "refused"
FAILED = "failed"
DRY_RUN = "dry_run"
OUTCOMES = (SUCCESS, NO_CHANGE, REFUSED, FAILED, DRY_RUN)
OK_OUTCOMES = frozenset((SUCCESS, NO_CHANGE, DRY_RUN))


@dataclass(frozen=True)
class PlannedRequest:
    """One HTTP request to Okta: sent (``sent=True``) or only planned by a dry run."""

    method: str
    url: str
    body: Optional[dict[str, Any]] = None
    sent: bool = True

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"method": self.method, "url": self.url, "sent": self.sent}
        if self.body is not None:
            data["body"] = self.body
        return data

    def line(self) -> str:
        """``METHOD URL`` as one printable line."""
        return f"{self.method} {self.url}"


@dataclass(frozen=True)
class ActionResult:
    """The outcome of one action on one target.

    outcome: success | no_change | refused | failed | dry_run.
    target: the target as given, made printable (control characters escaped, long values cut).
    requests: every request sent (reads included) and, in a dry run, the writes that would have been sent.
    """

    action: str
    target: str
    outcome: str
    detail: str = ""
    error_code: Optional[str] = None
    error_id: Optional[str] = None
    user_id: Optional[str] = None
    dry_run: bool = False
    requests: tuple[PlannedRequest, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when nothing went wrong (success, no_change, dry_run)."""
        return self.outcome in OK_OUTCOMES

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "target": self.target,
            "outcome": self.outcome,
            "detail": self.detail,
            "error_code": self.error_code,
            "error_id": self.error_id,
            "user_id": self.user_id,
            "dry_run": self.dry_run,
            "requests": [r.to_dict() for r in self.requests],
        }

    def line(self) -> str:
        """One human line: ``action target: outcome (detail) [errorCode errorId]``."""
        text = f"{self.action} {self.target}: {self.outcome}"
        if self.detail:
            text += f" ({self.detail})"
        if self.error_code or self.error_id:
            text += f" [{self.error_code or '-'} {self.error_id or '-'}]"
        return text

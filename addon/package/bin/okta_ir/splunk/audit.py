"""The audit trail of containment: one JSON line per action and target in
``$SPLUNK_HOME/var/log/splunk/okta_ir_actions.log`` (monitored with sourcetype ``okta:ir:action``).

Fields: time, search_name, sid, action, action_name, action_status, target, user_id, outcome, detail,
error_code, error_id, dry_run, owner, app, org, requests (method + URL; no headers, so no secrets).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

from okta_ir.containment.results import ActionResult
from okta_ir.errors import ConfigError

__all__ = ["AUDIT_FILE", "MAX_AUDITED_BODY", "AuditContext", "AuditLog", "audit_event", "default_audit_path"]

AUDIT_FILE = "okta_ir_actions.log"
MAX_AUDITED_BODY = 2000


def default_audit_path(environ: Optional[Mapping[str, str]] = None) -> str:
    """``$SPLUNK_HOME/var/log/splunk/okta_ir_actions.log``; ConfigError when SPLUNK_HOME is not set."""
    env = os.environ if environ is None else environ
    home = env.get("SPLUNK_HOME")
    if not home:
        raise ConfigError("SPLUNK_HOME is not set: cannot find var/log/splunk for the containment audit log")
    return os.path.join(home, "var", "log", "splunk", AUDIT_FILE)


@dataclass(frozen=True)
class AuditContext:
    """Who and what triggered the actions (from the alert payload, or the CLI)."""

    search_name: str = ""
    sid: str = ""
    owner: str = ""
    app: str = ""
    org: str = ""
    action_name: str = ""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def audit_event(result: ActionResult, context: AuditContext, *, time: Optional[str] = None) -> dict[str, Any]:
    """The audit event of one result (ES adaptive-response style ``action_name``/``action_status``)."""
    return {
        "time": time or _now(),
        "search_name": context.search_name,
        "sid": context.sid,
        "orig_sid": context.sid,
        "action": result.action,
        "action_name": context.action_name or f"okta_ir_{result.action}",
        "action_status": "success" if result.ok else "failure",
        "target": result.target,
        "user_id": result.user_id,
        "outcome": result.outcome,
        "detail": result.detail,
        "error_code": result.error_code,
        "error_id": result.error_id,
        "dry_run": result.dry_run,
        "owner": context.owner,
        "app": context.app,
        "org": context.org,
        "requests": [_request(r.to_dict()) for r in result.requests],
    }


def _request(data: dict[str, Any]) -> dict[str, Any]:
    """A request as audited: a large body (a zone's full gateway list) is replaced by its size, so the
    line stays well under Splunk's default 10,000-byte TRUNCATE."""
    body = data.get("body")
    if body is not None:
        text = json.dumps(body, sort_keys=True)
        if len(text) > MAX_AUDITED_BODY:
            data = {k: v for k, v in data.items() if k != "body"}
            data["body_chars"] = len(text)
    return data


class AuditLog:
    """Appends audit events as JSON lines; each line goes out in one write (safe with concurrent alerts)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def ensure_writable(self) -> None:
        """Create the file if needed; ConfigError when it cannot be appended to (then nothing is done)."""
        try:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            os.close(os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640))
        except OSError as exc:
            raise ConfigError(
                f"cannot write the audit log {self.path}: {exc.strerror}; "
                "fix it: containment does nothing without its audit trail"
            ) from None

    def write(self, event: Mapping[str, Any]) -> None:
        """Append one event and flush it to disk."""
        line = (json.dumps(event, sort_keys=True, ensure_ascii=True, default=str) + "\n").encode("utf-8")
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

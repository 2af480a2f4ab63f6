"""The containment audit trail (okta_ir.splunk.audit)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from okta_ir.containment.results import ActionResult, PlannedRequest
from okta_ir.errors import ConfigError
from okta_ir.splunk.audit import AuditContext, AuditLog, audit_event, default_audit_path

CONTEXT = AuditContext(search_name="s", sid="sid1", owner="o", app="a", org="https://acme.okta.com")


def test_event_fields_and_large_bodies_replaced_by_their_size() -> None:
    big = {"name": "z", "gateways": [{"type": "CIDR", "value": f"198.18.0.{i}/32"} for i in range(200)]}
    small = {"name": "z", "gateways": []}
    result = ActionResult(
        "block_ip",
        "203.0.113.9/32",
        "dry_run",
        "dry run, would have: ...",
        dry_run=True,
        requests=(
            PlannedRequest("GET", "https://acme.okta.com/api/v1/zones/nzo1"),
            PlannedRequest("PUT", "https://acme.okta.com/api/v1/zones/nzo1", big, sent=False),
            PlannedRequest("PUT", "https://acme.okta.com/api/v1/zones/nzo1", small, sent=False),
        ),
    )
    event = audit_event(result, CONTEXT, time="2026-11-25T00:00:00.000Z")
    assert event["requests"] == [
        {"method": "GET", "url": "https://acme.okta.com/api/v1/zones/nzo1", "sent": True},
        {
            "method": "PUT",
            "url": "https://acme.okta.com/api/v1/zones/nzo1",
            "sent": False,
            "body_chars": len(json.dumps(big, sort_keys=True)),
        },
        {"method": "PUT", "url": "https://acme.okta.com/api/v1/zones/nzo1", "sent": False, "body": small},
    ]
    assert {
        k: event[k] for k in ("time", "action", "action_name", "action_status", "outcome", "dry_run", "org")
    } == {
        "time": "2026-11-25T00:00:00.000Z",
        "action": "block_ip",
        "action_name": "okta_ir_block_ip",
        "action_status": "success",
        "outcome": "dry_run",
        "dry_run": True,
        "org": "https://acme.okta.com",
    }
    assert len(json.dumps(event)) < 10_000
    failed = audit_event(ActionResult("suspend", "x@y.co", "failed", "boom", "E0000009", "oae1"), CONTEXT)
    assert (failed["action_status"], failed["error_code"], failed["error_id"]) == (
        "failure",
        "E0000009",
        "oae1",
    )


def test_concurrent_writers_never_interleave_lines(tmp_path: Path) -> None:
    log = AuditLog(str(tmp_path / "var" / "log" / "splunk" / "okta_ir_actions.log"))
    log.ensure_writable()
    detail = "x" * 3000

    def writer(n: int) -> None:
        for i in range(100):
            log.write({"writer": n, "i": i, "detail": detail})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    lines = Path(log.path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert sorted((e["writer"], e["i"]) for e in map(json.loads, lines)) == [
        (n, i) for n in range(4) for i in range(100)
    ]


def test_audit_path_and_unwritable_log(tmp_path: Path) -> None:
    assert (
        default_audit_path({"SPLUNK_HOME": "/opt/splunk"}) == "/opt/splunk/var/log/splunk/okta_ir_actions.log"
    )
    with pytest.raises(ConfigError, match="SPLUNK_HOME is not set"):
        default_audit_path({})
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match=r"cannot write the audit log .*: File exists; fix it"):
        AuditLog(str(blocker / "okta_ir_actions.log")).ensure_writable()

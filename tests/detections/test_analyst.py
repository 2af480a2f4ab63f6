from __future__ import annotations

from detections.analyst import iocs, session_timeline
from detections.engine import HuntEngine
from detections.rules import load_rules
from tests.detections.okta_events import okta_event

RULES = """
title: Risky sign-in
id: 11111111-1111-4111-8111-111111111111
logsource: {product: okta, service: okta}
detection:
  sel:
    client.ipAddress|startswith: '203.0.113.'
  condition: sel
level: high
"""

APP = {"type": "AppInstance", "displayName": "Salesforce"}


def _engine_and_findings(write_rule):
    engine = HuntEngine()
    engine.load_events(
        [
            okta_event(
                "e1",
                "2026-03-01T10:00:00Z",
                ip="203.0.113.5",
                result="FAILURE",
                user="bob@example.com",
                country="Romania",
                agent="curl/8",
                session="S1",
            ),
            okta_event(
                "e2",
                "2026-03-01T10:01:00Z",
                ip="203.0.113.5",
                user="alice@example.com",
                country="Romania",
                agent="curl/8",
                session="S1",
            ),
            okta_event(
                "e3",
                "2026-03-01T10:02:00Z",
                "user.authentication.sso",
                ip="203.0.113.6",
                user="alice@example.com",
                country="Germany",
                targets=[{"type": "User"}, APP],
                session="S1",
            ),
            okta_event(
                "e4",
                "2026-03-01T10:03:00Z",
                "user.account.update_password",
                ip="203.0.113.6",
                user="carol@example.com",
                session="S2",
            ),
            okta_event(
                "e0", "2026-03-01T09:59:00Z", ip="198.51.100.1", user="dave@example.com", session="S1"
            ),
        ]
    )
    return engine, engine.run(load_rules(write_rule(RULES)))


def test_iocs_count_matched_events_only(write_rule):
    engine, findings = _engine_and_findings(write_rule)
    found = iocs(engine, findings).to_dict()
    assert found == {
        "source_ips": [["203.0.113.5", 2], ["203.0.113.6", 2]],
        "user_agents": [["curl/8", 2], ["Mozilla/5.0", 2]],
        "countries": [["Romania", 2], ["France", 1], ["Germany", 1]],
        "targeted_apps": [["Salesforce", 1]],
        # successful sign-ins only: bob failed, carol's event is not a sign-in, dave was not matched
        "compromised_accounts": [["alice@example.com", 2]],
    }


def test_session_timeline_orders_events_and_names_rules(write_rule):
    engine, findings = _engine_and_findings(write_rule)
    timeline = session_timeline(engine, "S1", findings)
    assert [(t.uuid, t.rules) for t in timeline] == [
        ("e0", []),
        ("e1", ["Risky sign-in"]),
        ("e2", ["Risky sign-in"]),
        ("e3", ["Risky sign-in"]),
    ]
    assert timeline[1].to_dict() == {
        "published": "2026-03-01T10:00:00.000Z",
        "uuid": "e1",
        "event_type": "user.session.start",
        "actor": "bob@example.com",
        "client_ip": "203.0.113.5",
        "country": "Romania",
        "outcome": "FAILURE",
        "message": "user.session.start",
        "rules": ["Risky sign-in"],
    }
    assert session_timeline(engine, "nope", findings) == []

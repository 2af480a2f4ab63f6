"""props/eventtypes/tags.conf generated from the field map: drift, parsing settings, CIM fields."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Optional

from detections import props

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "addon" / "package" / "default"
SAMPLES = ROOT.parent / "shared" / "okta-reference" / "samples"

# Fields read by Splunk Security Content's Okta detections (splunk/security_content
# detections/application/okta_*.yml, 19 files at commit b13b314aed0e1778335a55620474e7d27289a20a):
# Authentication.{user,src,dest,app,action,signature,reason,authentication_method}, All_Changes.{user,src,
# result,action,command,object_category,change_type}, and in raw searches src, src_ip, src_user, src_user_id,
# dest, user, user_agent, command, description, app, signature, severity.
ESCU_FIELDS = {
    "user", "src", "src_ip", "src_user", "src_user_id", "dest", "app", "action", "result", "signature",
    "reason", "user_agent", "authentication_method", "command", "description", "object_category",
    "change_type", "severity",
}


def parse_conf(text: str) -> dict[str, dict[str, str]]:
    stanzas: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"\[(.+)\]", line)
        if match:
            current = stanzas.setdefault(match.group(1), {})
            continue
        key, _, value = line.partition(" = ")
        assert current is not None and key not in current, f"duplicate or orphan key {key!r}"
        current[key] = value
    return stanzas


def flatten(value: Any, prefix: str = "", out: Optional[dict[str, list[Any]]] = None) -> dict[str, list[Any]]:
    """Splunk KV_MODE=json naming: objects dotted, arrays as ``name{}``, array members multivalued."""
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{prefix}.{key}" if prefix else key, out)
    elif isinstance(value, list):
        for item in value:
            flatten(item, prefix + "{}", out)
    elif value is not None:
        out.setdefault(prefix, []).append(value)
    return out


def apply_aliases(stanza: dict[str, str], event: dict[str, list[Any]]) -> dict[str, list[Any]]:
    fields = dict(event)
    for key, value in stanza.items():
        if key.startswith("FIELDALIAS-"):
            source, _, target = value.partition(" AS ")
            source = source.strip().strip('"')
            if source in event:
                fields[target.strip()] = event[source]
    return fields


def test_committed_files_match_the_generator():
    for name, content in props.generate().items():
        assert (DEFAULT / name).read_text(encoding="utf-8") == content, f"{name} drifted: run okta-ir build"


def test_parsing_settings():
    stanza = parse_conf(props.render_props())["OktaIM2:log"]
    assert stanza["KV_MODE"] == "json"
    assert stanza["TIME_PREFIX"] == '"published":\\s*"'
    assert stanza["TIME_FORMAT"] == "%Y-%m-%dT%H:%M:%S.%3N%Z"
    assert stanza["TZ"] == "UTC"
    assert stanza["SHOULD_LINEMERGE"] == "false"
    assert stanza["LINE_BREAKER"] == "([\\r\\n]+)"
    assert int(stanza["TRUNCATE"]) >= 1_000_000
    assert "okta:ir:action" in parse_conf(props.render_props())


def test_every_escu_field_is_produced():
    stanza = parse_conf(props.render_props())["OktaIM2:log"]
    produced = {v.partition(" AS ")[2].strip() for k, v in stanza.items() if k.startswith("FIELDALIAS-")}
    produced |= {k[len("EVAL-"):] for k in stanza if k.startswith("EVAL-")}
    assert produced >= ESCU_FIELDS, sorted(ESCU_FIELDS - produced)


def test_aliases_on_a_real_sample_event():
    event = json.loads((SAMPLES / "spec-example-ListLogs.json").read_text())
    event = event[0] if isinstance(event, list) else event
    fields = apply_aliases(parse_conf(props.render_props())["OktaIM2:log"], flatten(event))
    assert fields["user"] == [event["actor"]["alternateId"]]
    assert fields["src_user"] == [event["actor"]["alternateId"]]
    assert fields["src"] == fields["src_ip"] == [event["client"]["ipAddress"]]
    assert fields["signature"] == [event["eventType"]]
    assert fields["result"] == [event["outcome"]["result"]]
    assert fields["user_agent"] == [event["client"]["userAgent"]["rawUserAgent"]]
    targets = event.get("target") or []
    assert fields.get("dest") == ([t["alternateId"] for t in targets if t.get("alternateId")] or None)


def test_eventtypes_and_tags():
    eventtypes = parse_conf(props.render_eventtypes())
    auth = eventtypes["okta_ir_authentication"]["search"]
    assert 'eventType="user.session.start"' in auth
    assert 'NOT actor.alternateId="system@okta.com"' in auth
    tags = parse_conf(props.render_tags())
    assert tags["eventtype=okta_ir_authentication"] == {"authentication": "enabled"}
    assert tags["eventtype=okta_ir_change"] == {"change": "enabled", "account": "enabled"}
    assert tags["eventtype=okta_ir_alert"] == {"alert": "enabled"}
    for name, _sourcetype in props.modaction_sourcetypes():
        assert f"{name}_modaction_result" in eventtypes
        assert tags[f"eventtype={name}_modaction_result"] == {"modaction_result": "enabled"}


def test_action_eval_is_rendered_from_the_table():
    stanza = parse_conf(props.render_props())["OktaIM2:log"]
    assert stanza["EVAL-action"] == props.action_eval()
    for regex, results, value in props.ACTION_RULES:
        assert f'"{value}"' in stanza["EVAL-action"]
        if regex is not None:
            assert f'match(eventType, "{regex}")' in stanza["EVAL-action"]
        for result in results or ():
            assert f"'outcome.result'==\"{result}\"" in stanza["EVAL-action"]


def test_action_values_escu_relies_on():
    # (eventType, outcome.result) -> action, as ESCU's Okta detections filter on them
    cases = {
        ("user.session.start", "FAILURE"): "failure",
        ("user.session.start", "SUCCESS"): "success",
        ("user.authentication.auth_via_mfa", "FAILURE"): "failure",
        ("user.authentication.sso", "DENY"): "blocked",
        ("policy.evaluate_sign_on", "CHALLENGE"): "pending",
        ("user.account.lock", "SUCCESS"): "lockout",
        ("user.account.lock.limit", "SUCCESS"): "lockout",
        ("system.api_token.create", "SUCCESS"): "created",
        ("device.enrollment.create", "SUCCESS"): "created",
        ("group.user_membership.add", "SUCCESS"): "created",
        ("group.user_membership.remove", "SUCCESS"): "deleted",
        ("user.mfa.factor.deactivate", "SUCCESS"): "modified",
        ("user.lifecycle.suspend", "SUCCESS"): "modified",
        ("user.lifecycle.create", "FAILURE"): "failure",
    }
    assert {key: props.cim_action(*key) for key in cases} == cases


def test_system_principal_sessions_are_not_authentications():
    person = {"eventType": "user.session.start", "actor": {"alternateId": "ana@acme.com"}}
    system = {"eventType": "user.session.start", "actor": {"alternateId": "system@okta.com"}}
    assert props.eventtypes_of(person) == ["okta_ir_authentication"]
    assert props.eventtypes_of(system) == []
    lock = {"eventType": "user.account.lock", "actor": {"alternateId": "system@okta.com"}}
    assert props.eventtypes_of(lock) == ["okta_ir_change"]
    threat = {"eventType": "security.threat.detected", "actor": {"alternateId": "unknown"}}
    assert props.eventtypes_of(threat) == ["okta_ir_alert"]
    # the rendered searches carry the same patterns and exclusion
    auth = parse_conf(props.render_eventtypes())["okta_ir_authentication"]["search"]
    for pattern in props.AUTH_EVENT_TYPES:
        assert f'eventType="{pattern}"' in auth
    for principal in props.SYSTEM_PRINCIPALS:
        assert f'NOT actor.alternateId="{principal}"' in auth

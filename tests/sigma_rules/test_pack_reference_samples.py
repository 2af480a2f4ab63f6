"""Cross-check with independent work: where a Panther Okta rule means what one of ours means, our rule
fires on exactly the Panther test events that Panther expects to fire. And the whole pack survives
every reference sample (Panther's messy lower-case keys, the spec's and Okta docs' examples)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sigma_pack import REPO, RULES_DIR

from detections.engine import HuntEngine
from detections.rules import load_rules

REFERENCE = REPO.parent / "shared" / "okta-reference"
MANIFEST = REFERENCE / "samples" / "panther" / "MANIFEST.json"

# Panther rule id -> our rule file with the same meaning (single-event rules only).
SAME_MEANING = {
    "Okta.APIKeyCreated": "03-foothold-escalation/okta_api_token_created.yml",
    "Okta.AdminRoleAssigned": "03-foothold-escalation/okta_admin_privilege_granted.yml",
    "Okta.Global.MFA.Disabled": "03-foothold-escalation/okta_org_mfa_factor_deactivated.yml",
    "Okta.Refresh.Access.Token.Reuse": "05-okta-native/okta_refresh_token_reuse_detected.yml",
    "Okta.Support.Access": "03-foothold-escalation/okta_support_access_granted.yml",
    "Okta.App.Unauthorized.Access.Attempt": "05-okta-native/okta_unauthorized_app_access_attempt.yml",
    "Okta.Phishing.Attempt.Blocked.FastPass": "05-okta-native/okta_fastpass_phishing_blocked.yml",
    "Okta.ThreatInsight.Security.Threat.Detected": "05-okta-native/okta_threatinsight_threat_detected.yml",
    "Okta.User.Reported.Suspicious.Activity": "05-okta-native/okta_user_reported_suspicious_activity.yml",
    "Okta.User.MFA.Reset.All": "03-foothold-escalation/okta_mfa_factor_deactivated_or_reset.yml",
    "Okta.User.MFA.Reset.Single": "03-foothold-escalation/okta_mfa_factor_deactivated_or_reset.yml",
}


def _manifest() -> list[dict[str, Any]]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def _cases() -> list[tuple[str, Path, int, bool, str]]:
    cases = []
    for entry in _manifest():
        ours = SAME_MEANING.get(entry["rule_id"])
        if ours is None:
            continue
        sample = REFERENCE / entry["file"]
        for test in entry["tests"]:
            cases.append((ours, sample, test["line"], test["expected_result"], test["name"]))
    return cases


CASES = _cases()


def test_every_mapped_panther_rule_is_in_the_manifest() -> None:
    assert {e["rule_id"] for e in _manifest()} >= set(SAME_MEANING)
    assert len(CASES) >= 2 * len(SAME_MEANING) - 2


@pytest.mark.parametrize(("ours", "sample", "line", "expected", "name"), CASES,
                         ids=[f"{Path(c[1]).stem}:{c[2]}" for c in CASES])
def test_our_rule_agrees_with_panthers_expectation(ours: str, sample: Path, line: int, expected: bool,
                                                    name: str) -> None:
    event = sample.read_text(encoding="utf-8").splitlines()[line - 1]
    with HuntEngine() as engine:
        assert engine.load_events([event]).loaded == 1
        findings = engine.run(load_rules(RULES_DIR / ours))
    assert bool(findings) is expected, name


def test_the_whole_pack_survives_every_reference_sample() -> None:
    files = sorted((REFERENCE / "samples" / "panther").glob("*.ndjson"))
    files += sorted((REFERENCE / "samples").glob("*.json"))
    lines: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            data = json.loads(text)
            lines += [json.dumps(e) for e in (data if isinstance(data, list) else [data])]
        else:
            lines += [line for line in text.splitlines() if line.strip()]
    rules = load_rules(RULES_DIR)
    with HuntEngine() as engine:
        report = engine.load_events(lines)
        findings = engine.run(rules)
    assert report.loaded + report.skipped == len(lines) and report.loaded >= 86
    assert {f.title for f in findings} >= {"Okta FastPass Declined A Phishing Attempt",
                                           "Okta ThreatInsight Security Threat Detected",
                                           "Okta Super Administrator Role Granted"}

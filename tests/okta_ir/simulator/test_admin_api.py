"""Containment endpoints: state transitions, Okta's status codes and error bodies, audit events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from okta_ir.simulator import RunningSimulator, ScenarioFacts, Simulator, SimulatorConfig

SSWS = {"Authorization": "SSWS admin-token", "User-Agent": "okta-ir-test/1.0"}
Org = tuple[RunningSimulator, ScenarioFacts, httpx.Client]


@pytest.fixture()
def org() -> Iterator[Org]:
    sim = Simulator(SimulatorConfig(scenario="guide", seed=9, events=400, users=40))
    with sim.serve() as running, httpx.Client(base_url=running.base_url, headers=SSWS, timeout=10) as client:
        yield running, sim.scenario_facts(), client


def new_events(running: RunningSimulator, before: int) -> list[dict[str, Any]]:
    return list(running.ground_truth())[before:]


def test_suspend_then_suspend_again_then_unsuspend(org: Org) -> None:
    running, facts, c = org
    before = running.event_count()
    uid = facts.compromised_user_id
    resp = c.post(f"/api/v1/users/{uid}/lifecycle/suspend")
    assert (resp.status_code, resp.json()) == (200, {})
    assert running.state.user_status(uid) == "SUSPENDED"
    again = c.post(f"/api/v1/users/{uid}/lifecycle/suspend")
    assert again.status_code == 400
    assert again.json()["errorCode"] == "E0000001"
    assert again.json()["errorSummary"] == "Api validation failed: Cannot suspend a user that is not active"
    assert c.post(f"/api/v1/users/{uid}/lifecycle/unsuspend").json() == {}
    assert running.state.user_status(uid) == "ACTIVE"
    bad = c.post(f"/api/v1/users/{uid}/lifecycle/unsuspend")
    assert (bad.status_code, bad.json()["errorCode"]) == (400, "E0000001")
    events = new_events(running, before)
    assert [e["eventType"] for e in events] == ["user.lifecycle.suspend", "user.lifecycle.unsuspend"]
    for e in events:
        assert e["actor"]["alternateId"] == facts.automation_login
        assert e["target"][0]["id"] == uid
        assert e["client"]["userAgent"]["rawUserAgent"] == "okta-ir-test/1.0"
        assert e["transaction"]["detail"]["requestApiTokenId"].startswith("00T")
        assert "admin-token" not in str(e)


def test_unlock_only_for_locked_users(org: Org) -> None:
    running, facts, c = org
    active = c.post(f"/api/v1/users/{facts.compromised_user_id}/lifecycle/unlock")
    assert active.status_code == 403
    body = active.json()
    assert (body["errorCode"], body["errorSummary"], body["errorCauses"]) == (
        "E0000032",
        "Unlock is not allowed for this user.",
        [{"errorSummary": "The user is not locked out."}],
    )
    locked = facts.locked_logins[0]
    assert running.state.user_status(locked) == "LOCKED_OUT"
    resp = c.post(f"/api/v1/users/{quote(locked)}/lifecycle/unlock")
    assert (resp.status_code, running.state.user_status(locked)) == (200, "ACTIVE")


def test_get_user_by_id_and_url_encoded_login_and_404(org: Org) -> None:
    running, facts, c = org
    by_id = c.get(f"/api/v1/users/{facts.compromised_user_id}").json()
    by_login = c.get("/api/v1/users/" + quote(facts.compromised_login, safe="")).json()
    assert by_id == by_login
    assert by_id["profile"]["login"] == facts.compromised_login
    assert by_id["status"] == "ACTIVE"
    assert by_id["_links"]["suspend"] == {
        "href": f"{running.base_url}/api/v1/users/{by_id['id']}/lifecycle/suspend",
        "method": "POST",
    }
    missing = c.get("/api/v1/users/00uNOPE")
    assert missing.status_code == 404
    assert missing.json()["errorSummary"] == "Not found: Resource not found: 00uNOPE (User)"
    assert c.post("/api/v1/users/00uNOPE/lifecycle/suspend").status_code == 404


def test_clear_sessions_with_oauth_tokens_is_204_and_logged(org: Org) -> None:
    running, facts, c = org
    uid = facts.compromised_user_id
    assert facts.attacker_session_id in running.state.user_sessions(uid)
    before = running.event_count()
    resp = c.delete(f"/api/v1/users/{uid}/sessions", params={"oauthTokens": "true"})
    assert (resp.status_code, resp.content) == (204, b"")
    assert running.state.user_sessions(uid) == []
    (event,) = new_events(running, before)
    assert event["eventType"] == "user.session.clear"
    assert event["debugContext"]["debugData"]["oauthTokens"] == "true"


def test_reset_factors_expire_password_and_reset_password(org: Org) -> None:
    running, facts, c = org
    login = facts.sprayed_logins[0]
    user = running.state.find_user(login)
    assert user is not None and user.factors
    assert c.post(f"/api/v1/users/{user.id}/lifecycle/reset_factors").json() == {}
    assert running.state.find_user(login).factors == []  # type: ignore[union-attr]
    expired = c.post(f"/api/v1/users/{user.id}/lifecycle/expire_password")
    assert (expired.status_code, expired.json()["status"]) == (200, "PASSWORD_EXPIRED")
    reset = c.post(
        f"/api/v1/users/{user.id}/lifecycle/reset_password",
        params={"sendEmail": "false", "revokeSessions": "true"},
    )
    assert reset.status_code == 200
    assert reset.json()["resetPasswordUrl"].startswith(running.base_url + "/reset_password/")
    assert running.state.user_status(user.id) == "RECOVERY"
    assert running.state.user_sessions(user.id) == []
    types = [e["eventType"] for e in running.ground_truth()][-3:]
    assert types == [
        "user.mfa.factor.reset_all",
        "user.account.expire_password",
        "user.account.reset_password",
    ]


def test_factor_list_delete_then_404(org: Org) -> None:
    running, _facts, c = org
    user = next(u for u in running.state.users.values() if len(u.factors) == 2)
    factors = c.get(f"/api/v1/users/{user.id}/factors").json()
    assert [f["factorType"] for f in factors] == ["push", "token:software:totp"]
    fid = factors[0]["id"]
    assert c.delete(f"/api/v1/users/{user.id}/factors/{fid}").status_code == 204
    gone = c.get(f"/api/v1/users/{user.id}/factors/{fid}")
    assert gone.status_code == 404
    assert gone.json()["errorSummary"] == f"Not found: Resource not found: {fid} (UserFactor)"
    assert c.delete(f"/api/v1/users/{user.id}/factors/{fid}").status_code == 404
    assert list(running.ground_truth())[-1]["eventType"] == "user.mfa.factor.deactivate"


def test_quarantine_group_add_remove_are_204_and_idempotent(org: Org) -> None:
    running, facts, c = org
    gid, uid = facts.quarantine_group_id, facts.compromised_user_id
    before = running.event_count()
    assert c.put(f"/api/v1/groups/{gid}/users/{uid}").status_code == 204
    assert c.put(f"/api/v1/groups/{gid}/users/{uid}").status_code == 204
    assert running.state.group_members(gid) == {uid}
    members = c.get(f"/api/v1/groups/{gid}/users").json()
    assert [m["id"] for m in members] == [uid]
    assert c.delete(f"/api/v1/groups/{gid}/users/{uid}").status_code == 204
    assert running.state.group_members(gid) == set()
    assert [e["eventType"] for e in new_events(running, before)] == [
        "group.user_membership.add",
        "group.user_membership.remove",
    ]
    assert c.put(f"/api/v1/groups/00gNOPE/users/{uid}").status_code == 404
    found = c.get("/api/v1/groups", params={"q": "Quar"}).json()
    assert [g["id"] for g in found] == [gid]


def test_revoke_one_session(org: Org) -> None:
    running, facts, c = org
    sid = facts.attacker_session_id
    session = c.get(f"/api/v1/sessions/{sid}").json()
    assert (session["id"], session["userId"], session["status"]) == (sid, facts.compromised_user_id, "ACTIVE")
    assert c.delete(f"/api/v1/sessions/{sid}").status_code == 204
    assert c.get(f"/api/v1/sessions/{sid}").status_code == 404
    assert sid not in running.state.user_sessions(facts.compromised_user_id)
    again = c.delete(f"/api/v1/sessions/{sid}")
    assert again.status_code == 404
    assert again.json()["errorSummary"] == f"Not found: Resource not found: {sid} (AppSession)"
    assert c.delete(f"/api/v1/users/{facts.compromised_user_id}/grants").status_code == 204


def test_blocklist_zone_read_modify_write(org: Org) -> None:
    running, facts, c = org
    zones = c.get("/api/v1/zones", params={"filter": 'usage eq "BLOCKLIST"'}).json()
    assert [z["id"] for z in zones] == [facts.blocklist_zone_id]
    zone = c.get(f"/api/v1/zones/{facts.blocklist_zone_id}").json()
    zone["gateways"].append({"type": "CIDR", "value": f"{facts.spray_ip}/32"})
    body = {k: v for k, v in zone.items() if k not in ("_links", "id", "created", "lastUpdated", "system")}
    resp = c.put(f"/api/v1/zones/{facts.blocklist_zone_id}", json=body)
    assert resp.status_code == 200
    assert {"type": "CIDR", "value": f"{facts.spray_ip}/32"} in resp.json()["gateways"]
    assert running.state.zone(facts.blocklist_zone_id)["gateways"] == zone["gateways"]
    event = list(running.ground_truth())[-1]
    assert event["eventType"] == "zone.update"
    assert event["target"][0]["changeDetails"]["to"]["gateways"][-1] == f"{facts.spray_ip}/32"


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda z: z.update(gateways=[{"type": "CIDR", "value": "not-an-ip"}]), "invalid address"),
        (lambda z: z.update(gateways=[{"type": "RANGE", "value": "10.0.0.9-10.0.0.1"}]), "invalid range"),
        (
            lambda z: z.update(
                gateways=[{"type": "CIDR", "value": f"10.{i // 250}.{i % 250}.1/32"} for i in range(1001)]
            ),
            "at most 1000",
        ),
        (lambda z: z.pop("name"), "name"),
        (lambda z: z.update(usage="POLICY"), "usage"),
    ],
)
def test_zone_put_validates_the_replacement(org: Org, mutate: Any, fragment: str) -> None:
    running, facts, c = org
    zone = c.get(f"/api/v1/zones/{facts.blocklist_zone_id}").json()
    before = running.state.zone(facts.blocklist_zone_id)
    mutate(zone)
    resp = c.put(f"/api/v1/zones/{facts.blocklist_zone_id}", json=zone)
    assert resp.status_code == 400
    assert resp.json()["errorCode"] == "E0000001"
    assert fragment in resp.json()["errorCauses"][0]["errorSummary"]
    assert running.state.zone(facts.blocklist_zone_id) == before


def test_exactly_1000_blocklist_gateways_are_accepted(org: Org) -> None:
    _, facts, c = org
    zone = c.get(f"/api/v1/zones/{facts.blocklist_zone_id}").json()
    zone["gateways"] = [{"type": "CIDR", "value": f"10.{i // 250}.{i % 250}.1/32"} for i in range(1000)]
    assert c.put(f"/api/v1/zones/{facts.blocklist_zone_id}", json=zone).status_code == 200


def test_deactivate_is_200_and_ends_sessions(org: Org) -> None:
    running, facts, c = org
    resp = c.post(
        f"/api/v1/users/{facts.compromised_user_id}/lifecycle/deactivate", params={"sendEmail": "false"}
    )
    assert (resp.status_code, resp.json()) == (200, {})
    assert running.state.user_status(facts.compromised_user_id) == "DEPROVISIONED"
    assert running.state.user_sessions(facts.compromised_user_id) == []
    assert c.post(f"/api/v1/users/{facts.compromised_user_id}/lifecycle/suspend").status_code == 400

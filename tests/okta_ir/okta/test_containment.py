"""Containment actions through the real OktaClient over httpx.MockTransport (okta_ir.okta.containment).

Each test scripts Okta's answers per request, asserts the outcome and the exact requests, and validates
every request sent against ../shared/okta-reference/spec/okta-subset.yaml with openapi-core.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Optional, Union
from urllib.parse import unquote

import httpx
import pytest
import yaml
from jsonschema_path import SchemaPath
from okta_ir.errors import ContainmentRefused
from okta_ir.okta.auth import ApiTokenAuth
from okta_ir.okta.client import ClientSettings, OktaClient
from okta_ir.okta.containment import ContainmentPolicy, contain_compromise, run_action
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.schemas import oas30_write_schema_validators_factory
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "okta-reference" / "spec" / "okta-subset.yaml"
ORG = "https://acme.okta.com"
TOKEN = "00aSECRETtokenVALUEnever-logged"
UID = "00u1alice00000000001"
QGROUP = "00gQUARANTINE0000001"
ZONE = "nzo1BLOCK00000000001"

Answer = Union[httpx.Response, Callable[[httpx.Request], httpx.Response]]


class OpenAPIRequest:
    """openapi-core's Request protocol over an httpx.Request (host mapped to the spec's server)."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        query: dict[str, list[str]] = {}
        for key, value in request.url.params.multi_items():
            query.setdefault(key, []).append(value)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )

    host_url = "https://subdomain.okta.com"

    @property
    def path(self) -> str:
        return self._request.url.raw_path.decode("ascii").split("?", 1)[0]

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> Optional[bytes]:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "application/json")


class SpecCheck:
    """Validates requests against the Okta spec; zone bodies also against IPNetworkZone (the discriminator
    mapping, which openapi-core does not follow for request bodies)."""

    def __init__(self) -> None:
        data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
        self.openapi = OpenAPI.from_dict(data)
        root = SchemaPath.from_dict(data)
        self.ip_zone = oas30_write_schema_validators_factory.create(
            root, root / "components" / "schemas" / "IPNetworkZone"
        )

    def validate_request(self, request: httpx.Request) -> None:
        self.openapi.validate_request(OpenAPIRequest(request))
        if request.method == "PUT" and request.url.path.startswith("/api/v1/zones/"):
            self.ip_zone.validate(json.loads(request.content))


@pytest.fixture(scope="module")
def spec() -> SpecCheck:
    return SpecCheck()


class ScriptedOkta:
    """Answers each (METHOD, decoded path) with the next scripted answer; records every request."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Answer]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, method: str, path: str, *answers: Answer) -> ScriptedOkta:
        self.routes.setdefault((method, path), []).extend(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        queue = self.routes.get((request.method, unquote(request.url.path)))
        if not queue:
            return error(404, "E0000007", "Not found: Resource not found")
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return answer(request) if callable(answer) else answer

    def lines(self) -> list[str]:
        return [f"{r.method} {r.url.raw_path.decode()}" for r in self.requests]


def ok(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def error(status: int, code: str, summary: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "errorCode": code,
            "errorSummary": summary,
            "errorLink": code,
            "errorId": "oaeERR" + code,
            "errorCauses": [],
        },
        headers={"x-rate-limit-limit": "600", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "0"}
        if status == 429
        else {},
    )


def user(uid: str = UID, login: str = "alice@example.com", status: str = "ACTIVE") -> dict[str, Any]:
    return {"id": uid, "status": status, "profile": {"login": login, "email": login}}


@pytest.fixture()
def okta() -> ScriptedOkta:
    return ScriptedOkta()


@pytest.fixture()
def client(okta: ScriptedOkta) -> Iterator[OktaClient]:
    settings = ClientSettings(max_retries=3, max_retry_seconds=30)
    with OktaClient(
        ORG, ApiTokenAuth(TOKEN), settings=settings, transport=httpx.MockTransport(okta), sleep=lambda s: None
    ) as c:
        yield c


def assert_spec_valid(spec: SpecCheck, okta: ScriptedOkta) -> None:
    assert okta.requests, "no request was sent"
    for request in okta.requests:
        spec.validate_request(request)


def alice_is(okta: ScriptedOkta, status: str = "ACTIVE", groups: Optional[list[str]] = None) -> None:
    okta.on("GET", "/api/v1/users/alice@example.com", ok(user(status=status)))
    okta.on("GET", f"/api/v1/users/{UID}", ok(user(status=status)))
    okta.on("GET", f"/api/v1/users/{UID}/groups", ok([{"id": g, "type": "OKTA_GROUP"} for g in groups or []]))


def test_suspend_by_login_resolves_checks_groups_then_suspends(
    okta: ScriptedOkta, client: OktaClient, spec: SpecCheck
) -> None:
    alice_is(okta)
    okta.on("POST", f"/api/v1/users/{UID}/lifecycle/suspend", ok({}))
    [result] = run_action(client, "suspend", ["alice@example.com"])
    assert (result.action, result.target, result.outcome, result.user_id) == (
        "suspend",
        "alice@example.com",
        "success",
        UID,
    )
    assert result.detail == "user was ACTIVE, now SUSPENDED"
    assert okta.lines() == [
        "GET /api/v1/users/alice%40example.com",
        f"GET /api/v1/users/{UID}/groups",
        f"POST /api/v1/users/{UID}/lifecycle/suspend",
    ]
    assert [r.line() for r in result.requests] == [
        f"{line.split()[0]} {ORG}{line.split()[1]}" for line in okta.lines()
    ]
    assert okta.requests[0].headers["authorization"] == f"SSWS {TOKEN}"
    assert TOKEN not in json.dumps(result.to_dict())
    assert_spec_valid(spec, okta)


def test_already_suspended_is_no_change_and_sends_no_write(okta: ScriptedOkta, client: OktaClient) -> None:
    alice_is(okta, status="SUSPENDED")
    [result] = run_action(client, "suspend", ["alice@example.com"])
    assert (result.outcome, result.detail) == ("no_change", "user is already SUSPENDED")
    assert [r.method for r in okta.requests] == ["GET", "GET"]


def test_suspend_race_400_then_suspended_is_no_change(okta: ScriptedOkta, client: OktaClient) -> None:
    okta.on("GET", "/api/v1/users/alice@example.com", ok(user()))
    okta.on("GET", f"/api/v1/users/{UID}", ok(user(status="SUSPENDED")))
    okta.on("GET", f"/api/v1/users/{UID}/groups", ok([]))
    okta.on(
        "POST",
        f"/api/v1/users/{UID}/lifecycle/suspend",
        error(400, "E0000001", "Api validation failed: Cannot suspend a user that is not active"),
    )
    [result] = run_action(client, "suspend", ["alice@example.com"])
    assert (result.outcome, result.detail) == ("no_change", "user became SUSPENDED meanwhile")


def test_unsuspend_and_lifecycle_variants(okta: ScriptedOkta, client: OktaClient, spec: SpecCheck) -> None:
    alice_is(okta, status="SUSPENDED")
    okta.on("POST", f"/api/v1/users/{UID}/lifecycle/unsuspend", ok({}))
    okta.on("POST", f"/api/v1/users/{UID}/lifecycle/expire_password", ok(user(status="PASSWORD_EXPIRED")))
    okta.on("GET", f"/api/v1/users/{UID}/factors", ok([{"id": "opf1", "factorType": "push"}]))
    okta.on("POST", f"/api/v1/users/{UID}/lifecycle/reset_factors", ok({}))
    okta.on("DELETE", f"/api/v1/users/{UID}/sessions", httpx.Response(204))
    outcomes = [
        run_action(client, action, [UID])[0].outcome
        for action in ("unsuspend", "expire-password", "reset_factors", "okta_ir_clear_sessions")
    ]
    assert outcomes == ["success"] * 4
    writes = [line for line in okta.lines() if not line.startswith("GET")]
    assert writes == [
        f"POST /api/v1/users/{UID}/lifecycle/unsuspend",
        f"POST /api/v1/users/{UID}/lifecycle/expire_password",
        f"POST /api/v1/users/{UID}/lifecycle/reset_factors",
        f"DELETE /api/v1/users/{UID}/sessions?oauthTokens=true",
    ]
    assert_spec_valid(spec, okta)


def test_no_factors_and_active_user_are_no_change(okta: ScriptedOkta, client: OktaClient) -> None:
    alice_is(okta)
    okta.on("GET", f"/api/v1/users/{UID}/factors", ok([]))
    assert run_action(client, "reset_factors", [UID])[0].detail == "user has no enrolled factors"
    assert run_action(client, "unsuspend", [UID])[0].detail == "user is already ACTIVE"
    assert all(r.method == "GET" for r in okta.requests)


def test_deactivate_needs_explicit_permission(
    okta: ScriptedOkta, client: OktaClient, spec: SpecCheck
) -> None:
    [refused] = run_action(client, "deactivate", [UID])
    assert (refused.outcome, refused.detail) == (
        "refused",
        "deactivation is disabled; enable it explicitly in the configuration",
    )
    assert okta.requests == []
    alice_is(okta)
    okta.on("POST", f"/api/v1/users/{UID}/lifecycle/deactivate", httpx.Response(204))  # old orgs answer 204
    [done] = run_action(client, "deactivate", [UID], ContainmentPolicy(allow_deactivate=True))
    assert done.outcome == "success"
    assert okta.lines()[-1] == f"POST /api/v1/users/{UID}/lifecycle/deactivate?sendEmail=false"
    assert_spec_valid(spec, okta)


def test_quarantine_and_release_are_idempotent(
    okta: ScriptedOkta, client: OktaClient, spec: SpecCheck
) -> None:
    policy = ContainmentPolicy(quarantine_group_id=QGROUP)
    alice_is(okta, groups=["00gEVERYONE000000001"])
    okta.on("PUT", f"/api/v1/groups/{QGROUP}/users/{UID}", httpx.Response(204))
    assert run_action(client, "quarantine", [UID], policy)[0].outcome == "success"
    assert run_action(client, "release", [UID], policy)[0].detail == f"user is not in group {QGROUP}"
    okta.routes[("GET", f"/api/v1/users/{UID}/groups")] = [ok([{"id": QGROUP}])]
    okta.on("DELETE", f"/api/v1/groups/{QGROUP}/users/{UID}", httpx.Response(204))
    assert run_action(client, "quarantine", [UID], policy)[0].detail == f"user is already in group {QGROUP}"
    assert run_action(client, "release", [UID], policy)[0].outcome == "success"
    writes = [line for line in okta.lines() if not line.startswith("GET")]
    assert writes == [
        f"PUT /api/v1/groups/{QGROUP}/users/{UID}",
        f"DELETE /api/v1/groups/{QGROUP}/users/{UID}",
    ]
    assert_spec_valid(spec, okta)
    [refused] = run_action(client, "quarantine", [UID])
    assert (refused.outcome, refused.detail) == ("refused", "no quarantine group is configured")


def test_protected_users_and_groups_are_never_touched(okta: ScriptedOkta, client: OktaClient) -> None:
    alice_is(okta, groups=["00gBREAKGLASS0000001"])
    by_login = ContainmentPolicy(protected_users=frozenset({"ALICE@example.com"}))
    by_id = ContainmentPolicy(protected_users=frozenset({UID}))
    by_group = ContainmentPolicy(protected_groups=frozenset({"00gBREAKGLASS0000001"}))
    details = [run_action(client, "suspend", [UID], p)[0].detail for p in (by_login, by_id, by_group)]
    assert details == [
        "user alice@example.com is on the protected list",
        f"user {UID.lower()} is on the protected list",
        "user is a member of the protected group 00gBREAKGLASS0000001",
    ]
    assert all(r.method == "GET" for r in okta.requests)


def test_login_resolving_to_someone_else_is_refused(okta: ScriptedOkta, client: OktaClient) -> None:
    okta.on("GET", "/api/v1/users/alice", ok(user(login="alice.jones@example.com")))
    okta.on("GET", "/api/v1/users/al", ok(user(login="alice@example.com")))
    assert run_action(client, "suspend", ["alice"])[0].outcome == "refused"
    [other] = run_action(client, "suspend", ["al"])
    assert (other.outcome, other.detail) == ("refused", "al resolved to another user (alice@example.com)")
    assert all(r.method == "GET" for r in okta.requests)


def test_me_alias_is_refused_before_any_request(okta: ScriptedOkta, client: OktaClient) -> None:
    [result] = run_action(client, "suspend", ["me"])
    assert result.outcome == "refused"
    assert okta.requests == []


HOSTILE = [
    "../../api/v1/users/admin/lifecycle/deactivate",
    "alice@example.com\r\nX-Evil: 1",
    "alice\x00@example.com",
    "a" * 150 + "@example.com",
    "x" * 5000,
    "\u202eadmin@example.com",
    "alice%2F..%2Fadmin@example.com",
    "00u1alice00000000001/lifecycle/deactivate",
    "alice@example.com?x=1",
    "me",
]


def test_hostile_user_values_send_nothing(okta: ScriptedOkta, client: OktaClient) -> None:
    policy = ContainmentPolicy(max_targets=20)
    results = run_action(client, "suspend", HOSTILE, policy)
    assert [r.outcome for r in results] == ["refused"] * len(HOSTILE)
    assert okta.requests == []
    for result in results:
        assert "\r" not in result.target and "\n" not in result.target and "\x00" not in result.target
        assert len(result.target) <= 140
        assert result.detail


@pytest.mark.parametrize(
    "value", ["203.0.113.7:443", "10.0.0.5", "127.0.0.1", "::1", "0.0.0.0/0", "1.2.3.4\r\n", "junk"]
)
def test_hostile_or_unblockable_ips_send_nothing(okta: ScriptedOkta, client: OktaClient, value: str) -> None:
    [result] = run_action(client, "block_ip", [value])
    assert result.outcome == "refused"
    assert okta.requests == []


def test_blast_radius_refuses_everything(okta: ScriptedOkta, client: OktaClient) -> None:
    logins = [f"user{i}@example.com" for i in range(6)] + ["USER0@example.com", ""]
    results = run_action(client, "suspend", logins)
    assert [r.target for r in results] == [f"user{i}@example.com" for i in range(6)]
    assert {r.outcome for r in results} == {"refused"}
    assert results[0].detail == (
        "6 distinct targets exceed the limit of 5 per run; nothing was done "
        "(narrow the search or raise max_targets)"
    )
    assert okta.requests == []


def test_dry_run_returns_the_exact_writes_without_sending(okta: ScriptedOkta, client: OktaClient) -> None:
    alice_is(okta)
    [result] = run_action(client, "clear-sessions", ["alice@example.com"], dry_run=True)
    assert (result.outcome, result.dry_run) == ("dry_run", True)
    assert result.detail == "dry run, would have: sessions and OAuth tokens revoked"
    planned = [r for r in result.requests if not r.sent]
    assert [p.to_dict() for p in planned] == [
        {"method": "DELETE", "url": f"{ORG}/api/v1/users/{UID}/sessions?oauthTokens=true", "sent": False}
    ]
    assert all(r.method == "GET" for r in okta.requests)


def test_rate_limit_and_server_errors_are_retried_by_the_client(
    okta: ScriptedOkta, client: OktaClient
) -> None:
    alice_is(okta)
    okta.on(
        "POST",
        f"/api/v1/users/{UID}/lifecycle/suspend",
        error(429, "E0000047", "API call exceeded rate limit due to too many requests."),
        error(503, "E0000009", "Internal Server Error"),
        ok({}),
    )
    [result] = run_action(client, "suspend", [UID])
    assert result.outcome == "success"
    assert [line for line in okta.lines() if line.startswith("POST")] == [
        f"POST /api/v1/users/{UID}/lifecycle/suspend"
    ] * 3


def test_partial_failure_reports_each_target(okta: ScriptedOkta, client: OktaClient) -> None:
    alice_is(okta)
    okta.on("POST", f"/api/v1/users/{UID}/lifecycle/suspend", ok({}))
    results = run_action(client, "suspend", ["alice@example.com", "ghost@example.com", "bad/login"])
    assert [(r.target, r.outcome) for r in results] == [
        ("alice@example.com", "success"),
        ("ghost@example.com", "failed"),
        ("bad/login", "refused"),
    ]
    ghost = results[1]
    assert (ghost.error_code, ghost.error_id) == ("E0000007", "oaeERRE0000007")
    assert ghost.detail.startswith("Okta answered 404")


def zone(gateways: list[dict[str, str]], usage: str = "BLOCKLIST") -> dict[str, Any]:
    return {
        "id": ZONE,
        "name": "BlockedIpZone",
        "type": "IP",
        "status": "ACTIVE",
        "usage": usage,
        "system": False,
        "created": "2024-01-01T00:00:00.000Z",
        "lastUpdated": "2024-01-01T00:00:00.000Z",
        "gateways": gateways,
        "proxies": None,
        "_links": {"self": {"href": f"{ORG}/api/v1/zones/{ZONE}", "hints": {"allow": ["GET", "PUT"]}}},
    }


class ZoneStore:
    """The zone as Okta holds it: GET answers the current zone, PUT replaces its writable fields."""

    def __init__(self, okta: ScriptedOkta, gateways: list[dict[str, str]], usage: str = "BLOCKLIST") -> None:
        self.current = zone(gateways, usage)
        okta.routes[("GET", f"/api/v1/zones/{ZONE}")] = [lambda r: ok(self.current)]
        okta.routes[("PUT", f"/api/v1/zones/{ZONE}")] = [self.put]

    def put(self, request: httpx.Request) -> httpx.Response:
        self.current = {**self.current, **json.loads(request.content)}
        return ok(self.current)


def last_put(okta: ScriptedOkta) -> dict[str, Any]:
    return json.loads([r for r in okta.requests if r.method == "PUT"][-1].content)


def test_block_ip_read_modify_write_keeps_every_gateway(
    okta: ScriptedOkta, client: OktaClient, spec: SpecCheck
) -> None:
    existing = [
        {"type": "CIDR", "value": "192.0.2.0/24"},
        {"type": "RANGE", "value": "198.51.100.1-198.51.100.9"},
    ]
    okta.on("GET", "/api/v1/zones", ok([zone(existing)]))
    store = ZoneStore(okta, existing)
    results = run_action(client, "block_ip", ["203.0.113.66", "2001:db8:5::7", "203.0.113.66"])
    assert [(r.target, r.outcome) for r in results] == [
        ("203.0.113.66/32", "success"),
        ("2001:db8:5::7/128", "success"),
    ]
    puts = [json.loads(r.content) for r in okta.requests if r.method == "PUT"]
    assert puts[0] == {
        "name": "BlockedIpZone",
        "type": "IP",
        "status": "ACTIVE",
        "usage": "BLOCKLIST",
        "proxies": None,
        "gateways": [*existing, {"type": "CIDR", "value": "203.0.113.66/32"}],
    }
    assert store.current["gateways"] == [
        *existing,
        {"type": "CIDR", "value": "203.0.113.66/32"},
        {"type": "CIDR", "value": "2001:db8:5::7/128"},
    ]
    assert okta.lines()[:4] == [
        "GET /api/v1/zones?filter=usage+eq+%22BLOCKLIST%22",
        f"GET /api/v1/zones/{ZONE}",
        f"PUT /api/v1/zones/{ZONE}",
        f"GET /api/v1/zones/{ZONE}",
    ]
    assert_spec_valid(spec, okta)


def test_block_ip_already_covered_and_unblock(
    okta: ScriptedOkta, client: OktaClient, spec: SpecCheck
) -> None:
    existing = [{"type": "CIDR", "value": "203.0.113.0/24"}, {"type": "CIDR", "value": "198.51.100.7/32"}]
    ZoneStore(okta, existing)
    policy = ContainmentPolicy(blocklist_zone_id=ZONE)
    [covered] = run_action(client, "block_ip", ["203.0.113.5"], policy)
    assert (covered.outcome, covered.detail) == (
        "no_change",
        "203.0.113.5/32 already blocked by 203.0.113.0/24 in zone BlockedIpZone",
    )
    [removed] = run_action(client, "unblock_ip", ["198.51.100.7"], policy)
    assert removed.outcome == "success"
    assert last_put(okta)["gateways"] == [existing[0]]
    [absent] = run_action(client, "unblock_ip", ["198.51.100.8"], policy)
    assert absent.outcome == "no_change"
    [broader] = run_action(client, "unblock_ip", ["203.0.113.5"], policy)
    assert (broader.outcome, broader.detail) == (
        "refused",
        "203.0.113.5/32 is blocked by the broader entry 203.0.113.0/24; change that entry by hand",
    )
    assert sum(r.method == "PUT" for r in okta.requests) == 1
    assert_spec_valid(spec, okta)


def test_block_ip_refuses_policy_zones_and_full_zones(okta: ScriptedOkta, client: OktaClient) -> None:
    policy = ContainmentPolicy(blocklist_zone_id=ZONE)
    okta.on("GET", f"/api/v1/zones/{ZONE}", ok(zone([], usage="POLICY")))
    [wrong] = run_action(client, "block_ip", ["203.0.113.5"], policy)
    assert (wrong.outcome, wrong.detail) == ("refused", f"zone {ZONE} is IP/POLICY, not IP/BLOCKLIST")
    full = [{"type": "CIDR", "value": f"198.18.{i // 256}.{i % 256}/32"} for i in range(1000)]
    okta.routes[("GET", f"/api/v1/zones/{ZONE}")] = [ok(zone(full))]
    [limit] = run_action(client, "block_ip", ["203.0.113.5"], policy)
    assert limit.outcome == "refused" and "limit 1000" in limit.detail
    assert all(r.method == "GET" for r in okta.requests)


def test_block_ip_without_a_blocklist_zone_fails_clearly(okta: ScriptedOkta, client: OktaClient) -> None:
    okta.on("GET", "/api/v1/zones", ok([]))
    [result] = run_action(client, "block_ip", ["203.0.113.5"])
    assert (result.outcome, result.detail) == (
        "failed",
        "the org has no IP BLOCKLIST zone; create one or configure its id",
    )


def test_revoke_session_checks_its_user_first(
    okta: ScriptedOkta, client: OktaClient, spec: SpecCheck
) -> None:
    sid = "102GALFw9OVTHaYw1a3ZmGd7g"
    okta.on("GET", f"/api/v1/sessions/{sid}", ok({"id": sid, "userId": UID, "status": "ACTIVE"}))
    alice_is(okta)
    okta.on("DELETE", f"/api/v1/sessions/{sid}", httpx.Response(204))
    [result] = run_action(client, "revoke_session", [sid])
    assert (result.outcome, result.user_id) == ("success", UID)
    [gone] = run_action(client, "revoke_session", ["102GONEsession0000000"])
    assert (gone.outcome, gone.detail) == ("no_change", "no such session (already ended)")
    [protected] = run_action(
        client, "revoke_session", [sid], ContainmentPolicy(protected_users=frozenset({UID}))
    )
    assert protected.outcome == "refused"
    assert sum(r.method == "DELETE" for r in okta.requests) == 1
    assert_spec_valid(spec, okta)


def test_contain_compromise_playbook(okta: ScriptedOkta, client: OktaClient) -> None:
    alice_is(okta)
    okta.on("POST", f"/api/v1/users/{UID}/lifecycle/suspend", ok({}))
    okta.on("DELETE", f"/api/v1/users/{UID}/sessions", httpx.Response(204))
    okta.on("PUT", f"/api/v1/groups/{QGROUP}/users/{UID}", httpx.Response(204))
    ZoneStore(okta, [])
    policy = ContainmentPolicy(quarantine_group_id=QGROUP, blocklist_zone_id=ZONE)
    results = contain_compromise(client, "alice@example.com", "203.0.113.66", policy)
    assert [(r.action, r.outcome) for r in results] == [
        ("suspend", "success"),
        ("clear_sessions", "success"),
        ("quarantine", "success"),
        ("block_ip", "success"),
    ]


def test_block_ip_redone_when_a_concurrent_writer_dropped_it(okta: ScriptedOkta, client: OktaClient) -> None:
    other = {"type": "CIDR", "value": "192.0.2.77/32"}
    store = ZoneStore(okta, [])
    overwrites = iter([True, False])

    def put_then_lose(request: httpx.Request) -> httpx.Response:
        answer = store.put(request)
        if next(overwrites):  # another writer's read-modify-write lands right after ours
            store.current = {**store.current, "gateways": [other]}
        return answer

    okta.routes[("PUT", f"/api/v1/zones/{ZONE}")] = [put_then_lose]
    [result] = run_action(client, "block_ip", ["203.0.113.66"], ContainmentPolicy(blocklist_zone_id=ZONE))
    assert (result.outcome, result.detail) == (
        "success",
        "203.0.113.66/32 added to zone BlockedIpZone (2 entries) after a concurrent change of the zone",
    )
    assert store.current["gateways"] == [other, {"type": "CIDR", "value": "203.0.113.66/32"}]
    assert sum(r.method == "PUT" for r in okta.requests) == 2


def test_zone_that_never_holds_the_change_fails_after_bounded_attempts(
    okta: ScriptedOkta, client: OktaClient
) -> None:
    okta.on("GET", f"/api/v1/zones/{ZONE}", ok(zone([])))
    okta.on("PUT", f"/api/v1/zones/{ZONE}", lambda r: ok(json.loads(r.content)))
    [result] = run_action(client, "block_ip", ["203.0.113.66"], ContainmentPolicy(blocklist_zone_id=ZONE))
    assert (result.outcome, result.detail) == (
        "failed",
        "the zone changed under every one of 3 attempts; retry later",
    )
    assert sum(r.method == "PUT" for r in okta.requests) == 3


def test_an_unexpected_error_fails_one_target_and_the_run_goes_on(
    okta: ScriptedOkta, client: OktaClient
) -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("boom\r\nX")

    alice_is(okta)
    okta.on("GET", "/api/v1/users/bob@example.com", boom)
    okta.on("POST", f"/api/v1/users/{UID}/lifecycle/suspend", ok({}))
    results = run_action(client, "suspend", ["bob@example.com", "alice@example.com"])
    assert [(r.outcome, r.detail) for r in results] == [
        ("failed", "unexpected RuntimeError: boom\\x0d\\x0aX"),
        ("success", "user was ACTIVE, now SUSPENDED"),
    ]


def test_ids_in_okta_answers_are_checked_before_use(okta: ScriptedOkta, client: OktaClient) -> None:
    okta.on("GET", "/api/v1/users/alice@example.com", ok(user(uid="../../groups/00g1/users")))
    [result] = run_action(client, "suspend", ["alice@example.com"])
    assert (result.outcome, result.detail) == (
        "failed",
        "Okta answered with a user id that is not an Okta id",
    )
    assert okta.lines() == ["GET /api/v1/users/alice%40example.com"]


def test_action_names_from_alerts_and_the_cli() -> None:
    from okta_ir.okta.containment import normalize_action
    from okta_ir.splunk.alert_action import ALERT_ACTIONS

    assert {name: normalize_action(name) for name in ALERT_ACTIONS} == ALERT_ACTIONS
    assert [normalize_action(n) for n in ("clear-sessions", "Block-IP", "revoke-session")] == [
        "clear_sessions",
        "block_ip",
        "revoke_session",
    ]
    with pytest.raises(ContainmentRefused, match="unknown containment action okta_ir_nuke; one of: suspend"):
        normalize_action("okta_ir_nuke")

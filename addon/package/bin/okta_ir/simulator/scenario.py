"""The ``guide`` intrusion: an Okta incident-response guide's attack chain, as System Log events.

Enumeration -> password spray (+ lockouts, ThreatInsight) -> takeover of a help-desk admin with a
scripted client through a proxy -> MFA push fatigue -> Admin Console -> MFA factor removed ->
Super administrator granted -> admin group membership -> blocklist zone weakened -> API token
created -> SSO into several apps from a second IP. All under one ``externalSessionId``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from okta_ir.simulator import render as r
from okta_ir.simulator.background import app_user_id, enrollment_id
from okta_ir.simulator.rand import hash64, okta_id
from okta_ir.simulator.world import ATTACKER_AGENT, EMAIL_DOMAIN, ENUM_AGENT, Place, World

__all__ = ["ATTACK_SECONDS", "AttackStep", "ScenarioFacts", "build_attack"]

ATTACK_SECONDS = 2700  # the intrusion's length before any compression

_FAKE_LOGINS = (
    "admin",
    "administrator",
    "it.support",
    "helpdesk",
    "j.smith",
    "jsmith",
    "test",
    "backup",
    "svc_okta",
    "root",
    "m.jones",
    "finance",
    "hr",
    "security",
    "sysadmin",
    "ceo",
    "payroll",
    "devops",
    "jenkins",
    "ops",
    "support",
    "info",
    "sales.team",
    "b.wilson",
    "okta.admin",
)


@dataclass(frozen=True)
class ScenarioFacts:
    """What the guide scenario did: the ground truth others' tests and the demo assert against."""

    scenario: str
    attacker_ips: tuple[str, ...]
    spray_ip: str
    roaming_ip: str
    attacker_user_agent: str
    attacker_country: str
    compromised_login: str
    compromised_user_id: str
    compromised_password: str
    attacker_session_id: str
    sprayed_logins: tuple[str, ...]
    locked_logins: tuple[str, ...]
    enumerated_logins: tuple[str, ...]
    targeted_apps: tuple[str, ...]
    admin_group_id: str
    quarantine_group_id: str
    blocklist_zone_id: str
    protected_admin_login: str
    automation_login: str
    api_token_name: str
    attack_start: str
    attack_end: str
    attack_event_count: int

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class AttackStep:
    """One attack event: when (seconds after the attack starts) and how to render it."""

    offset: float
    render: Callable[[str, int], str]  # (uuid, ms) -> JSON text


@dataclass(frozen=True)
class AttackCast:
    """Who and where: derived from the seed."""

    compromised_index: int
    spray_ip: str
    roaming_ip: str
    spray_place: Place
    roaming_place: Place
    session_id: str
    password: str
    sprayed: tuple[int, ...]
    locked: tuple[int, ...]
    apps: tuple[int, ...]
    token_id: str
    token_name: str


def cast_for(world: World) -> AttackCast:
    """Pick the victim, the attacker's IPs and the sprayed users from the seed."""
    s = world.seed
    helpdesk = world.helpdesk
    victim = helpdesk[hash64(s, 200, 0) % len(helpdesk)]
    pool = [p.index for p in world.regulars]
    sprayed: list[int] = []
    k = 0
    while len(sprayed) < min(40, len(pool)):
        cand = pool[hash64(s, 201, k) % len(pool)]
        k += 1
        if cand not in sprayed:
            sprayed.append(cand)
    # the victim is sprayed too (that is how the password was found), in the middle of the run
    sprayed.insert(len(sprayed) * 2 // 3, victim.index)
    apps = []
    wanted = ("AWS IAM Identity Center", "GitHub Enterprise Cloud", "Salesforce", "Box", "Snowflake")
    for i, a in enumerate(world.apps):
        if a.label in wanted:
            apps.append(i)
    spray_place, roam_place = world.attack_places
    return AttackCast(
        compromised_index=victim.index,
        spray_ip=f"{spray_place.ip_prefix}{20 + hash64(s, 202, 0) % 200}",
        roaming_ip=f"{roam_place.ip_prefix}{20 + hash64(s, 203, 0) % 200}",
        spray_place=spray_place,
        roaming_place=roam_place,
        session_id=okta_id("102", s, 204, 0, 25),
        password="Winter2026!",
        sprayed=tuple(sprayed),
        locked=tuple(sprayed[i] for i in (3, 11, 19)),
        apps=tuple(apps),
        token_id=okta_id("00T", s, 205, 0),
        token_name="backup-sync",
    )


def build_attack(world: World, cast: AttackCast, blocklist_zone_id: str) -> list[AttackStep]:
    """The ordered attack steps."""
    s = world.seed
    victim = world.people[cast.compromised_index]
    v_actor = r.actor_json(victim.id, "User", victim.login, victim.display_name)
    v_target = {
        "id": victim.id,
        "type": "User",
        "alternateId": victim.login,
        "displayName": victim.display_name,
    }
    spray_client = r.client_json(ATTACKER_AGENT, cast.spray_place, cast.spray_ip)
    spray_req = r.request_json(cast.spray_place, cast.spray_ip)
    spray_sec = r.security_json(cast.spray_place, True)
    enum_client = r.client_json(ENUM_AGENT, cast.spray_place, cast.spray_ip)
    roam_client = r.client_json(ATTACKER_AGENT, cast.roaming_place, cast.roaming_ip)
    roam_req = r.request_json(cast.roaming_place, cast.roaming_ip)
    roam_sec = r.security_json(cast.roaming_place, True)
    steps: list[AttackStep] = []
    counter = [0]

    def ev(
        offset: float,
        *,
        event_type: str,
        display: str,
        legacy: Optional[str],
        actor: str,
        result: str,
        reason: Optional[str] = None,
        uri: str = "/api/v1/authn",
        targets: Optional[list[dict[str, Any]]] = None,
        session: Optional[str] = cast.session_id,
        cred: Optional[str] = None,
        severity: str = "INFO",
        roaming: bool = False,
        client: Optional[str] = None,
        extra: Optional[dict[str, Any]] = None,
        threat: bool = False,
    ) -> None:
        n = counter[0]
        counter[0] += 1
        tx = f"{hash64(s, 210, n):016x}"
        cl = client or (roam_client if roaming else spray_client)
        req = roam_req if roaming else spray_req
        sec = roam_sec if roaming else spray_sec
        spec = r.EventSpec(
            event_type=event_type,
            display=display,
            legacy=legacy,
            actor=actor,
            client=cl,
            request=req,
            security=sec,
            result=result,
            reason=reason,
            severity=severity,
            session_id=session,
            credential=cred,
            uri=uri,
            targets=targets or [],
            extra=extra,
            threat=threat,
        )

        def render(uuid: str, ms: int) -> str:
            return spec.text(uuid, r.format_ms(ms), tx)

        steps.append(AttackStep(offset, render))

    # 1. username enumeration: unknown logins from one IP
    for k, name in enumerate(_FAKE_LOGINS):
        login = f"{name}@{EMAIL_DOMAIN}"
        ev(
            k * 22.0,
            event_type="user.session.start",
            display="User login to Okta",
            legacy="core.user_auth.login_failed",
            actor=r.actor_json("unknown", "User", login, "unknown"),
            result="FAILURE",
            reason="UNKNOWN_USER",
            session=None,
            cred="PASSWORD",
            severity="WARN",
            client=enum_client,
            uri="/idp/idx/identify",
        )
    ev(
        300.0,
        event_type="security.threat.detected",
        display="Request from suspicious actor",
        legacy="security.threat.detected",
        actor=r.actor_json("unknown", "User", "unknown", "unknown"),
        result="DENY",
        reason="Login failures with high unknown users count",
        session=None,
        severity="WARN",
        uri="/idp/idx/identify",
        threat=True,
        client=enum_client,
        extra={"threatDetections": '{"Login failures with high unknown users count":"HIGH"}'},
    )
    # 2. password spray across real users, a few lock out; the victim's password works
    t = 700.0
    for idx in cast.sprayed:
        p = world.people[idx]
        if idx == cast.compromised_index:
            continue
        ev(
            t,
            event_type="user.session.start",
            display="User login to Okta",
            legacy="core.user_auth.login_failed",
            actor=r.actor_json(p.id, "User", p.login, p.display_name),
            result="FAILURE",
            reason="INVALID_CREDENTIALS",
            session=None,
            cred="PASSWORD",
            severity="WARN",
        )
        if idx in cast.locked:
            ev(
                t + 1.0,
                event_type="user.account.lock",
                display="Max sign in attempts exceeded",
                legacy="core.user_auth.account_locked",
                actor=r.actor_json(p.id, "User", p.login, p.display_name),
                result="FAILURE",
                reason="LOCKED_OUT",
                session=None,
                severity="WARN",
                targets=[{"id": p.id, "type": "User", "alternateId": p.login, "displayName": p.display_name}],
            )
        t += 20.0
    ev(
        1200.0,
        event_type="security.threat.detected",
        display="Request from suspicious actor",
        legacy="security.threat.detected",
        actor=r.actor_json("unknown", "User", "unknown", "unknown"),
        result="DENY",
        reason="Password Spray",
        session=None,
        severity="WARN",
        threat=True,
        extra={"threatDetections": '{"Password Spray":"HIGH","Login Failures":"MEDIUM"}'},
    )
    # 3. the takeover: success from the spray IP, scripted client, proxy
    t = max(t, 1560.0)
    ev(
        t,
        event_type="user.session.start",
        display="User login to Okta",
        legacy="core.user_auth.login_success",
        actor=v_actor,
        result="SUCCESS",
        cred="PASSWORD",
    )
    ev(
        t + 2,
        event_type="policy.evaluate_sign_on",
        display="Evaluation of sign-on policy",
        legacy=None,
        actor=v_actor,
        result="CHALLENGE",
        reason="Sign-on policy evaluation resulted in CHALLENGE",
        extra={
            "behaviors": "{New Geo-Location=POSITIVE, New Device=POSITIVE, New IP=POSITIVE,"
            " New State=POSITIVE,"
            " New Country=POSITIVE, Velocity=POSITIVE, New City=POSITIVE}"
        },
    )
    # 4. MFA fatigue: four denied pushes, the fifth accepted
    enrollment = [
        {
            "id": enrollment_id(s, victim.index),
            "type": "AuthenticatorEnrollment",
            "alternateId": "unknown",
            "displayName": "Okta Verify",
        }
    ]
    t += 10
    for k in range(5):
        ev(
            t,
            event_type="system.push.send_factor_verify_push",
            display="Push notification sent for verification",
            legacy=None,
            actor=v_actor,
            result="SUCCESS",
            uri="/idp/idx/challenge",
            targets=[v_target],
        )
        if k < 4:
            ev(
                t + 15,
                event_type="user.mfa.okta_verify.deny_push",
                display="User rejected Okta push verify",
                legacy="core.user.factor.attempt_fail",
                actor=v_actor,
                result="FAILURE",
                reason="User rejected Okta push verify",
                uri="/idp/idx/authenticators/poll",
                targets=[v_target],
                severity="WARN",
            )
            ev(
                t + 16,
                event_type="user.authentication.auth_via_mfa",
                display="Authentication of user via MFA",
                legacy="core.user.factor.attempt_fail",
                actor=v_actor,
                result="FAILURE",
                reason="INVALID_CREDENTIALS",
                uri="/idp/idx/authenticators/poll",
                targets=enrollment,
                severity="WARN",
                extra={"factor": "OKTA_VERIFY_PUSH"},
            )
        else:
            ev(
                t + 12,
                event_type="user.authentication.auth_via_mfa",
                display="Authentication of user via MFA",
                legacy="core.user.factor.attempt_success",
                actor=v_actor,
                result="SUCCESS",
                uri="/idp/idx/authenticators/poll",
                targets=enrollment,
                extra={"factor": "OKTA_VERIFY_PUSH"},
            )
        t += 30
    # 5. admin console, MFA removal, privilege, group, zone, token
    con = world.admin_console
    ev(
        t + 30,
        event_type="user.session.access_admin_app",
        display="User accessing Okta admin app",
        legacy="app.admin_app.access",
        actor=v_actor,
        result="SUCCESS",
        uri="/admin/sso/callback",
        targets=[{"id": con.id, "type": "AppInstance", "alternateId": con.label, "displayName": con.label}],
    )
    ev(
        t + 90,
        event_type="user.mfa.factor.deactivate",
        display="Reset factor for user",
        legacy="core.user.factor.deactivate",
        actor=v_actor,
        result="SUCCESS",
        reason="User reset OKTA_VERIFY_PUSH factor",
        uri=f"/api/v1/users/{victim.id}/factors",
        targets=[v_target],
    )
    ev(
        t + 150,
        event_type="user.account.privilege.grant",
        display="Grant user privilege",
        legacy="core.user.admin_privilege.granted",
        actor=v_actor,
        result="SUCCESS",
        uri=f"/api/internal/administrators/{victim.id}",
        targets=[v_target],
        extra={"privilegeGranted": "Super administrator"},
    )
    gid, gname = world.group_id("Okta Administrators"), "Okta Administrators"
    ev(
        t + 210,
        event_type="group.user_membership.add",
        display="Add user to group membership",
        legacy="core.user_group_member.user_add",
        actor=v_actor,
        result="SUCCESS",
        uri=f"/api/v1/groups/{gid}/users/{victim.id}",
        targets=[v_target, {"id": gid, "type": "UserGroup", "alternateId": "unknown", "displayName": gname}],
    )
    ev(
        t + 270,
        event_type="zone.update",
        display="Update network zone",
        legacy=None,
        actor=v_actor,
        result="SUCCESS",
        uri=f"/api/v1/zones/{blocklist_zone_id}",
        targets=[
            {
                "id": blocklist_zone_id,
                "type": "NetworkZone",
                "alternateId": "BlockedIpZone",
                "displayName": "BlockedIpZone",
            }
        ],
    )
    ev(
        t + 330,
        event_type="system.api_token.create",
        display="Create API token",
        legacy="api.token.create",
        actor=v_actor,
        result="SUCCESS",
        uri="/api/internal/tokens",
        targets=[
            {"id": cast.token_id, "type": "Token", "alternateId": "unknown", "displayName": cast.token_name}
        ],
    )
    # 6. SSO into several apps from a second IP (session roaming)
    t += 420
    for k, app_index in enumerate(cast.apps):
        app = world.apps[app_index]
        ev(
            t + 60 * k,
            event_type="user.authentication.sso",
            display="User single sign on to app",
            legacy="app.auth.sso",
            actor=v_actor,
            result="SUCCESS",
            roaming=True,
            uri=f"/app/{app.name}/{app.id}/sso/saml",
            targets=r.app_targets(app, app_user_id(s, victim.index, app_index), victim.login),
        )
    return steps


def facts_for(
    world: World, cast: AttackCast, scenario: str, blocklist_zone_id: str, start: str, end: str, count: int
) -> ScenarioFacts:
    """The scenario's truth."""
    victim = world.people[cast.compromised_index]
    return ScenarioFacts(
        scenario=scenario,
        attacker_ips=(cast.spray_ip, cast.roaming_ip),
        spray_ip=cast.spray_ip,
        roaming_ip=cast.roaming_ip,
        attacker_user_agent=ATTACKER_AGENT.raw,
        attacker_country=cast.spray_place.country,
        compromised_login=victim.login,
        compromised_user_id=victim.id,
        compromised_password=cast.password,
        attacker_session_id=cast.session_id,
        sprayed_logins=tuple(world.people[i].login for i in cast.sprayed),
        locked_logins=tuple(world.people[i].login for i in cast.locked),
        enumerated_logins=tuple(f"{n}@{EMAIL_DOMAIN}" for n in _FAKE_LOGINS),
        targeted_apps=tuple(world.apps[i].label for i in cast.apps),
        admin_group_id=world.group_id("Okta Administrators"),
        quarantine_group_id=world.group_id("Quarantine"),
        blocklist_zone_id=blocklist_zone_id,
        protected_admin_login=world.protected_admin.login,
        automation_login=world.automation_login,
        api_token_name=cast.token_name,
        attack_start=start,
        attack_end=end,
        attack_event_count=count,
    )

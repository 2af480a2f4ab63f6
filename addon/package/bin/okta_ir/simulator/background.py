"""Benign everyday traffic of the org: sign-ins, MFA, SSO, session ends, a few honest mistakes, admin chores.

``BackgroundTraffic.render(index, ms)`` is a pure function of (seed, index, ms). Nothing here looks like
an attack: every person signs in from their own office IP with their own browser, failures are rare and
spread out, admin work is routine (no privilege grants, no factor removal, no tokens, no zone changes).
Rendering is table-driven over cached JSON fragments: a few microseconds per event.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Optional

from okta_ir.simulator import render as r
from okta_ir.simulator.rand import UUID_STREAM_OFFSET, hash64, okta_id, uuid_from
from okta_ir.simulator.world import Person, World

__all__ = ["EVENT_STREAM", "BackgroundTraffic", "session_id_for"]

EVENT_STREAM = 100  # rand stream of event uuids (live events use their own)
_SESSION_STREAM = 105
_SESSION_MS = 2 * 3600 * 1000
_CACHE_LIMIT = 200_000
_CALM = (
    "{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=NEGATIVE, New State=NEGATIVE, "
    "New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}"
)


def session_id_for(seed: int, person_index: int, ms: int) -> str:
    """The person's Okta session id (rotates every two hours)."""
    return okta_id("102", seed, _SESSION_STREAM, person_index * 100_000 + ms // _SESSION_MS, 25)


def app_user_id(seed: int, person_index: int, app_index: int) -> str:
    """Id of the person's AppUser in an app."""
    return okta_id("0ua", seed, 31, person_index * 64 + app_index)


def enrollment_id(seed: int, person_index: int) -> str:
    """Id of the person's Okta Verify authenticator enrollment."""
    return okta_id("pfd", seed, 30, person_index)


@dataclass(frozen=True)
class _Kind:
    """One kind of benign event; ``targets`` picks (targets JSON, uri) for (traffic, index, person)."""

    weight: int
    event_type: str
    display: str
    legacy: Optional[str]
    targets: Callable[[BackgroundTraffic, int, Person], tuple[str, str]]
    result: str = "SUCCESS"
    reason: Optional[str] = None
    severity: str = "INFO"
    password: bool = False
    extra: Optional[dict[str, str]] = None
    actor: Optional[Callable[[BackgroundTraffic, int], Person]] = None

    @cached_property
    def display_json(self) -> str:
        return r.dumps(self.display)

    @cached_property
    def outcome_json(self) -> str:
        return r.outcome_json(self.result, self.reason)

    @cached_property
    def auth_head(self) -> str:
        """The authenticationContext up to the session id."""
        head = (
            '{"authenticationProvider":"OKTA_AUTHENTICATION_PROVIDER","credentialType":"PASSWORD",'
            if self.password
            else "{"
        )
        return head + '"authenticationStep":0,"externalSessionId":"'


class _Frag:
    """Pre-serialized per-person fragments."""

    __slots__ = ("actor", "client", "mfa_json", "request", "security", "target_user", "user_json")

    def __init__(self, p: Person, seed: int) -> None:
        self.actor = r.actor_json(p.id, "User", p.login, p.display_name)
        self.client = r.client_json(p.agent, p.place, p.ip)
        self.request = r.request_json(p.place, p.ip)
        self.security = r.security_json(p.place, False)
        self.target_user = {"id": p.id, "type": "User", "alternateId": p.login, "displayName": p.display_name}
        self.user_json = r.target_json([self.target_user])
        self.mfa_json = r.target_json(
            [
                {
                    "id": enrollment_id(seed, p.index),
                    "type": "AuthenticatorEnrollment",
                    "alternateId": "unknown",
                    "displayName": "Okta Verify",
                }
            ]
        )


def _none(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    return "[]", "/idp/idx/identify"


def _signout(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    return "[]", "/login/signout"


def _policy(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    return t.policy_json, "/idp/idx/identify"


def _mfa(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    return t.frag(p).mfa_json, "/idp/idx/challenge/answer"


def _push(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    return t.frag(p).user_json, "/idp/idx/authenticators/poll"


def _self(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    return t.frag(p).user_json, "/enduser/settings"


def _sso(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    app_index = p.apps[(h >> 40) % len(p.apps)]
    return t.cached(("sso", p.index, app_index), lambda: t.sso_targets(p, app_index))


def _membership(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    gid, gname, _, _ = t.world.groups[1 + (h >> 50) % 5]
    targets = [
        t.frag(p).target_user,
        {"id": gid, "type": "UserGroup", "alternateId": "unknown", "displayName": gname},
    ]
    return r.target_json(targets), f"/api/v1/groups/{gid}/users/{p.id}"


def _assignment(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    app_index = p.apps[(h >> 40) % len(p.apps)]
    app = t.world.apps[app_index]
    targets = [
        {
            "id": app_user_id(t.seed, p.index, app_index),
            "type": "AppUser",
            "alternateId": p.login,
            "displayName": p.display_name,
        },
        {"id": app.id, "type": "AppInstance", "alternateId": app.label, "displayName": app.label},
        t.frag(p).target_user,
    ]
    return r.target_json(targets), f"/api/v1/apps/{app.id}/users"


def _console(t: BackgroundTraffic, h: int, p: Person) -> tuple[str, str]:
    return t.console_json, "/admin/sso/callback"


def _helpdesk(t: BackgroundTraffic, h: int) -> Person:
    return t.world.helpdesk[(h >> 33) % len(t.world.helpdesk)]


def _any_admin(t: BackgroundTraffic, h: int) -> Person:
    admins = (t.world.protected_admin, *t.world.helpdesk)
    return admins[(h >> 36) % len(admins)]


_KINDS = (
    _Kind(
        190, "user.session.start", "User login to Okta", "core.user_auth.login_success", _none, password=True
    ),
    _Kind(
        80,
        "policy.evaluate_sign_on",
        "Evaluation of sign-on policy",
        None,
        _policy,
        result="ALLOW",
        reason="Sign-on policy evaluation resulted in ALLOW",
        extra={"behaviors": _CALM},
    ),
    _Kind(
        140,
        "user.authentication.auth_via_mfa",
        "Authentication of user via MFA",
        "core.user.factor.attempt_success",
        _mfa,
        extra={"factor": "OKTA_VERIFY_PUSH"},
    ),
    _Kind(60, "system.push.send_factor_verify_push", "Push notification sent for verification", None, _push),
    _Kind(390, "user.authentication.sso", "User single sign on to app", "app.auth.sso", _sso),
    _Kind(70, "user.session.end", "User logout from Okta", "core.user_auth.logout_success", _signout),
    _Kind(
        12,
        "user.session.start",
        "User login to Okta",
        "core.user_auth.login_failed",
        _none,
        result="FAILURE",
        reason="INVALID_CREDENTIALS",
        severity="WARN",
        password=True,
    ),
    _Kind(
        8,
        "user.account.update_profile",
        "Update user profile for Okta",
        "core.user.config.profile_update.success",
        _self,
    ),
    _Kind(
        8,
        "user.account.update_password",
        "User update password for Okta",
        "core.user.config.password_update.success",
        _self,
        password=True,
    ),
    _Kind(
        11,
        "group.user_membership.add",
        "Add user to group membership",
        "core.user_group_member.user_add",
        _membership,
        actor=_helpdesk,
    ),
    _Kind(
        11,
        "application.user_membership.add",
        "Add user to application membership",
        "app.generic.provision.assign_user_to_app",
        _assignment,
        actor=_helpdesk,
    ),
    _Kind(
        20,
        "user.session.access_admin_app",
        "User accessing Okta admin app",
        "app.admin_app.access",
        _console,
        actor=_any_admin,
    ),
)


class BackgroundTraffic:
    """Deterministic benign events for any index."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.seed = world.seed
        self._people = world.people
        self._frags: dict[int, _Frag] = {}
        self._cache: dict[tuple[object, ...], tuple[str, str]] = {}
        self._sessions: dict[tuple[int, int], str] = {}
        self._table: list[_Kind] = [k for k in _KINDS for _ in range(k.weight)]
        self._debug_tails: dict[tuple[str, int], str] = {}
        self._second: tuple[int, str] = (-1, "")  # one attribute: server threads read it concurrently
        con = world.admin_console
        self.console_json = r.target_json(
            [{"id": con.id, "type": "AppInstance", "alternateId": con.label, "displayName": con.label}]
        )
        self.policy_json = r.target_json(
            [
                {
                    "id": "00p" + world.dashboard.id[3:],
                    "type": "PolicyEntity",
                    "alternateId": "Default Policy",
                    "displayName": "Default Policy",
                }
            ]
        )

    def frag(self, p: Person) -> _Frag:
        """The person's cached fragments."""
        frag = self._frags.get(p.index)
        if frag is None:
            frag = self._frags[p.index] = _Frag(p, self.seed)
        return frag

    def cached(self, key: tuple[object, ...], make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """A bounded memo of rendered target fragments."""
        value = self._cache.get(key)
        if value is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            value = self._cache[key] = make()
        return value

    def sso_targets(self, p: Person, app_index: int) -> tuple[str, str]:
        """AppInstance + AppUser targets and the SSO URI."""
        app = self.world.apps[app_index]
        targets = r.app_targets(app, app_user_id(self.seed, p.index, app_index), p.login)
        return r.target_json(targets), f"/app/{app.name}/{app.id}/sso/saml"

    def _session(self, person_index: int, ms: int) -> str:
        key = (person_index, ms // _SESSION_MS)
        sid = self._sessions.get(key)
        if sid is None:
            if len(self._sessions) >= _CACHE_LIMIT:
                self._sessions.clear()
            sid = self._sessions[key] = session_id_for(self.seed, person_index, ms)
        return sid

    def _debug_tail(self, uri: str, extra: Optional[dict[str, str]]) -> str:
        key = (uri, id(extra))
        tail = self._debug_tails.get(key)
        if tail is None:
            whole = r.debug_json("@", uri, extra)
            tail = self._debug_tails[key] = whole[len('{"debugData":{"requestId":"@"') :]
        return tail

    def render(self, index: int, ms: int) -> str:
        """The benign event stored at ``index``, published at ``ms``."""
        seed = self.seed
        h = hash64(seed, EVENT_STREAM, index)
        b = hash64(seed, EVENT_STREAM + UUID_STREAM_OFFSET, index)
        kind = self._table[h % len(self._table)]
        person = self._people[(h >> 12) % len(self._people)]
        targets, uri = kind.targets(self, h, person)
        doer = kind.actor(self, h) if kind.actor is not None else person
        f = self.frag(doer)
        tx = f"{(h ^ (b << 7)) & 0xFFFFFFFFFFFFFFFF:016x}"
        sid = self._session(doer.index, ms)
        second, millis = divmod(ms, 1000)
        cached = self._second
        if cached[0] != second:
            cached = self._second = (second, r.format_ms(second * 1000)[:-5])
        return r.event_json(
            uuid=uuid_from(h, b),
            published=f"{cached[1]}.{millis:03d}Z",
            event_type=kind.event_type,
            display=kind.display_json,
            legacy=kind.legacy,
            severity=kind.severity,
            actor=f.actor,
            client=f.client,
            auth_context=kind.auth_head + sid + '","rootSessionId":"' + sid + '"}',
            outcome=kind.outcome_json,
            security=f.security,
            debug='{"debugData":{"requestId":"' + tx + '"' + self._debug_tail(uri, kind.extra),
            transaction_id=tx,
            request=f.request,
            targets=targets,
        )

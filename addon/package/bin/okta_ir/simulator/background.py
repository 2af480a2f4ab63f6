"""Benign everyday traffic of the org: sign-ins, MFA, SSO, session ends, a few honest mistakes, admin chores.

``BackgroundTraffic.render(index, ms)`` is a pure function of (seed, index, ms). Nothing here looks like
an attack: every person signs in from their own office IP with their own browser, failures are rare and
spread out, admin work is routine (no privilege grants, no factor removal, no tokens, no zone changes).
"""

from __future__ import annotations

from typing import Callable, Optional

from okta_ir.simulator import render as r
from okta_ir.simulator.rand import hash64, okta_id, uuid_like
from okta_ir.simulator.world import App, Person, World

__all__ = ["EVENT_STREAM", "BackgroundTraffic", "session_id_for"]

EVENT_STREAM = 100  # rand stream of event uuids (live events use their own)
_KIND_STREAM = 101
_PERSON_STREAM = 102
_APP_STREAM = 103
_TX_STREAM = 104
_SESSION_STREAM = 105
_EXTRA_STREAM = 106
_SESSION_MS = 2 * 3600 * 1000


def session_id_for(seed: int, person_index: int, ms: int) -> str:
    """The person's Okta session id (rotates every two hours)."""
    return okta_id("102", seed, _SESSION_STREAM, person_index * 100_000 + ms // _SESSION_MS, 25)


class _Frag:
    """Pre-serialized per-person fragments."""

    __slots__ = ("actor", "client", "request", "security", "target_user")

    def __init__(self, p: Person) -> None:
        self.actor = r.actor_json(p.id, "User", p.login, p.display_name)
        self.client = r.client_json(p.agent, p.place, p.ip)
        self.request = r.request_json(p.place, p.ip)
        self.security = r.security_json(p.place, False)
        self.target_user = {"id": p.id, "type": "User", "alternateId": p.login, "displayName": p.display_name}


class BackgroundTraffic:
    """Deterministic benign events for any index."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.seed = world.seed
        self._frags: dict[int, _Frag] = {}
        kinds: list[tuple[int, Callable[[int, int, str, Person, _Frag], str]]] = [
            (190, self._session_start),
            (80, self._policy),
            (140, self._mfa),
            (60, self._push),
            (390, self._sso),
            (70, self._session_end),
            (12, self._bad_password),
            (8, self._profile),
            (8, self._password_change),
            (22, self._admin_work),
            (20, self._admin_console),
        ]
        self._table: list[Callable[[int, int, str, Person, _Frag], str]] = []
        for weight, fn in kinds:
            self._table.extend([fn] * weight)
        self._people = world.people
        self._apps_frag = {a.id: a for a in world.apps}

    def _frag(self, p: Person) -> _Frag:
        frag = self._frags.get(p.index)
        if frag is None:
            frag = self._frags[p.index] = _Frag(p)
        return frag

    def render(self, index: int, ms: int) -> str:
        """The benign event stored at ``index``, published at ``ms``."""
        fn = self._table[hash64(self.seed, _KIND_STREAM, index) % len(self._table)]
        person = self._people[hash64(self.seed, _PERSON_STREAM, index) % len(self._people)]
        return fn(index, ms, r.format_ms(ms), person, self._frag(person))

    # -- helpers -------------------------------------------------------------------------------------
    def _base(
        self,
        index: int,
        ms: int,
        published: str,
        p: Person,
        f: _Frag,
        *,
        event_type: str,
        display: str,
        legacy: str,
        result: str = "SUCCESS",
        reason: str = "",
        uri: str = "/idp/idx/identify",
        targets: str = "[]",
        cred: str = "",
        severity: str = "INFO",
        actor: str = "",
        extra: Optional[dict[str, str]] = None,
    ) -> str:
        tx = f"{hash64(self.seed, _TX_STREAM, index):016x}"
        return r.event_json(
            uuid=uuid_like(self.seed, EVENT_STREAM, index),
            published=published,
            event_type=event_type,
            display=display,
            legacy=legacy,
            severity=severity,
            actor=actor or f.actor,
            client=f.client,
            auth_context=r.auth_context_json(
                session_id_for(self.seed, p.index, ms),
                cred or None,
                "OKTA_AUTHENTICATION_PROVIDER" if cred else None,
            ),
            result=result,
            reason=reason or None,
            security=f.security,
            debug=r.debug_json(tx, uri, extra),
            transaction_id=tx,
            request=f.request,
            targets=targets,
        )

    def _app(self, index: int, p: Person) -> App:
        return self.world.apps[p.apps[hash64(self.seed, _APP_STREAM, index) % len(p.apps)]]

    # -- kinds ---------------------------------------------------------------------------------------
    def _session_start(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        return self._base(
            i,
            ms,
            pub,
            p,
            f,
            event_type="user.session.start",
            display="User login to Okta",
            legacy="core.user_auth.login_success",
            cred="PASSWORD",
            uri="/idp/idx/identify",
        )

    def _policy(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        d = self.world.dashboard
        tgt = [
            {
                "id": "00p" + d.id[3:],
                "type": "PolicyEntity",
                "alternateId": "Default Policy",
                "displayName": "Default Policy",
            }
        ]
        return self._base(
            i,
            ms,
            pub,
            p,
            f,
            event_type="policy.evaluate_sign_on",
            display="Evaluation of sign-on policy",
            legacy="",
            result="ALLOW",
            reason="Sign-on policy evaluation resulted in ALLOW",
            targets=r.target_json(tgt),
            extra={
                "behaviors": "{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=NEGATIVE,"
                " New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE,"
                " New City=NEGATIVE}"
            },
        )

    def _mfa(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        tgt = [
            {
                "id": okta_id("pfd", self.seed, 30, p.index),
                "type": "AuthenticatorEnrollment",
                "alternateId": "unknown",
                "displayName": "Okta Verify",
            }
        ]
        return self._base(
            i,
            ms,
            pub,
            p,
            f,
            event_type="user.authentication.auth_via_mfa",
            display="Authentication of user via MFA",
            legacy="core.user.factor.attempt_success",
            uri="/idp/idx/challenge/answer",
            targets=r.target_json(tgt),
            extra={"factor": "OKTA_VERIFY_PUSH"},
        )

    def _push(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        tgt = [dict(f.target_user)]
        return self._base(
            i,
            ms,
            pub,
            p,
            f,
            event_type="system.push.send_factor_verify_push",
            display="Push notification sent for verification",
            legacy="",
            uri="/idp/idx/authenticators/poll",
            targets=r.target_json(tgt),
        )

    def _sso(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        app = self._app(i, p)
        tgt = r.app_targets(
            app, okta_id("0ua", self.seed, 31, p.index * 64 + self.world.apps.index(app)), p.login
        )
        return self._base(
            i,
            ms,
            pub,
            p,
            f,
            event_type="user.authentication.sso",
            display="User single sign on to app",
            legacy="app.auth.sso",
            uri=f"/app/{app.name}/{app.id}/sso/saml",
            targets=r.target_json(tgt),
        )

    def _session_end(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        return self._base(
            i,
            ms,
            pub,
            p,
            f,
            event_type="user.session.end",
            display="User logout from Okta",
            legacy="core.user_auth.logout_success",
            uri="/login/signout",
        )

    def _bad_password(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        return self._base(
            i,
            ms,
            pub,
            p,
            f,
            event_type="user.session.start",
            display="User login to Okta",
            legacy="core.user_auth.login_failed",
            result="FAILURE",
            reason="INVALID_CREDENTIALS",
            cred="PASSWORD",
            severity="WARN",
        )

    def _profile(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        return self._base(
            i,
            ms,
            pub,
            p,
            f,
            event_type="user.account.update_profile",
            display="Update user profile for Okta",
            legacy="core.user.config.profile_update.success",
            uri="/enduser/settings",
            targets=r.target_json([f.target_user]),
        )

    def _password_change(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        return self._base(
            i,
            ms,
            pub,
            p,
            f,
            event_type="user.account.update_password",
            display="User update password for Okta",
            legacy="core.user.config.password_update.success",
            uri="/enduser/settings",
            cred="PASSWORD",
            targets=r.target_json([f.target_user]),
        )

    def _admin_work(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        """A help-desk admin adds someone to a department group or assigns an app."""
        admin = self.world.helpdesk[hash64(self.seed, _EXTRA_STREAM, i) % len(self.world.helpdesk)]
        af = self._frag(admin)
        if hash64(self.seed, _EXTRA_STREAM + 1, i) % 2:
            gid, gname, _, _ = self.world.groups[1 + hash64(self.seed, _EXTRA_STREAM + 2, i) % 5]
            tgt = [
                f.target_user,
                {"id": gid, "type": "UserGroup", "alternateId": "unknown", "displayName": gname},
            ]
            return self._base(
                i,
                ms,
                pub,
                admin,
                af,
                event_type="group.user_membership.add",
                display="Add user to group membership",
                legacy="core.user_group_member.user_add",
                uri=f"/api/v1/groups/{gid}/users/{p.id}",
                targets=r.target_json(tgt),
            )
        app = self._app(i, p)
        tgt = [
            {
                "id": okta_id("0ua", self.seed, 31, p.index * 64 + self.world.apps.index(app)),
                "type": "AppUser",
                "alternateId": p.login,
                "displayName": p.display_name,
            },
            {"id": app.id, "type": "AppInstance", "alternateId": app.label, "displayName": app.label},
            f.target_user,
        ]
        return self._base(
            i,
            ms,
            pub,
            admin,
            af,
            event_type="application.user_membership.add",
            display="Add user to application membership",
            legacy="app.generic.provision.assign_user_to_app",
            uri=f"/api/v1/apps/{app.id}/users",
            targets=r.target_json(tgt),
        )

    def _admin_console(self, i: int, ms: int, pub: str, p: Person, f: _Frag) -> str:
        """An administrator opens the Admin Console from the office."""
        admins = (self.world.protected_admin, *self.world.helpdesk)
        admin = admins[hash64(self.seed, _EXTRA_STREAM + 3, i) % len(admins)]
        con = self.world.admin_console
        tgt = [{"id": con.id, "type": "AppInstance", "alternateId": con.label, "displayName": con.label}]
        return self._base(
            i,
            ms,
            pub,
            admin,
            self._frag(admin),
            event_type="user.session.access_admin_app",
            display="User accessing Okta admin app",
            legacy="app.admin_app.access",
            uri="/admin/sso/callback",
            targets=r.target_json(tgt),
        )

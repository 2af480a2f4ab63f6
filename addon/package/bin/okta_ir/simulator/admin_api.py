"""Containment endpoints with state: users' lifecycle, sessions, grants, factors, groups, network zones.

Status codes and bodies follow the recorded cassettes; every change appends its System Log event
with the API caller as actor.
"""

from __future__ import annotations

import copy
import ipaddress
import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from okta_ir.simulator import render as r
from okta_ir.simulator.config import parse_iso8601
from okta_ir.simulator.http import Request, Response, empty_response, json_response
from okta_ir.simulator.live import LiveLog
from okta_ir.simulator.state import UserRecord

if TYPE_CHECKING:
    from okta_ir.simulator.server import OrgServer, Route

__all__ = ["MAX_BLOCKLIST_GATEWAYS", "admin_routes"]

MAX_BLOCKLIST_GATEWAYS = 1000
_USERS, _GROUPS, _ZONES = "okta.users.manage", "okta.groups.manage", "okta.networkZones.manage"
_ID = r"([^/]+)"


def admin_routes(server: OrgServer) -> list[Route]:
    """Routes of the containment API."""
    from okta_ir.simulator.server import Route

    a = _AdminApi(server)
    u = r"/api/v1/users/" + _ID
    return [
        Route("GET", u, a.get_user, "user_get", "okta.users.read"),
        Route(
            "POST",
            u + r"/lifecycle/(suspend|unsuspend|deactivate|unlock|expire_password|reset_factors|"
            r"reset_password|activate|reactivate)",
            a.lifecycle,
            "users",
            _USERS,
        ),
        Route("DELETE", u + r"/sessions", a.clear_sessions, "users", _USERS),
        Route("DELETE", u + r"/grants", a.revoke_grants, "users", _USERS),
        Route("GET", u + r"/factors", a.list_factors, "users", "okta.users.read"),
        Route("GET", u + r"/factors/" + _ID, a.get_factor, "users", "okta.users.read"),
        Route("DELETE", u + r"/factors/" + _ID, a.delete_factor, "users", _USERS),
        Route("GET", u + r"/groups", a.user_groups, "users", "okta.users.read"),
        Route("GET", r"/api/v1/sessions/" + _ID, a.get_session, "sessions", "okta.users.read"),
        Route("DELETE", r"/api/v1/sessions/" + _ID, a.revoke_session, "sessions", _USERS),
        Route("GET", r"/api/v1/groups", a.list_groups, "groups", "okta.groups.read"),
        Route("GET", r"/api/v1/groups/" + _ID, a.get_group, "groups", "okta.groups.read"),
        Route("GET", r"/api/v1/groups/" + _ID + r"/users", a.group_users, "groups", "okta.groups.read"),
        Route("PUT", r"/api/v1/groups/" + _ID + r"/users/" + _ID, a.add_member, "groups", _GROUPS),
        Route("DELETE", r"/api/v1/groups/" + _ID + r"/users/" + _ID, a.remove_member, "groups", _GROUPS),
        Route("GET", r"/api/v1/zones", a.list_zones, "zones", "okta.networkZones.read"),
        Route("GET", r"/api/v1/zones/" + _ID, a.get_zone, "zones", "okta.networkZones.read"),
        Route("PUT", r"/api/v1/zones/" + _ID, a.put_zone, "zones", _ZONES),
        Route(
            "POST",
            r"/api/v1/zones/" + _ID + r"/lifecycle/(activate|deactivate)",
            a.zone_lifecycle,
            "zones",
            _ZONES,
        ),
    ]


def _now() -> str:
    return r.format_ms(int(time.time() * 1000))


def _user_target(u: UserRecord) -> dict[str, Any]:
    return {"id": u.id, "type": "User", "alternateId": u.login, "displayName": f"{u.first} {u.last}"}


class _AdminApi:
    def __init__(self, server: OrgServer) -> None:
        self.server = server
        self.org = server.org
        self.state = server.org.state
        self.live = LiveLog(server.org)

    # -- helpers ---------------------------------------------------------------------------------------
    def _actor(self, req: Request) -> str:
        p = req.principal
        if p is not None and p.kind == "oauth":
            return r.actor_json(p.subject, "PublicClientApp", p.subject, "okta-ir service app")
        w = self.org.world
        return r.actor_json(w.automation_id, "User", w.automation_login, "okta-ir Automation")

    def _event(
        self,
        req: Request,
        event_type: str,
        display: str,
        legacy: Optional[str],
        targets: list[dict[str, Any]],
        extra: Optional[dict[str, Any]] = None,
        reason: Optional[str] = None,
    ) -> None:
        p = req.principal
        detail = {"requestApiTokenId": p.subject} if p is not None and p.kind == "ssws" else {}
        self.live.append(
            req,
            event_type=event_type,
            display=display,
            legacy=legacy,
            actor=self._actor(req),
            targets=targets,
            extra=extra,
            reason=reason,
            tx_detail=detail,
        )

    def _not_found(self, what: str, kind: str) -> Response:
        return self.server.error(404, "E0000007", f"{what} ({kind})")

    def _user(self, key: str) -> Optional[UserRecord]:
        return self.state.find_user(key)

    def user_json(self, u: UserRecord, base: str) -> dict[str, Any]:
        href = f"{base}/api/v1/users/{u.id}"
        links: dict[str, Any] = {"self": {"href": href}}
        for name, action in (
            ("suspend", "suspend"),
            ("unsuspend", "unsuspend"),
            ("resetPassword", "reset_password"),
            ("expirePassword", "expire_password"),
            ("resetFactors", "reset_factors"),
            ("deactivate", "deactivate"),
            ("unlock", "unlock"),
        ):
            links[name] = {"href": f"{href}/lifecycle/{action}", "method": "POST"}
        return {
            "id": u.id,
            "status": u.status,
            "created": u.created,
            "activated": u.created,
            "statusChanged": u.status_changed,
            "lastLogin": u.last_login,
            "lastUpdated": u.last_updated,
            "passwordChanged": u.password_changed,
            "type": {"id": "oty" + u.id[3:]},
            "profile": {
                "firstName": u.first,
                "lastName": u.last,
                "mobilePhone": None,
                "secondEmail": None,
                "login": u.login,
                "email": u.login,
                "department": u.department,
            },
            "credentials": {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}},
            "_links": links,
        }

    def _factor_json(self, uid: str, f: dict[str, Any], base: str) -> dict[str, Any]:
        out = copy.deepcopy(f)
        out["_links"] = {
            "self": {
                "href": f"{base}/api/v1/users/{uid}/factors/{f['id']}",
                "hints": {"allow": ["GET", "DELETE"]},
            },
            "user": {"href": f"{base}/api/v1/users/{uid}", "hints": {"allow": ["GET"]}},
        }
        return out

    # -- users -----------------------------------------------------------------------------------------
    def get_user(self, req: Request, key: str) -> Response:
        with self.state.lock:
            u = self._user(key)
            if u is None:
                return self._not_found(key, "User")
            return json_response(200, self.user_json(u, req.base_url))

    def lifecycle(self, req: Request, key: str, action: str) -> Response:
        handler: Callable[[Request, UserRecord], Response] = getattr(self, "_lc_" + action)
        with self.state.lock:
            u = self._user(key)
            if u is None:
                return self._not_found(key, "User")
            return handler(req, u)

    def _set_status(self, u: UserRecord, status: str) -> None:
        u.status = status
        u.status_changed = u.last_updated = _now()

    def _lc_suspend(self, req: Request, u: UserRecord) -> Response:
        if u.status != "ACTIVE":
            return self.server.error(
                400,
                "E0000001",
                "Cannot suspend a user that is not active",
                ("Cannot suspend a user that is not active",),
            )
        self._set_status(u, "SUSPENDED")
        self._event(
            req,
            "user.lifecycle.suspend",
            "Suspend Okta user",
            "core.user.config.user_status.suspended",
            [_user_target(u)],
        )
        return json_response(200, {})

    def _lc_unsuspend(self, req: Request, u: UserRecord) -> Response:
        if u.status != "SUSPENDED":
            return self.server.error(
                400,
                "E0000001",
                "Cannot unsuspend a user that is not suspended",
                ("Cannot unsuspend a user that is not suspended",),
            )
        self._set_status(u, "ACTIVE")
        self._event(
            req,
            "user.lifecycle.unsuspend",
            "Unsuspend Okta user",
            "core.user.config.user_status.unsuspended",
            [_user_target(u)],
        )
        return json_response(200, {})

    def _lc_deactivate(self, req: Request, u: UserRecord) -> Response:
        if u.status != "DEPROVISIONED":
            self._set_status(u, "DEPROVISIONED")
            self._drop_sessions(u.id)
            self._event(
                req,
                "user.lifecycle.deactivate",
                "Deactivate Okta user",
                "core.user.config.user_deactivated",
                [_user_target(u)],
            )
        return json_response(200, {})

    def _lc_activate(self, req: Request, u: UserRecord) -> Response:
        if u.status not in ("STAGED", "DEPROVISIONED"):
            return self.server.error(403, "E0000038")
        self._set_status(u, "ACTIVE")
        self._event(
            req,
            "user.lifecycle.activate",
            "Activate Okta user",
            "core.user.config.user_activated",
            [_user_target(u)],
        )
        return json_response(200, {})

    def _lc_reactivate(self, req: Request, u: UserRecord) -> Response:
        if u.status != "PROVISIONED":
            return self.server.error(403, "E0000038")
        return self._lc_activate(req, u)

    def _lc_unlock(self, req: Request, u: UserRecord) -> Response:
        if u.status != "LOCKED_OUT":
            return self.server.error(403, "E0000032", causes=("The user is not locked out.",))
        self._set_status(u, "ACTIVE")
        u.failed_attempts = 0
        self._event(
            req,
            "user.account.unlock",
            "Unlock user account",
            "core.user.config.user_unlocked",
            [_user_target(u)],
        )
        return json_response(200, {})

    def _lc_expire_password(self, req: Request, u: UserRecord) -> Response:
        if u.status not in ("ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT"):
            return self.server.error(403, "E0000038")
        self._set_status(u, "PASSWORD_EXPIRED")
        self._event(
            req,
            "user.account.expire_password",
            "Expire user password",
            "core.user.config.password_expired",
            [_user_target(u)],
        )
        return json_response(200, self.user_json(u, req.base_url))

    def _lc_reset_factors(self, req: Request, u: UserRecord) -> Response:
        u.factors = []
        self._event(
            req,
            "user.mfa.factor.reset_all",
            "Reset all factors for user",
            "core.user.factor.reset_all",
            [_user_target(u)],
        )
        return json_response(200, {})

    def _lc_reset_password(self, req: Request, u: UserRecord) -> Response:
        if u.status not in ("ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY"):
            return self.server.error(403, "E0000038")
        self._set_status(u, "RECOVERY")
        u.password = "reset:" + u.id  # the old password stops working
        if (req.param("revokeSessions") or "").lower() == "true":
            self._drop_sessions(u.id)
        self._event(
            req,
            "user.account.reset_password",
            "Reset password for user",
            "core.user.config.password_reset",
            [_user_target(u)],
        )
        if (req.param("sendEmail") or "true").lower() == "false":
            token = "tok" + u.id[3:]
            return json_response(200, {"resetPasswordUrl": f"{req.base_url}/reset_password/{token}"})
        return json_response(200, {})

    def _drop_sessions(self, uid: str) -> int:
        sids = [sid for sid, s in self.state.sessions.items() if s["userId"] == uid]
        for sid in sids:
            del self.state.sessions[sid]
        return len(sids)

    def clear_sessions(self, req: Request, key: str) -> Response:
        with self.state.lock:
            u = self._user(key)
            if u is None:
                return self._not_found(key, "User")
            self._drop_sessions(u.id)
            oauth = (req.param("oauthTokens") or "false").lower() == "true"
            if oauth:
                u.grants = 0
            self._event(
                req,
                "user.session.clear",
                "Clear user session",
                "core.user_auth.session_clear",
                [_user_target(u)],
                extra={"oauthTokens": str(oauth).lower()},
            )
        return empty_response(204)

    def revoke_grants(self, req: Request, key: str) -> Response:
        with self.state.lock:
            u = self._user(key)
            if u is None:
                return self._not_found(key, "User")
            u.grants = 0
            self._event(
                req, "app.oauth2.as.consent.revoke", "Revoke all grants for user", None, [_user_target(u)]
            )
        return empty_response(204)

    def list_factors(self, req: Request, key: str) -> Response:
        with self.state.lock:
            u = self._user(key)
            if u is None:
                return self._not_found(key, "User")
            return json_response(200, [self._factor_json(u.id, f, req.base_url) for f in u.factors])

    def get_factor(self, req: Request, key: str, fid: str) -> Response:
        with self.state.lock:
            u = self._user(key)
            if u is None:
                return self._not_found(key, "User")
            for f in u.factors:
                if f["id"] == fid:
                    return json_response(200, self._factor_json(u.id, f, req.base_url))
        return self._not_found(fid, "UserFactor")

    def delete_factor(self, req: Request, key: str, fid: str) -> Response:
        with self.state.lock:
            u = self._user(key)
            if u is None:
                return self._not_found(key, "User")
            kept = [f for f in u.factors if f["id"] != fid]
            if len(kept) == len(u.factors):
                return self._not_found(fid, "UserFactor")
            u.factors = kept
            self._event(
                req,
                "user.mfa.factor.deactivate",
                "Reset factor for user",
                "core.user.factor.deactivate",
                [_user_target(u)],
                reason="Admin reset factor",
            )
        return empty_response(204)

    def user_groups(self, req: Request, key: str) -> Response:
        with self.state.lock:
            u = self._user(key)
            if u is None:
                return self._not_found(key, "User")
            return json_response(
                200,
                [
                    self._group_json(g.id, req.base_url)
                    for g in self.state.groups.values()
                    if u.id in g.members
                ],
            )

    def get_session(self, req: Request, sid: str) -> Response:
        with self.state.lock:
            sess = self.state.sessions.get(sid)
            if sess is None:
                return self._not_found(sid, "AppSession")
            u = self.state.users[sess["userId"]]
            created = sess["createdAt"]
            expires = r.format_ms(int(parse_iso8601(created).timestamp() * 1000) + 2 * 3600 * 1000)
            body = {
                "id": sid,
                "userId": u.id,
                "login": u.login,
                "createdAt": created,
                "expiresAt": expires,
                "status": "ACTIVE",
                "lastPasswordVerification": created,
                "lastFactorVerification": created,
                "amr": ["pwd", "mfa"],
                "idp": {"id": "00o" + u.id[3:], "type": "OKTA"},
                "_links": {
                    "self": {
                        "href": f"{req.base_url}/api/v1/sessions/{sid}",
                        "hints": {"allow": ["GET", "DELETE"]},
                    }
                },
            }
            return json_response(200, body)

    def revoke_session(self, req: Request, sid: str) -> Response:
        with self.state.lock:
            sess = self.state.sessions.pop(sid, None)
            if sess is None:
                return self._not_found(sid, "AppSession")
            u = self.state.users.get(sess["userId"])
            self._event(
                req,
                "user.session.end",
                "User logout from Okta",
                "core.user_auth.logout_success",
                [_user_target(u)] if u else [],
                extra={"sessionId": sid},
            )
        return empty_response(204)

    # -- groups ----------------------------------------------------------------------------------------
    def _group_json(self, gid: str, base: str) -> dict[str, Any]:
        g = self.state.groups[gid]
        return {
            "id": g.id,
            "created": self.org.state.users[self.org.world.automation_id].created,
            "lastUpdated": _now(),
            "lastMembershipUpdated": _now(),
            "objectClass": ["okta:user_group"],
            "type": "BUILT_IN" if g.name == "Everyone" else "OKTA_GROUP",
            "profile": {"name": g.name, "description": g.description},
            "_links": {"users": {"href": f"{base}/api/v1/groups/{g.id}/users"}},
        }

    def list_groups(self, req: Request) -> Response:
        q = (req.param("q") or "").lower()
        with self.state.lock:
            return json_response(
                200,
                [
                    self._group_json(g.id, req.base_url)
                    for g in self.state.groups.values()
                    if g.name.lower().startswith(q)
                ],
            )

    def get_group(self, req: Request, gid: str) -> Response:
        with self.state.lock:
            if gid not in self.state.groups:
                return self._not_found(gid, "UserGroup")
            return json_response(200, self._group_json(gid, req.base_url))

    def group_users(self, req: Request, gid: str) -> Response:
        with self.state.lock:
            if gid not in self.state.groups:
                return self._not_found(gid, "UserGroup")
            members = sorted(self.state.groups[gid].members)
            return json_response(200, [self.user_json(self.state.users[m], req.base_url) for m in members])

    def _membership(self, req: Request, gid: str, uid: str, add: bool) -> Response:
        with self.state.lock:
            g = self.state.groups.get(gid)
            if g is None:
                return self._not_found(gid, "UserGroup")
            u = self._user(uid)
            if u is None:
                return self._not_found(uid, "User")
            changed = (u.id not in g.members) if add else (u.id in g.members)
            if changed:
                if add:
                    g.members.add(u.id)
                else:
                    g.members.discard(u.id)
                tgt = [
                    _user_target(u),
                    {"id": g.id, "type": "UserGroup", "alternateId": "unknown", "displayName": g.name},
                ]
                if add:
                    self._event(
                        req,
                        "group.user_membership.add",
                        "Add user to group membership",
                        "core.user_group_member.user_add",
                        tgt,
                    )
                else:
                    self._event(
                        req,
                        "group.user_membership.remove",
                        "Remove user from group membership",
                        "core.user_group_member.user_remove",
                        tgt,
                    )
        return empty_response(204)

    def add_member(self, req: Request, gid: str, uid: str) -> Response:
        return self._membership(req, gid, uid, True)

    def remove_member(self, req: Request, gid: str, uid: str) -> Response:
        return self._membership(req, gid, uid, False)

    # -- zones -----------------------------------------------------------------------------------------
    def _zone_json(self, zid: str, base: str) -> dict[str, Any]:
        z = copy.deepcopy(self.state.zones[zid])
        href = f"{base}/api/v1/zones/{zid}"
        z["_links"] = {
            "self": {"href": href, "hints": {"allow": ["GET", "PUT", "DELETE"]}},
            "deactivate": {"href": f"{href}/lifecycle/deactivate", "hints": {"allow": ["POST"]}},
        }
        return z

    def list_zones(self, req: Request) -> Response:
        flt = req.param("filter")
        usage = status = None
        if flt:
            for clause in flt.split(" and "):
                parts = clause.strip().split(" ", 2)
                if len(parts) != 3 or parts[0] not in ("usage", "status", "id") or parts[1] != "eq":
                    return self.server.error(400, "E0000053", causes=(f"unsupported zone filter: {clause}",))
                value = parts[2].strip().strip('"')
                if parts[0] == "usage":
                    usage = value
                elif parts[0] == "status":
                    status = value
        with self.state.lock:
            out = [
                self._zone_json(zid, req.base_url)
                for zid, z in self.state.zones.items()
                if (usage is None or z["usage"] == usage) and (status is None or z["status"] == status)
            ]
        return json_response(200, out)

    def get_zone(self, req: Request, zid: str) -> Response:
        with self.state.lock:
            if zid not in self.state.zones:
                return self._not_found(zid, "Zone")
            return json_response(200, self._zone_json(zid, req.base_url))

    def put_zone(self, req: Request, zid: str) -> Response:
        try:
            body = req.json()
        except ValueError:
            return self.server.error(400, "E0000001", "body", ("The request body is not valid JSON.",))
        with self.state.lock:
            if zid not in self.state.zones:
                return self._not_found(zid, "Zone")
            problem = _zone_problem(body, self.state.zones[zid])
            if problem:
                return self.server.error(400, "E0000001", problem, (problem,))
            zone = self.state.zones[zid]
            before = [g["value"] for g in zone["gateways"]]
            zone["name"] = body["name"]
            zone["gateways"] = [{"type": g["type"], "value": g["value"]} for g in body.get("gateways") or []]
            zone["proxies"] = body.get("proxies")
            zone["lastUpdated"] = _now()
            after = [g["value"] for g in zone["gateways"]]
            self._event(
                req,
                "zone.update",
                "Update network zone",
                None,
                [
                    {
                        "id": zid,
                        "type": "NetworkZone",
                        "alternateId": zone["name"],
                        "displayName": zone["name"],
                        "changeDetails": {"from": {"gateways": before}, "to": {"gateways": after}},
                    }
                ],
            )
            return json_response(200, self._zone_json(zid, req.base_url))

    def zone_lifecycle(self, req: Request, zid: str, action: str) -> Response:
        with self.state.lock:
            if zid not in self.state.zones:
                return self._not_found(zid, "Zone")
            zone = self.state.zones[zid]
            zone["status"] = "ACTIVE" if action == "activate" else "INACTIVE"
            zone["lastUpdated"] = _now()
            self._event(
                req,
                f"zone.{action}",
                f"{action.capitalize()} network zone",
                None,
                [
                    {
                        "id": zid,
                        "type": "NetworkZone",
                        "alternateId": zone["name"],
                        "displayName": zone["name"],
                    }
                ],
            )
            return json_response(200, self._zone_json(zid, req.base_url))


def _zone_problem(body: Any, current: dict[str, Any]) -> str:
    """Why a zone replacement body is invalid ('' when valid)."""
    if not isinstance(body, dict):
        return "The zone must be a JSON object."
    if not isinstance(body.get("name"), str) or not body["name"].strip() or len(body["name"]) > 128:
        return "name: is required (1-128 characters)."
    if body.get("type") != current["type"]:
        return f"type: must stay {current['type']}."
    if "usage" in body and body["usage"] != current["usage"]:
        return "usage: cannot be changed."
    gateways = body.get("gateways") or []
    if not isinstance(gateways, list):
        return "gateways: must be a list."
    if current["usage"] == "BLOCKLIST" and len(gateways) > MAX_BLOCKLIST_GATEWAYS:
        return f"gateways: a blocklist zone holds at most {MAX_BLOCKLIST_GATEWAYS} gateways."
    for gw in gateways + list(body.get("proxies") or []):
        if (
            not isinstance(gw, dict)
            or gw.get("type") not in ("CIDR", "RANGE")
            or not isinstance(gw.get("value"), str)
        ):
            return "gateways: each entry needs type CIDR or RANGE and a string value."
        try:
            if gw["type"] == "CIDR":
                ipaddress.ip_network(gw["value"], strict=False)
            else:
                lo, hi = (ipaddress.ip_address(v.strip()) for v in gw["value"].split("-", 1))
                if lo.version != hi.version or lo > hi:  # type: ignore[operator]
                    return f"gateways: invalid range {gw['value']}."
        except ValueError:
            return f"gateways: invalid address {gw['value']}."
    return ""

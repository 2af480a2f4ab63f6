"""Sign-in attempts (``POST /api/v1/authn``) and the OAuth token endpoint (``POST /oauth2/v1/token``).

The client IP is taken from ``X-Forwarded-For`` (standing in for the real client address), so a
test can sign in "from" the attacker's IP and see the blocklist and suspensions take effect.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from okta_ir.simulator import render as r
from okta_ir.simulator.http import Request, Response, json_response
from okta_ir.simulator.live import LiveLog, ip_in_gateways
from okta_ir.simulator.rand import okta_id
from okta_ir.simulator.state import LOCKOUT_THRESHOLD

if TYPE_CHECKING:
    from okta_ir.simulator.server import OrgServer, Route

__all__ = ["authn_routes"]


def authn_routes(server: OrgServer) -> list[Route]:
    """Routes for /api/v1/authn and /oauth2/v1/token."""
    from okta_ir.simulator.server import Route

    api = _AuthnApi(server)
    return [
        Route("POST", r"/api/v1/authn", api.authn, "authn", None, public=True),
        Route("POST", r"/oauth2/v1/token", api.token, "oauth", None, public=True),
    ]


class _AuthnApi:
    def __init__(self, server: OrgServer) -> None:
        self.server = server
        self.org = server.org
        self.live = LiveLog(server.org)
        self._sessions = 0

    def token(self, req: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
        answer = self.server.auth.token(form, req.headers, req.base_url + "/oauth2/v1/token")
        return Response(answer.status, answer.body, list(answer.headers.items()))

    def _blocked(self, ip: str) -> str:
        with self.org.state.lock:
            for zone in self.org.state.zones.values():
                if (
                    zone["usage"] == "BLOCKLIST"
                    and zone["status"] == "ACTIVE"
                    and ip_in_gateways(ip, zone["gateways"])
                ):
                    return str(zone["name"])
        return ""

    def authn(self, req: Request) -> Response:
        body = _json_object(req)
        if (
            body is None
            or not isinstance(body.get("username"), str)
            or not isinstance(body.get("password"), str)
        ):
            return self.server.error(400, "E0000001", "username and password are required")
        login, password = body["username"], body["password"]
        zone = self._blocked(req.client_ip)
        unknown = r.actor_json("unknown", "User", login, "unknown")
        if zone:
            self.live.append(
                req,
                event_type="security.request.blocked",
                display="Request from blocked IP",
                legacy=None,
                actor=unknown,
                result="DENY",
                reason="Blocklisted IP",
                severity="WARN",
                extra={"zone": zone},
            )
            return self.server.error(403, "E0000006")
        st = self.org.state
        with st.lock:
            user = st.find_user(login)
            if user is None:
                outcome = ("FAILURE", "UNKNOWN_USER")
            elif user.status in ("SUSPENDED", "DEPROVISIONED"):
                outcome = ("FAILURE", "User suspended" if user.status == "SUSPENDED" else "User deactivated")
            elif user.status == "LOCKED_OUT":
                outcome = ("FAILURE", "LOCKED_OUT")
            elif password != user.password:
                user.failed_attempts += 1
                outcome = ("FAILURE", "INVALID_CREDENTIALS")
            elif user.status in ("PASSWORD_EXPIRED", "RECOVERY"):
                outcome = ("CHALLENGE", "PASSWORD_EXPIRED")
            else:
                user.failed_attempts = 0
                outcome = ("SUCCESS", "")
            locked_now = (
                user is not None
                and outcome[1] == "INVALID_CREDENTIALS"
                and user.failed_attempts >= LOCKOUT_THRESHOLD
            )
            if locked_now and user is not None:
                user.status = "LOCKED_OUT"
            session_id = ""
            if outcome[0] == "SUCCESS" and user is not None:
                self._sessions += 1
                session_id = okta_id("102", self.org.config.seed, 900, self._sessions, 25)
                now = r.format_ms(int(time.time() * 1000))
                st.sessions[session_id] = {"userId": user.id, "ip": req.client_ip, "createdAt": now}
                user.last_login = now
        actor = (
            unknown
            if user is None
            else r.actor_json(user.id, "User", user.login, f"{user.first} {user.last}")
        )
        result, reason = outcome
        self.live.append(
            req,
            event_type="user.session.start",
            display="User login to Okta",
            legacy="core.user_auth.login_success" if result == "SUCCESS" else "core.user_auth.login_failed",
            actor=actor,
            result=result,
            reason=reason or None,
            session_id=session_id or None,
            credential="PASSWORD",
            severity="INFO" if result == "SUCCESS" else "WARN",
        )
        if locked_now and user is not None:
            self.live.append(
                req,
                event_type="user.account.lock",
                display="Max sign in attempts exceeded",
                legacy="core.user_auth.account_locked",
                actor=actor,
                result="FAILURE",
                reason="LOCKED_OUT",
                severity="WARN",
                targets=[
                    {
                        "id": user.id,
                        "type": "User",
                        "alternateId": user.login,
                        "displayName": f"{user.first} {user.last}",
                    }
                ],
            )
        if result == "SUCCESS" and user is not None:
            return json_response(
                200,
                {
                    "expiresAt": r.format_ms(int(time.time() * 1000) + 300_000),
                    "status": "SUCCESS",
                    "sessionToken": okta_id("20111", self.org.config.seed, 901, self._sessions, 56),
                    "_embedded": {
                        "user": {
                            "id": user.id,
                            "passwordChanged": user.password_changed,
                            "profile": {
                                "login": user.login,
                                "firstName": user.first,
                                "lastName": user.last,
                                "locale": "en_US",
                                "timeZone": "America/Los_Angeles",
                            },
                        }
                    },
                    "_links": {
                        "cancel": {
                            "href": f"{req.base_url}/api/v1/authn/cancel",
                            "hints": {"allow": ["POST"]},
                        }
                    },
                },
            )
        if reason == "LOCKED_OUT":
            return json_response(200, {"status": "LOCKED_OUT", "_links": {}})
        if reason == "PASSWORD_EXPIRED" and user is not None:
            return json_response(
                200,
                {
                    "status": "PASSWORD_EXPIRED",
                    "_embedded": {"user": {"id": user.id, "profile": {"login": user.login}}},
                },
            )
        return self.server.error(401, "E0000004")


def _json_object(req: Request) -> dict[str, Any] | None:
    try:
        value = req.json()
    except ValueError:
        return None
    return value if isinstance(value, dict) else None

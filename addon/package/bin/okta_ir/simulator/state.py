"""The org's mutable state: users and their status, factors, sessions; groups; network zones.

All mutation goes through ``OrgState`` methods under one lock; readers get copies.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any, Optional

from okta_ir.simulator.background import session_id_for
from okta_ir.simulator.rand import hash64, okta_id
from okta_ir.simulator.render import format_ms
from okta_ir.simulator.world import World

__all__ = ["LOCKOUT_THRESHOLD", "GroupRecord", "OrgState", "UserRecord"]

LOCKOUT_THRESHOLD = 10


@dataclass
class UserRecord:
    """One user as the org holds it."""

    id: str
    login: str
    first: str
    last: str
    department: str
    status: str
    created: str
    status_changed: str
    last_updated: str
    password_changed: str
    password: str = field(repr=False)
    admin_role: str = ""
    last_login: Optional[str] = None
    factors: list[dict[str, Any]] = field(default_factory=list)
    failed_attempts: int = 0
    grants: int = 1


@dataclass
class GroupRecord:
    """A group and its members."""

    id: str
    name: str
    description: str
    privileged: bool
    members: set[str] = field(default_factory=set)


def _active_user(
    uid: str, login: str, first: str, last: str, department: str, created: str, password: str, admin_role: str
) -> UserRecord:
    """A user that has been ACTIVE since ``created``."""
    return UserRecord(
        id=uid,
        login=login,
        first=first,
        last=last,
        department=department,
        status="ACTIVE",
        created=created,
        status_changed=created,
        last_updated=created,
        password_changed=created,
        password=password,
        admin_role=admin_role,
    )


class OrgState:
    """Users, groups, zones and sessions of the simulated org (thread-safe)."""

    def __init__(self, world: World, created_ms: int, now_ms: int) -> None:
        self.lock = threading.RLock()
        self.world = world
        created = format_ms(created_ms)
        self.users: dict[str, UserRecord] = {}
        self.sessions: dict[str, dict[str, str]] = {}  # session id -> {userId, ip, createdAt}
        s = world.seed
        for p in world.people:
            rec = _active_user(
                p.id,
                p.login,
                p.first,
                p.last,
                p.department,
                created,
                f"Okta-{hash64(s, 300, p.index):010x}!",
                p.admin_role,
            )
            rec.factors.append(
                self._factor(
                    okta_id("opf", s, 301, p.index),
                    "push",
                    "OKTA",
                    created,
                    {"name": f"{p.first}'s iPhone", "platform": "IOS"},
                )
            )
            if p.index % 3 == 0:
                rec.factors.append(
                    self._factor(
                        okta_id("ost", s, 302, p.index),
                        "token:software:totp",
                        "GOOGLE",
                        created,
                        {"credentialId": p.login},
                    )
                )
            self.users[p.id] = rec
            sid = session_id_for(s, p.index, now_ms)
            self.sessions[sid] = {"userId": p.id, "ip": p.ip, "createdAt": format_ms(now_ms - 600_000)}
        auto = _active_user(
            world.automation_id,
            world.automation_login,
            "okta-ir",
            "Automation",
            "Security",
            created,
            f"Okta-{hash64(s, 303, 0):010x}!",
            "Super administrator",
        )
        self.users[auto.id] = auto
        self.groups: dict[str, GroupRecord] = {}
        for gid, name, desc, priv in world.groups:
            self.groups[gid] = GroupRecord(gid, name, desc, priv)
        everyone = self.groups[world.group_id("Everyone")]
        everyone.members.update(self.users)
        for p in world.people:
            dept = {"Engineering": "Engineering", "Sales": "Sales", "Finance": "Finance"}.get(p.department)
            if dept:
                self.groups[world.group_id(dept)].members.add(p.id)
        for p in world.helpdesk:
            self.groups[world.group_id("IT Helpdesk")].members.add(p.id)
        admins = self.groups[world.group_id("Okta Administrators")]
        admins.members.update({world.protected_admin.id, world.automation_id})
        self.zones: dict[str, dict[str, Any]] = {}
        for k, (name, usage, system, gateways) in enumerate(
            (
                ("LegacyIpZone", "POLICY", True, []),
                (
                    "Corporate Offices",
                    "POLICY",
                    False,
                    [{"type": "CIDR", "value": f"{o.ip_prefix}0/24"} for o in world.offices],
                ),
                (
                    "BlockedIpZone",
                    "BLOCKLIST",
                    False,
                    [
                        {"type": "CIDR", "value": "198.18.200.0/24"},
                        {"type": "RANGE", "value": "198.18.201.7-198.18.201.9"},
                    ],
                ),
            )
        ):
            zid = okta_id("nzo", s, 304, k)
            self.zones[zid] = {
                "type": "IP",
                "id": zid,
                "name": name,
                "status": "ACTIVE",
                "usage": usage,
                "created": created,
                "lastUpdated": created,
                "system": system,
                "gateways": gateways,
                "proxies": None,
            }
        self.api_tokens: list[dict[str, str]] = []

    @staticmethod
    def _factor(fid: str, ftype: str, provider: str, created: str, profile: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": fid,
            "factorType": ftype,
            "provider": provider,
            "vendorName": provider,
            "status": "ACTIVE",
            "created": created,
            "lastUpdated": created,
            "profile": profile,
        }

    # -- lookups ---------------------------------------------------------------------------------------
    def find_user(self, id_or_login: str) -> Optional[UserRecord]:
        """A user by id or (case-insensitive) login."""
        with self.lock:
            rec = self.users.get(id_or_login)
            if rec is not None:
                return rec
            wanted = id_or_login.lower()
            for rec in self.users.values():
                if rec.login.lower() == wanted:
                    return rec
            return None

    def password_for(self, login: str) -> str:
        """The simulated user's current password (for sign-in tests and the demo; never logged)."""
        rec = self.find_user(login)
        if rec is None:
            raise KeyError(login)
        return rec.password

    def blocklist_zone_id(self) -> str:
        """Id of the (first) BLOCKLIST zone."""
        for zid, zone in self.zones.items():
            if zone["usage"] == "BLOCKLIST":
                return zid
        raise KeyError("BLOCKLIST")

    def user_sessions(self, user_id: str) -> list[str]:
        """Ids of the user's active sessions."""
        with self.lock:
            return [sid for sid, sess in self.sessions.items() if sess["userId"] == user_id]

    def group_members(self, group_id: str) -> set[str]:
        """Copy of a group's member ids."""
        with self.lock:
            return set(self.groups[group_id].members)

    def zone(self, zone_id: str) -> dict[str, Any]:
        """Copy of a zone."""
        with self.lock:
            return copy.deepcopy(self.zones[zone_id])

    def user_status(self, id_or_login: str) -> str:
        """A user's status (KeyError when unknown)."""
        rec = self.find_user(id_or_login)
        if rec is None:
            raise KeyError(id_or_login)
        return rec.status

"""Events appended while the org is served: sign-in attempts and admin actions, published now."""

from __future__ import annotations

import ipaddress
import time
from typing import Any, Optional

from okta_ir.simulator import render as r
from okta_ir.simulator.http import Request
from okta_ir.simulator.org import Org
from okta_ir.simulator.world import Agent, Place

__all__ = ["LiveLog", "ip_in_gateways"]


def ip_in_gateways(ip: str, gateways: list[dict[str, Any]]) -> bool:
    """Whether ``ip`` falls in any CIDR / RANGE / single-address gateway of a zone."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for gw in gateways or []:
        value = str(gw.get("value", ""))
        try:
            if gw.get("type") == "RANGE" and "-" in value:
                lo, hi = (ipaddress.ip_address(v.strip()) for v in value.split("-", 1))
                if lo.version == addr.version and lo <= addr <= hi:  # type: ignore[operator]
                    return True
            elif addr in ipaddress.ip_network(value, strict=False):
                return True
        except ValueError:
            continue
    return False


class LiveLog:
    """Renders and appends live events for an org."""

    def __init__(self, org: Org) -> None:
        self.org = org
        places = list(org.world.offices) + list(org.world.attack_places)
        self._places = [(p.ip_prefix, p, p in org.world.attack_places) for p in places]
        self._n = 0

    def _place(self, ip: str) -> tuple[Optional[Place], bool]:
        for prefix, place, proxy in self._places:
            if ip.startswith(prefix):
                return place, proxy
        return None, False

    def append(
        self,
        req: Request,
        *,
        event_type: str,
        display: str,
        legacy: Optional[str],
        actor: str,
        result: str = "SUCCESS",
        reason: Optional[str] = None,
        targets: Optional[list[dict[str, Any]]] = None,
        session_id: Optional[str] = None,
        credential: Optional[str] = None,
        severity: str = "INFO",
        extra: Optional[dict[str, Any]] = None,
        tx_detail: Optional[dict[str, Any]] = None,
    ) -> int:
        """Append one event describing ``req``; returns its persistence index."""
        ua = req.headers.get("user-agent", "")
        agent = Agent(ua, "Unknown", "UNKNOWN", "Unknown") if ua else None
        place, proxy = self._place(req.client_ip)
        client = r.client_json(agent, place, req.client_ip)
        request = r.request_json(place, req.client_ip)
        security = r.security_json(place, proxy)
        uri = req.path + (("?" + req.query) if req.query else "")

        spec = r.EventSpec(
            event_type=event_type,
            display=display,
            legacy=legacy,
            actor=actor,
            client=client,
            request=request,
            security=security,
            result=result,
            reason=reason,
            severity=severity,
            session_id=session_id,
            credential=credential,
            uri=uri,
            targets=targets or [],
            extra=extra,
            transaction_detail=tx_detail,
        )

        def build(uuid: str, ms: int, published: str) -> str:
            return spec.text(uuid, published, uuid.replace("-", "")[16:])

        index, _ = self.org.store.append(build, int(time.time() * 1000))
        return index

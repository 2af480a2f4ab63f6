"""Gateway arithmetic for Okta IP network zones (read-modify-write of a BLOCKLIST zone).

Gateways are ``{"type": "CIDR", "value": "1.2.3.0/24"}`` or ``{"type": "RANGE", "value": "1.2.3.4-1.2.3.9"}``
(a RANGE may also be a single address). Unparseable gateways are kept verbatim and never match.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, Optional

from okta_ir.containment.targets import IPNetwork
from okta_ir.errors import ContainmentRefused

__all__ = [
    "MAX_BLOCKLIST_GATEWAYS",
    "contains_exactly",
    "gateway_for",
    "gateways_covering",
    "replacement_body",
    "without_gateway",
]

MAX_BLOCKLIST_GATEWAYS = 1000
_READ_ONLY = ("id", "created", "lastUpdated", "system", "_links", "_embedded")

Span = tuple[int, int, int]  # version, first, last


def _span(gateway: Mapping[str, Any]) -> Optional[Span]:
    value = str(gateway.get("value") or "").strip()
    try:
        if gateway.get("type") == "CIDR":
            net = ipaddress.ip_network(value, strict=False)
            return net.version, int(net.network_address), int(net.broadcast_address)
        if gateway.get("type") == "RANGE":
            first_text, _, last_text = value.partition("-")
            first = ipaddress.ip_address(first_text.strip())
            last = ipaddress.ip_address(last_text.strip()) if last_text else first
            if first.version != last.version:
                return None
            return first.version, int(first), int(last)
    except ValueError:
        return None
    return None


def gateway_for(network: IPNetwork) -> dict[str, str]:
    """The gateway entry that blocks ``network`` (a single address becomes a /32 or /128 CIDR)."""
    return {"type": "CIDR", "value": str(network)}


def gateways_covering(gateways: list[Mapping[str, Any]], network: IPNetwork) -> list[Mapping[str, Any]]:
    """The gateways that already contain the whole of ``network``."""
    first, last = int(network.network_address), int(network.broadcast_address)
    hits = []
    for gateway in gateways:
        span = _span(gateway)
        if span and span[0] == network.version and span[1] <= first and last <= span[2]:
            hits.append(gateway)
    return hits


def _is_exactly(gateway: Mapping[str, Any], network: IPNetwork) -> bool:
    span = _span(gateway)
    return span == (network.version, int(network.network_address), int(network.broadcast_address))


def contains_exactly(gateways: list[Mapping[str, Any]], network: IPNetwork) -> bool:
    """Whether one of ``gateways`` is exactly ``network`` (as a CIDR or a RANGE)."""
    return any(_is_exactly(g, network) for g in gateways)


def without_gateway(
    gateways: list[Mapping[str, Any]], network: IPNetwork
) -> Optional[list[Mapping[str, Any]]]:
    """``gateways`` minus the entries that are exactly ``network``; None when there is none.

    Raises ContainmentRefused when ``network`` is only covered by a broader entry (unblocking it would
    mean splitting someone else's range: do that by hand).
    """
    kept = [g for g in gateways if not _is_exactly(g, network)]
    if len(kept) < len(gateways):
        return kept
    broader = gateways_covering(gateways, network)
    if broader:
        raise ContainmentRefused(
            f"{network} is blocked by the broader entry {broader[0].get('value')}; change that entry by hand"
        )
    return None


def replacement_body(zone: Mapping[str, Any], gateways: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The PUT body replacing ``zone``'s gateways: every writable field kept, read-only ones dropped."""
    if len(gateways) > MAX_BLOCKLIST_GATEWAYS:
        raise ContainmentRefused(
            f"the blocklist zone already holds {len(gateways) - 1} entries (limit {MAX_BLOCKLIST_GATEWAYS}); "
            "remove old entries or use another zone"
        )
    body = {k: v for k, v in zone.items() if k not in _READ_ONLY}
    body["gateways"] = [dict(g) for g in gateways]
    return body

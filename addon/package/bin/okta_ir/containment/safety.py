"""Safety rails of containment: the protected list, the blast-radius limit, networks never blocked.

``ContainmentPolicy`` is the configuration; the ``check_*`` functions raise ``ContainmentRefused``
with the reason before anything is sent.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from okta_ir.containment.targets import IPNetwork, display, parse_okta_id
from okta_ir.errors import ConfigError, ContainmentRefused

__all__ = [
    "DEFAULT_MAX_TARGETS",
    "ContainmentPolicy",
    "check_blast_radius",
    "check_blockable",
    "check_user_not_protected",
    "parse_networks",
    "split_list",
]

DEFAULT_MAX_TARGETS = 5
MAX_TARGETS_CEILING = 100

# Never blocked whatever the configuration: private (RFC 1918, ULA), CGNAT, loopback, link-local,
# multicast, reserved, "this network", IPv4-mapped/translated IPv6 (block the IPv4 form instead).
_NEVER_BLOCK = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/8", "64:ff9b::/96", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)
_BROADEST_V4 = 16
_BROADEST_V6 = 48


def split_list(text: Optional[str]) -> tuple[str, ...]:
    """Values of a list setting written with commas, semicolons, spaces or new lines."""
    if not text:
        return ()
    return tuple(part for part in re.split(r"[\s,;]+", text) if part)


def parse_networks(values: Iterable[str], what: str = "corporate range") -> tuple[IPNetwork, ...]:
    """CIDRs or addresses from configuration; raises ConfigError naming the bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ConfigError(f"{what} {display(value)} is not an IP address or CIDR; fix it") from None
    return tuple(networks)


@dataclass(frozen=True)
class ContainmentPolicy:
    """How containment may act.

    protected_users: logins or Okta user ids no action ever touches (compared case-insensitively).
    protected_groups: Okta group ids whose members no action ever touches (break-glass, super admins).
    max_targets: more distinct targets than this in one run -> nothing is done.
    corporate_ranges: the org's own networks, never blocked (on top of the built-in private/reserved ones).
    quarantine_group_id / blocklist_zone_id: where quarantine and block-ip act (zone: else looked up).
    allow_deactivate: deactivation is refused unless this is set.
    """

    protected_users: frozenset[str] = frozenset()
    protected_groups: frozenset[str] = frozenset()
    max_targets: int = DEFAULT_MAX_TARGETS
    corporate_ranges: tuple[IPNetwork, ...] = ()
    quarantine_group_id: Optional[str] = None
    blocklist_zone_id: Optional[str] = None
    allow_deactivate: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.max_targets <= MAX_TARGETS_CEILING:
            raise ConfigError(f"max targets must be 1 to {MAX_TARGETS_CEILING}, not {self.max_targets}")
        for group in self.protected_groups:
            _config_id(group, "protected group")
        if self.quarantine_group_id is not None:
            _config_id(self.quarantine_group_id, "quarantine group")
            if self.quarantine_group_id in self.protected_groups:
                raise ConfigError("the quarantine group is also a protected group; pick another group")
        if self.blocklist_zone_id is not None:
            _config_id(self.blocklist_zone_id, "blocklist zone")
        object.__setattr__(self, "protected_users", frozenset(u.lower() for u in self.protected_users))

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ContainmentPolicy:
        """A policy from text settings (alert parameters, CLI values): lists as comma/space separated text."""
        max_targets = settings.get("max_targets") or DEFAULT_MAX_TARGETS
        try:
            max_targets = int(max_targets)
        except (TypeError, ValueError):
            raise ConfigError(f"max_targets {display(max_targets)} is not a whole number") from None
        return cls(
            protected_users=frozenset(split_list(settings.get("protected_users"))),
            protected_groups=frozenset(split_list(settings.get("protected_groups"))),
            max_targets=max_targets,
            corporate_ranges=parse_networks(split_list(settings.get("corporate_ranges"))),
            quarantine_group_id=settings.get("quarantine_group") or None,
            blocklist_zone_id=settings.get("blocklist_zone") or None,
            allow_deactivate=_truthy(settings.get("allow_deactivate")),
        )


    def tightened_by(self, floor: Mapping[str, Any]) -> ContainmentPolicy:
        """This policy made at least as strict as ``floor`` (org-wide settings an alert cannot weaken).

        Protected users, groups and corporate ranges are added; ``max_targets`` is the smaller one;
        ``allow_deactivate`` set to false in the floor wins.
        """
        if not floor:
            return self
        extra = ContainmentPolicy.from_settings(floor)
        deactivate_denied = "allow_deactivate" in floor and not extra.allow_deactivate
        max_targets = self.max_targets
        if floor.get("max_targets"):
            max_targets = min(max_targets, extra.max_targets)
        return ContainmentPolicy(
            protected_users=self.protected_users | extra.protected_users,
            protected_groups=self.protected_groups | extra.protected_groups,
            max_targets=max_targets,
            corporate_ranges=self.corporate_ranges + extra.corporate_ranges,
            quarantine_group_id=self.quarantine_group_id,
            blocklist_zone_id=self.blocklist_zone_id,
            allow_deactivate=self.allow_deactivate and not deactivate_denied,
        )


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on", "t", "y")


def _config_id(value: str, what: str) -> None:
    try:
        parse_okta_id(value, what)
    except ContainmentRefused as exc:
        raise ConfigError(f"{exc}; fix the setting") from None


def check_blast_radius(count: int, policy: ContainmentPolicy) -> None:
    """Refuse the whole run when it names more distinct targets than the policy allows."""
    if count > policy.max_targets:
        raise ContainmentRefused(
            f"{count} distinct targets exceed the limit of {policy.max_targets} per run; nothing was done "
            "(narrow the search or raise max_targets)"
        )


def check_blockable(network: IPNetwork, policy: ContainmentPolicy) -> None:
    """Refuse networks that must never be blocked, and networks too broad to block."""
    broadest = _BROADEST_V4 if network.version == 4 else _BROADEST_V6
    if network.prefixlen < broadest:
        raise ContainmentRefused(f"{network} is broader than /{broadest}; block narrower ranges")
    for reserved in _NEVER_BLOCK:
        if reserved.version == network.version and network.overlaps(reserved):
            raise ContainmentRefused(
                f"{network} is in {reserved} (private, CGNAT, loopback, link-local, multicast or reserved)"
            )
    for corporate in policy.corporate_ranges:
        if corporate.version == network.version and network.overlaps(corporate):
            raise ContainmentRefused(f"{network} overlaps the corporate range {corporate}")


def check_user_not_protected(
    ref: str, user: Mapping[str, Any], group_ids: Sequence[str], policy: ContainmentPolicy
) -> None:
    """Refuse a user on the protected list or in a protected group."""
    login = str((user.get("profile") or {}).get("login") or "")
    names = {ref.lower(), login.lower(), str(user.get("id") or "").lower()}
    hit = names & policy.protected_users
    if hit:
        raise ContainmentRefused(f"user {display(sorted(hit)[0])} is on the protected list")
    groups = set(group_ids) & policy.protected_groups
    if groups:
        raise ContainmentRefused(f"user is a member of the protected group {sorted(groups)[0]}")

"""Safety rails and zone gateway arithmetic (okta_ir.containment.safety, okta_ir.containment.zones)."""

from __future__ import annotations

import ipaddress

import pytest
from okta_ir.containment.safety import (
    ContainmentPolicy,
    check_blast_radius,
    check_blockable,
    check_user_not_protected,
    split_list,
)
from okta_ir.containment.zones import gateways_covering, replacement_body, without_gateway
from okta_ir.errors import ConfigError, ContainmentRefused

net = ipaddress.ip_network


@pytest.mark.parametrize(
    "text",
    [
        "10.1.2.3/32",
        "172.16.5.4/32",
        "192.168.1.1/32",
        "100.64.0.1/32",
        "127.0.0.1/32",
        "169.254.169.254/32",
        "224.0.0.251/32",
        "240.0.0.1/32",
        "255.255.255.255/32",
        "0.0.0.0/32",
        "::1/128",
        "fe80::1/128",
        "fd00::1/128",
        "ff02::1/128",
        "::/128",
        "::ffff:1.2.3.4/128",
        "64:ff9b::1.2.3.4/128",
        "10.0.0.0/16",
    ],
)
def test_never_blocked_networks(text: str) -> None:
    with pytest.raises(ContainmentRefused, match=r"private, CGNAT, loopback"):
        check_blockable(net(text), ContainmentPolicy())


def test_corporate_ranges_and_broad_prefixes_are_refused() -> None:
    policy = ContainmentPolicy.from_settings({"corporate_ranges": "198.51.100.0/24, 2001:db8:1::/48"})
    with pytest.raises(ContainmentRefused, match=r"overlaps the corporate range 198.51.100.0/24"):
        check_blockable(net("198.51.100.77/32"), policy)
    with pytest.raises(ContainmentRefused, match=r"overlaps the corporate range 2001:db8:1::/48"):
        check_blockable(net("2001:db8:1::5/128"), policy)
    with pytest.raises(ContainmentRefused, match=r"broader than /16"):
        check_blockable(net("203.0.0.0/8"), policy)
    with pytest.raises(ContainmentRefused, match=r"broader than /48"):
        check_blockable(net("2001:db8::/32"), policy)
    check_blockable(net("203.0.113.9/32"), policy)
    check_blockable(net("2001:db8:2::9/128"), policy)


def test_policy_from_settings_and_bad_settings() -> None:
    policy = ContainmentPolicy.from_settings(
        {
            "protected_users": "Root@Example.com; 00uBREAKGLASS0000001\nops@example.com",
            "protected_groups": "00gSUPERADMINS000001",
            "max_targets": "3",
            "quarantine_group": "00gQUARANTINE0000001",
            "allow_deactivate": "1",
        }
    )
    assert policy.protected_users == {"root@example.com", "00ubreakglass0000001", "ops@example.com"}
    assert policy.protected_groups == {"00gSUPERADMINS000001"}
    assert (policy.max_targets, policy.quarantine_group_id, policy.allow_deactivate) == (
        3,
        "00gQUARANTINE0000001",
        True,
    )
    assert split_list(" a, b;;c \n") == ("a", "b", "c")
    with pytest.raises(ConfigError, match=r"max_targets many is not a whole number"):
        ContainmentPolicy.from_settings({"max_targets": "many"})
    with pytest.raises(ConfigError, match=r"max targets must be 1 to 100, not 0"):
        ContainmentPolicy(max_targets=0)
    with pytest.raises(ConfigError, match=r"quarantine group ../x is not an Okta id"):
        ContainmentPolicy.from_settings({"quarantine_group": "../x"})
    with pytest.raises(ConfigError, match=r"corporate range 10.0.0.300 is not an IP"):
        ContainmentPolicy.from_settings({"corporate_ranges": "10.0.0.300"})
    with pytest.raises(ConfigError, match=r"also a protected group"):
        ContainmentPolicy(
            protected_groups=frozenset({"00gSUPERADMINS000001"}), quarantine_group_id="00gSUPERADMINS000001"
        )


def test_blast_radius_and_protected_checks() -> None:
    policy = ContainmentPolicy(
        protected_users=frozenset({"Boss@Example.com"}), protected_groups=frozenset({"00gSUPERADMINS000001"})
    )
    check_blast_radius(5, policy)
    with pytest.raises(
        ContainmentRefused, match=r"6 distinct targets exceed the limit of 5 per run; nothing was done"
    ):
        check_blast_radius(6, policy)
    user = {"id": "00uBOSS0000000000001", "profile": {"login": "boss@example.com"}}
    with pytest.raises(ContainmentRefused, match=r"boss@example.com is on the protected list"):
        check_user_not_protected("00uBOSS0000000000001", user, [], policy)
    other = {"id": "00uADMIN000000000001", "profile": {"login": "admin@example.com"}}
    with pytest.raises(ContainmentRefused, match=r"member of the protected group 00gSUPERADMINS000001"):
        check_user_not_protected(
            "admin@example.com", other, ["00gEVERYONE000000001", "00gSUPERADMINS000001"], policy
        )
    check_user_not_protected("admin@example.com", other, ["00gEVERYONE000000001"], policy)


def test_gateway_coverage_and_removal() -> None:
    gateways = [
        {"type": "CIDR", "value": "1.2.3.4/24"},  # Okta keeps host bits as entered
        {"type": "RANGE", "value": "198.51.100.10-198.51.100.20"},
        {"type": "RANGE", "value": "203.0.113.9"},
        {"type": "CIDR", "value": "2001:db8::/64"},
        {"type": "CIDR", "value": "not-an-ip"},
    ]
    assert gateways_covering(gateways, net("1.2.3.200/32")) == [gateways[0]]
    assert gateways_covering(gateways, net("198.51.100.15/32")) == [gateways[1]]
    assert gateways_covering(gateways, net("198.51.100.21/32")) == []
    assert gateways_covering(gateways, net("2001:db8::5/128")) == [gateways[3]]
    assert gateways_covering(gateways, net("1.2.4.0/32")) == []
    assert without_gateway(gateways, net("203.0.113.9/32")) == [g for i, g in enumerate(gateways) if i != 2]
    assert without_gateway(gateways, net("192.0.2.1/32")) is None
    with pytest.raises(ContainmentRefused, match=r"blocked by the broader entry 1.2.3.4/24"):
        without_gateway(gateways, net("1.2.3.9/32"))


def test_replacement_body_keeps_writable_fields_and_limits_size() -> None:
    zone = {
        "id": "nzo1BLOCK00000000001",
        "name": "BlockedIpZone",
        "type": "IP",
        "status": "ACTIVE",
        "usage": "BLOCKLIST",
        "system": True,
        "created": "2024-01-01T00:00:00.000Z",
        "lastUpdated": "2024-01-01T00:00:00.000Z",
        "proxies": None,
        "_links": {"self": {"href": "x"}},
        "gateways": [{"type": "CIDR", "value": "192.0.2.1/32"}],
    }
    body = replacement_body(zone, [*zone["gateways"], {"type": "CIDR", "value": "203.0.113.9/32"}])
    assert body == {
        "name": "BlockedIpZone",
        "type": "IP",
        "status": "ACTIVE",
        "usage": "BLOCKLIST",
        "proxies": None,
        "gateways": [{"type": "CIDR", "value": "192.0.2.1/32"}, {"type": "CIDR", "value": "203.0.113.9/32"}],
    }
    full = [{"type": "CIDR", "value": f"203.0.{i // 256}.{i % 256}/32"} for i in range(1001)]
    with pytest.raises(ContainmentRefused, match=r"already holds 1000 entries"):
        replacement_body(zone, full)
    assert len(replacement_body(zone, full[:1000])["gateways"]) == 1000


def test_org_wide_floor_only_tightens() -> None:
    alert = ContainmentPolicy.from_settings(
        {
            "protected_users": "a@example.com",
            "max_targets": "20",
            "allow_deactivate": "1",
            "corporate_ranges": "198.51.100.0/24",
        }
    )
    floor = {
        "protected_users": "ceo@example.com",
        "protected_groups": "00gSUPERADMINS000001",
        "max_targets": "3",
        "corporate_ranges": "192.0.2.0/24",
        "allow_deactivate": "0",
    }
    merged = alert.tightened_by(floor)
    assert merged.protected_users == {"a@example.com", "ceo@example.com"}
    assert merged.protected_groups == {"00gSUPERADMINS000001"}
    assert (merged.max_targets, merged.allow_deactivate) == (3, False)
    assert [str(n) for n in merged.corporate_ranges] == ["198.51.100.0/24", "192.0.2.0/24"]
    assert alert.tightened_by({}) is alert
    assert alert.tightened_by({"max_targets": "50"}).max_targets == 20
    assert alert.tightened_by({"protected_users": "x@example.com"}).allow_deactivate is True
    with pytest.raises(ConfigError, match=r"also a protected group"):
        ContainmentPolicy(quarantine_group_id="00gSUPERADMINS000001").tightened_by(floor)

"""`okta-ir contain` (okta_ir.cli.contain): arguments, confirmation, output lines, exit status."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import pytest
from okta_ir.cli import build_parser, main
from okta_ir.cli.contain import run
from okta_ir.okta.client import ClientSettings, OktaClient

ORG = "https://acme.okta.com"
UID = "00u1alice00000000001"
TOKEN = "00aCLItokenSECRET"


class Recorder:
    """Okta answers for alice (ACTIVE, no groups); records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "GET" and path in ("/api/v1/users/alice@example.com", f"/api/v1/users/{UID}"):
            return httpx.Response(
                200, json={"id": UID, "status": "ACTIVE", "profile": {"login": "alice@example.com"}}
            )
        if request.method == "GET" and path == f"/api/v1/users/{UID}/groups":
            return httpx.Response(200, json=[])
        if request.method == "POST" and path == f"/api/v1/users/{UID}/lifecycle/suspend":
            return httpx.Response(200, json={})
        return httpx.Response(
            404, json={"errorCode": "E0000007", "errorSummary": "Not found", "errorId": "oae404"}
        )


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def invoke(argv: list[str], stdin: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, Recorder]:
    monkeypatch.setenv("OKTA_TEST_TOKEN", TOKEN)
    recorder = Recorder()

    def factory(org_url: str, auth: Any, timeout: float) -> OktaClient:
        assert timeout == 30.0
        return OktaClient(
            org_url,
            auth,
            settings=ClientSettings(max_retries=0),
            transport=httpx.MockTransport(recorder),
            sleep=lambda s: None,
        )

    args = build_parser().parse_args(["contain", *argv, "--org-url", ORG, "--token-env", "OKTA_TEST_TOKEN"])
    out = io.StringIO()
    status = run(args, stdin=stdin, out=out, client_factory=factory)
    return status, out.getvalue(), recorder


def test_suspend_with_yes_prints_one_line_per_target(monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, recorder = invoke(
        ["suspend", "--user", "alice@example.com", "--user", "ghost@example.com", "--yes"],
        io.StringIO(),
        monkeypatch,
    )
    assert out.splitlines() == [
        "suspend alice@example.com: success (user was ACTIVE, now SUSPENDED)",
        "suspend ghost@example.com: failed (Okta answered 404: Not found) [E0000007 oae404]",
    ]
    assert status == 1
    assert recorder.requests[0].headers["authorization"] == f"SSWS {TOKEN}"
    assert TOKEN not in out


def test_terminal_confirmation(monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, recorder = invoke(["suspend", "--user", "alice@example.com"], Tty("yes\n"), monkeypatch)
    assert status == 0
    assert recorder.requests[-1].url.path == f"/api/v1/users/{UID}/lifecycle/suspend"
    assert out.splitlines() == [
        f"suspend alice@example.com in {ORG}? Type 'yes' to go on: suspend alice@example.com: success "
        "(user was ACTIVE, now SUSPENDED)"
    ]
    with pytest.raises(Exception, match="not confirmed; nothing was done"):
        invoke(["suspend", "--user", "alice@example.com"], Tty("no\n"), monkeypatch)


def test_non_terminal_without_yes_is_refused_before_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OKTA_TEST_TOKEN", TOKEN)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    status = main(
        [
            "contain",
            "suspend",
            "--user",
            "alice@example.com",
            "--org-url",
            "http://127.0.0.1:9",
            "--token-env",
            "OKTA_TEST_TOKEN",
        ]
    )
    assert status == 1
    assert capsys.readouterr().err == (
        "okta-ir contain: error: refusing to change the org without confirmation: "
        "not a terminal; pass --yes\n"
    )


def test_dry_run_prints_the_would_send_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, recorder = invoke(
        ["suspend", "--user", "alice@example.com", "--dry-run"], io.StringIO(), monkeypatch
    )
    assert status == 0
    assert out.splitlines() == [
        "suspend alice@example.com: dry_run (dry run, would have: user was ACTIVE, now SUSPENDED)",
        f"  would send: POST {ORG}/api/v1/users/{UID}/lifecycle/suspend",
    ]
    assert [r.method for r in recorder.requests] == ["GET", "GET"]


def test_refusals_exit_3_and_json_output(monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, recorder = invoke(
        ["suspend", "--user", "alice@example.com", "--protected", "alice@example.com", "--yes", "--json"],
        io.StringIO(),
        monkeypatch,
    )
    assert status == 3
    [line] = out.splitlines()
    assert json.loads(line)["outcome"] == "refused"
    assert json.loads(line)["detail"] == "user alice@example.com is on the protected list"
    status, out, recorder = invoke(["block-ip", "--ip", "10.0.0.1", "--yes"], io.StringIO(), monkeypatch)
    assert (status, recorder.requests) == (3, [])
    assert out.startswith("block_ip 10.0.0.1/32: refused (10.0.0.1/32 is in 10.0.0.0/8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["suspend", "--ip", "203.0.113.5", "--yes"], "suspend acts on users: give --user LOGIN"),
        (["block-ip", "--user", "a@b.co", "--yes"], "block-ip acts on ips: give --ip IP"),
        (
            ["revoke-session", "--user", "a@b.co", "--yes"],
            "revoke-session acts on sessions: give --session ID",
        ),
        (
            ["quarantine", "--user", "a@b.co", "--quarantine-group", "../x", "--yes"],
            "quarantine group ../x is not an Okta id",
        ),
    ],
)
def test_bad_arguments_are_one_clear_line(
    argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OKTA_TEST_TOKEN", TOKEN)
    status = main(["contain", *argv, "--org-url", "http://127.0.0.1:9", "--token-env", "OKTA_TEST_TOKEN"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("okta-ir contain: error: ") and message in err
    assert err.count("\n") == 1


def test_missing_token_env_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OKTA_NOPE", raising=False)
    status = main(
        [
            "contain",
            "suspend",
            "--user",
            "a@b.co",
            "--org-url",
            "http://127.0.0.1:9",
            "--token-env",
            "OKTA_NOPE",
            "--yes",
        ]
    )
    assert status == 1
    assert "environment variable OKTA_NOPE is not set" in capsys.readouterr().err


def test_against_the_simulator(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from okta_ir.simulator import Simulator, SimulatorConfig

    simulator = Simulator(SimulatorConfig(scenario="guide", seed=7, events=2000, users=40))
    facts = simulator.scenario_facts()
    monkeypatch.setenv("OKTA_TEST_TOKEN", TOKEN)
    with simulator.serve() as running:
        common = ["--org-url", running.base_url, "--token-env", "OKTA_TEST_TOKEN", "--yes"]
        assert main(["contain", "suspend", "--user", facts.compromised_login, *common]) == 0
        assert main(["contain", "block-ip", "--ip", facts.attacker_ips[0], *common]) == 0
        assert main(["contain", "block-ip", "--ip", facts.attacker_ips[0], *common]) == 0
        assert running.state.user_status(facts.compromised_login) == "SUSPENDED"
        gateways = running.state.zone(facts.blocklist_zone_id)["gateways"]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"suspend {facts.compromised_login}: success (user was ACTIVE, now SUSPENDED)"
    ip = f"{facts.attacker_ips[0]}/32"
    assert lines[1] == f"block_ip {ip}: success ({ip} added to zone BlockedIpZone ({len(gateways)} entries))"
    assert lines[2].startswith(f"block_ip {facts.attacker_ips[0]}/32: no_change (")
    assert {"type": "CIDR", "value": f"{facts.attacker_ips[0]}/32"} in gateways

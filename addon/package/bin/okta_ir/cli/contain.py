"""`okta-ir contain`: run one containment action on users, IPs or sessions of an Okta org.

Prints one line per target (``action target: outcome (detail)``). Asks for confirmation on a terminal
unless ``--yes``; refuses without a terminal. Exit status: 0 all succeeded (or no change / dry run),
1 a target failed, 3 a target was refused by a safety rail (and none failed).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, Optional, TextIO

from okta_ir.cli import CommandError
from okta_ir.containment.results import FAILED, REFUSED, ActionResult
from okta_ir.containment.safety import DEFAULT_MAX_TARGETS, ContainmentPolicy, parse_networks
from okta_ir.okta.containment import ACTIONS, run_action

__all__ = ["CLI_ACTIONS", "register", "run"]

EXIT_FAILED = 1
EXIT_REFUSED = 3

CLI_ACTIONS = tuple(a.replace("_", "-") for a in ACTIONS)
_SCOPES = {
    "user": ("okta.users.read", "okta.users.manage"),
    "ip": ("okta.networkZones.read", "okta.networkZones.manage"),
    "session": ("okta.sessions.read", "okta.sessions.manage", "okta.users.read"),
}
_GROUP_SCOPES = ("okta.groups.manage",)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``contain`` subcommand."""
    parser = subparsers.add_parser(
        "contain",
        help="suspend, clear sessions, quarantine, block an IP... in an Okta org",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("action", choices=CLI_ACTIONS, metavar="ACTION", help=" | ".join(CLI_ACTIONS))
    parser.add_argument("--org-url", required=True, help="the Okta org, e.g. https://acme.okta.com")
    cred = parser.add_mutually_exclusive_group(required=True)
    cred.add_argument("--token-env", metavar="VAR", help="environment variable holding an API token (SSWS)")
    cred.add_argument("--oauth-client-id", metavar="ID", help="OAuth service app client id (private_key_jwt)")
    parser.add_argument("--private-key", metavar="FILE", help="the service app's private key (PEM or JWK)")
    parser.add_argument("--scopes", nargs="+", help="OAuth scopes (default: what ACTION needs)")
    parser.add_argument("--no-dpop", action="store_true", help="do not bind OAuth tokens with DPoP")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--user", action="append", metavar="LOGIN", help="login or Okta user id (repeatable)")
    target.add_argument("--ip", action="append", metavar="IP", help="IP address or CIDR (repeatable)")
    target.add_argument("--session", action="append", metavar="ID", help="Okta session id (repeatable)")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the writes that would be sent; send none"
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument(
        "--protected",
        action="append",
        default=[],
        metavar="LOGIN",
        help="login or user id never touched (repeatable)",
    )
    parser.add_argument(
        "--protected-group",
        action="append",
        default=[],
        metavar="GROUP_ID",
        help="group id whose members are never touched (repeatable)",
    )
    parser.add_argument(
        "--corporate-range",
        action="append",
        default=[],
        metavar="CIDR",
        help="own network never blocked (repeatable)",
    )
    parser.add_argument(
        "--max-targets",
        type=int,
        default=DEFAULT_MAX_TARGETS,
        help=f"refuse the run above this many targets (default {DEFAULT_MAX_TARGETS})",
    )
    parser.add_argument(
        "--quarantine-group", metavar="GROUP_ID", help="the quarantine group (quarantine/release)"
    )
    parser.add_argument(
        "--zone-id", metavar="ZONE_ID", help="the BLOCKLIST network zone (default: the org's only one)"
    )
    parser.add_argument("--allow-deactivate", action="store_true", help="permit the deactivate action")
    parser.add_argument("--json", action="store_true", help="print one JSON object per target instead")
    parser.add_argument("--timeout", type=float, default=30.0, help="read timeout per request, seconds")
    parser.set_defaults(func=run)


def _targets(args: argparse.Namespace) -> tuple[str, list[str]]:
    action = args.action.replace("-", "_")
    kind = ACTIONS[action]
    given = {"user": args.user, "ip": args.ip, "session": args.session}
    if not given[kind]:
        flag = {"user": "--user LOGIN", "ip": "--ip IP", "session": "--session ID"}[kind]
        raise CommandError(f"{args.action} acts on {kind}s: give {flag}")
    return action, list(given[kind])


def _policy(args: argparse.Namespace) -> ContainmentPolicy:
    return ContainmentPolicy(
        protected_users=frozenset(args.protected),
        protected_groups=frozenset(args.protected_group),
        max_targets=args.max_targets,
        corporate_ranges=parse_networks(args.corporate_range),
        quarantine_group_id=args.quarantine_group,
        blocklist_zone_id=args.zone_id,
        allow_deactivate=args.allow_deactivate,
    )


def _auth(args: argparse.Namespace, action: str) -> Any:
    """The same credentials as ``okta-ir collect``, with the scopes ACTION needs by default."""
    from okta_ir.cli.collect import _build_auth

    if not args.scopes:
        groups = list(_GROUP_SCOPES) if action in ("quarantine", "release") else []
        args.scopes = [*_SCOPES[ACTIONS[action]], *groups]
    return _build_auth(args)


def _confirm(args: argparse.Namespace, targets: list[str], stdin: TextIO, out: TextIO) -> None:
    if args.dry_run or args.yes:
        return
    if not stdin.isatty():
        raise CommandError("refusing to change the org without confirmation: not a terminal; pass --yes")
    out.write(f"{args.action} {', '.join(targets)} in {args.org_url}? Type 'yes' to go on: ")
    out.flush()
    if stdin.readline().strip().lower() != "yes":
        raise CommandError("not confirmed; nothing was done")


def _status(results: list[ActionResult]) -> int:
    outcomes = {r.outcome for r in results}
    if FAILED in outcomes:
        return EXIT_FAILED
    if REFUSED in outcomes:
        return EXIT_REFUSED
    return 0


def run(
    args: argparse.Namespace,
    *,
    stdin: Optional[TextIO] = None,
    out: Optional[TextIO] = None,
    client_factory: Optional[Callable[[str, Any, float], Any]] = None,
) -> int:
    """Run ``okta-ir contain``; returns the exit status."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    action, targets = _targets(args)
    policy = _policy(args)
    _confirm(args, targets, stdin, out)
    auth = _auth(args, action)
    factory = client_factory or _client
    with factory(args.org_url, auth, args.timeout) as client:
        results = run_action(client, action, targets, policy, dry_run=args.dry_run)
    for result in results:
        if args.json:
            out.write(json.dumps(result.to_dict(), sort_keys=True) + "\n")
            continue
        out.write(result.line() + "\n")
        for planned in result.requests:
            if not planned.sent:
                body = f" {json.dumps(planned.body, sort_keys=True)}" if planned.body is not None else ""
                out.write(f"  would send: {planned.line()}{body}\n")
    out.flush()
    return _status(results)


def _client(org_url: str, auth: Any, timeout: float) -> Any:
    from okta_ir.okta.client import ClientSettings, OktaClient

    return OktaClient(org_url, auth, settings=ClientSettings(read_timeout=timeout))

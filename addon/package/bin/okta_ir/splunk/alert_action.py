"""Splunk custom alert actions ``okta_ir_<action>``: splunkd's protocol in, containment out, audit trail.

splunkd runs ``bin/okta_ir_<action>.py --execute`` with a JSON payload on stdin (``configuration``,
``result``, ``results_file`` = gzipped CSV of every result row, ``session_key``, ``server_uri``,
``search_name``, ``sid``, ``owner``, ``app``). The action runs on the deduplicated targets of EVERY row,
writes one audit event per target, logs ``LEVEL message`` lines on stderr (splunkd.log) and exits 0 when
every target ended in success / no_change / dry_run, 2 when one was refused or failed, 3 on bad
configuration or payload. The entry scripts only call ``run_entry``.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any, Callable, Optional

__all__ = [
    "ALERT_ACTIONS",
    "EXIT_BAD_CONFIG",
    "EXIT_NOT_ALL_OK",
    "EXIT_OK",
    "FLOOR_STANZA",
    "AlertPayload",
    "execute",
    "parse_payload",
    "read_targets",
    "response_params",
    "run_entry",
]

EXIT_OK = 0
EXIT_NOT_ALL_OK = 2
EXIT_BAD_CONFIG = 3

# alert action name -> containment action
ALERT_ACTIONS: dict[str, str] = {
    "okta_ir_suspend_user": "suspend",
    "okta_ir_unsuspend_user": "unsuspend",
    "okta_ir_clear_sessions": "clear_sessions",
    "okta_ir_quarantine_user": "quarantine",
    "okta_ir_release_user": "release",
    "okta_ir_block_ip": "block_ip",
    "okta_ir_unblock_ip": "unblock_ip",
    "okta_ir_reset_factors": "reset_factors",
    "okta_ir_expire_password": "expire_password",
    "okta_ir_deactivate_user": "deactivate",
}
DEFAULT_FIELDS = {
    "user": ("user_field", "user"),
    "ip": ("ip_field", "src_ip"),
    "session": ("session_field", "session_id"),
}
_FIELD_NAME = re.compile(r"[A-Za-z0-9_.{}:@-]{1,100}")
_MAX_ROWS = 10_000


def response_params(alert_name: str) -> dict[str, str]:
    """The ``action.<alert_name>.param.*`` a saved search sets for a Sigma ``okta_ir.response`` entry.

    The result field is the CIM one (``user`` / ``src_ip``); ``account`` stays empty (the admin picks it
    when enabling the action: until then the action refuses with a clear line); dry run is on, so an
    action enabled without review only audits what it would do.
    """
    if alert_name not in ALERT_ACTIONS:
        raise KeyError(f"unknown alert action {alert_name!r}; one of: {', '.join(ALERT_ACTIONS)}")
    from okta_ir.okta.containment import target_kind

    field_param, default = DEFAULT_FIELDS[target_kind(ALERT_ACTIONS[alert_name])]
    return {"account": "", field_param: default, "max_targets": "5", "dry_run": "1"}


class _BadInput(Exception):
    """The payload or configuration cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class AlertPayload:
    """The parts of splunkd's payload the actions use."""

    configuration: dict[str, str]
    result: dict[str, Any]
    results_file: Optional[str]
    session_key: str
    server_uri: str
    search_name: str
    sid: str
    owner: str
    app: str

    def __repr__(self) -> str:  # the session key must never be printed
        return f"AlertPayload(search_name={self.search_name!r}, sid={self.sid!r}, owner={self.owner!r})"


def parse_payload(text: str) -> AlertPayload:
    """The payload from splunkd's stdin JSON; _BadInput when it is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        raise _BadInput("the payload on stdin is not JSON (is payload_format = json set?)") from None
    if not isinstance(data, dict):
        raise _BadInput("the payload on stdin is not a JSON object")
    config = data.get("configuration") or {}
    result = data.get("result") or {}
    if not isinstance(config, dict) or not isinstance(result, dict):
        raise _BadInput("the payload's configuration and result must be objects")
    return AlertPayload(
        configuration={str(k): "" if v is None else str(v) for k, v in config.items()},
        result=result,
        results_file=data.get("results_file") or None,
        session_key=str(data.get("session_key") or ""),
        server_uri=str(data.get("server_uri") or ""),
        search_name=str(data.get("search_name") or ""),
        sid=str(data.get("sid") or ""),
        owner=str(data.get("owner") or ""),
        app=str(data.get("app") or ""),
    )


def _split_mv(encoded: str) -> list[str]:
    """Splunk's ``__mv_<field>`` encoding: ``$a$;$b$`` with ``$$`` for a literal ``$``."""
    return [m.replace("$$", "$") for m in re.findall(r"\$((?:[^$]|\$\$)*)\$", encoded)]


def _row_values(row: Mapping[str, Any], field: str) -> list[str]:
    multi = row.get(f"__mv_{field}")
    if isinstance(multi, str) and multi:
        return _split_mv(multi)
    value = row.get(field)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def read_targets(payload: AlertPayload, field: str) -> tuple[list[str], int]:
    """The values of ``field`` in every result row (results_file, else ``result``) and the row count."""
    rows: list[Mapping[str, Any]] = []
    if payload.results_file:
        try:
            with gzip.open(payload.results_file, "rt", encoding="utf-8", newline="") as handle:
                for index, csv_row in enumerate(csv.DictReader(handle)):
                    if index >= _MAX_ROWS:
                        raise _BadInput(f"the results file has more than {_MAX_ROWS} rows; narrow the search")
                    rows.append(csv_row)
        except (OSError, EOFError, csv.Error, UnicodeDecodeError) as exc:
            raise _BadInput(f"cannot read the results file {payload.results_file}: {exc}") from None
    elif payload.result:
        rows.append(payload.result)
    values: list[str] = []
    for row in rows:
        values.extend(_row_values(row, field))
    return values, len(rows)


def _log(stream: IO[str], level: str, message: str) -> None:
    stream.write(f"{level} {message}\n")
    stream.flush()


def _default_client_factory(payload: AlertPayload, account_name: str) -> tuple[Any, str]:
    """The real OktaClient for the configured account (secrets from storage/passwords)."""
    from okta_ir.okta.client import ClientSettings, OktaClient
    from okta_ir.splunk.credentials import build_auth, load_account, load_proxy_url
    from okta_ir.splunk.rest import SplunkdClient

    account = load_account(payload.server_uri, payload.session_key, account_name)
    splunkd = SplunkdClient(payload.server_uri, payload.session_key)
    # Bounded so a run ends well within splunkd's alert action maxtime (5 minutes by default).
    settings = ClientSettings(read_timeout=30.0, max_retry_seconds=90.0, proxy=load_proxy_url(splunkd))
    return OktaClient(account.org_url, build_auth(account), settings=settings), account.org_url


ClientFactory = Callable[[AlertPayload, str], tuple[Any, str]]
OrgSettings = Callable[[AlertPayload], Mapping[str, str]]

#: Org-wide safety floor: ``[containment]`` in ta_okta_ir_settings.conf (protected_users, protected_groups,
#: corporate_ranges, max_targets, allow_deactivate). An alert's own parameters can add to it, never weaken it.
FLOOR_STANZA = "containment"


def _default_org_settings(payload: AlertPayload) -> Mapping[str, str]:
    """The ``[containment]`` stanza of the add-on's settings, or nothing when it does not exist."""
    from okta_ir.splunk.credentials import SETTINGS_CONF, read_conf_stanza
    from okta_ir.splunk.rest import SplunkdClient

    splunkd = SplunkdClient(payload.server_uri, payload.session_key)
    stanza = read_conf_stanza(splunkd, SETTINGS_CONF, FLOOR_STANZA)
    return {k: str(v) for k, v in (stanza or {}).items() if k in _FLOOR_KEYS}


_FLOOR_KEYS = ("protected_users", "protected_groups", "corporate_ranges", "max_targets", "allow_deactivate")


def _truthy(value: Optional[str]) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on", "t", "y")


def execute(
    alert_name: str,
    payload_text: str,
    *,
    stderr: IO[str],
    audit_path: Optional[str] = None,
    client_factory: Optional[ClientFactory] = None,
    org_settings: Optional[OrgSettings] = None,
) -> int:
    """Run alert action ``alert_name`` on a splunkd payload; returns the exit status."""
    from okta_ir.containment.results import FAILED, REFUSED, ActionResult
    from okta_ir.containment.safety import ContainmentPolicy
    from okta_ir.errors import OktaIRError
    from okta_ir.okta.containment import run_action, target_kind
    from okta_ir.splunk.audit import AuditContext, AuditLog, audit_event, default_audit_path

    action = ALERT_ACTIONS.get(alert_name)
    if action is None:
        _log(stderr, "ERROR", f"unknown alert action {alert_name!r}")
        return EXIT_BAD_CONFIG
    try:
        audit = AuditLog(audit_path or default_audit_path())
        audit.ensure_writable()
    except OktaIRError as exc:
        _log(stderr, "ERROR", f"{alert_name}: {exc}")
        return EXIT_BAD_CONFIG
    try:
        payload = parse_payload(payload_text)
    except _BadInput as exc:
        _log(stderr, "ERROR", f"{alert_name}: {exc}")
        return EXIT_BAD_CONFIG
    config = payload.configuration
    dry_run = _truthy(config.get("dry_run"))
    context = AuditContext(
        search_name=payload.search_name, sid=payload.sid, owner=payload.owner, app=payload.app,
        action_name=alert_name,
    )

    def refuse_run(outcome: str, message: str) -> int:
        _log(stderr, "ERROR", f"{alert_name}: {message}")
        audit.write(audit_event(ActionResult(action, "", outcome, message, dry_run=dry_run), context))
        return EXIT_BAD_CONFIG

    kind = target_kind(action)
    param, default = DEFAULT_FIELDS[kind]
    field = (config.get(param) or default).strip()
    if not _FIELD_NAME.fullmatch(field):
        return refuse_run(REFUSED, f"{param} {field[:100]!r} is not a field name")
    try:
        policy = ContainmentPolicy.from_settings(config)
        targets, rows = read_targets(payload, field)
    except (OktaIRError, _BadInput) as exc:
        return refuse_run(REFUSED, str(exc))
    try:
        policy = policy.tightened_by((org_settings or _default_org_settings)(payload))
    except OktaIRError as exc:
        return refuse_run(REFUSED, f"org-wide containment settings ([{FLOOR_STANZA}]): {exc}")
    if not any(targets):
        return refuse_run(REFUSED, f"none of the {rows} result rows has a value in {field!r}; nothing done")
    account = config.get("account", "").strip()
    if not account:
        return refuse_run(REFUSED, "no Okta account is selected: set the action's 'Okta account' parameter")
    try:
        client, org = (client_factory or _default_client_factory)(payload, account)
    except OktaIRError as exc:
        return refuse_run(FAILED, f"cannot use Okta account {account!r}: {exc}")
    context = replace(context, org=org)
    _log(stderr, "INFO", f"{alert_name}: {rows} rows, field {field!r}, dry_run={dry_run}, org={org}")
    try:
        results = run_action(client, action, targets, policy, dry_run=dry_run, org_url=org)
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()
    status = EXIT_OK
    for result in results:
        audit.write(audit_event(result, context))
        _log(stderr, "INFO" if result.ok else "ERROR", f"{alert_name}: {result.line()}")
        if not result.ok:
            status = EXIT_NOT_ALL_OK
    return status


def _add_lib_path(entry_file: str) -> None:
    """Put the app's ``lib/`` (third-party libraries, e.g. httpx) on sys.path, as splunkd does not."""
    lib = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(entry_file))), "lib")
    if os.path.isdir(lib) and lib not in sys.path:
        sys.path.insert(0, lib)


def run_entry(alert_name: str, entry_file: str, argv: Optional[Sequence[str]] = None) -> int:
    """What ``bin/<alert_name>.py`` does: check ``--execute``, read stdin, run, return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "--execute":
        _log(sys.stderr, "FATAL", "Unsupported execution mode (expected --execute flag)")
        return 1
    _add_lib_path(entry_file)
    return execute(alert_name, sys.stdin.read(), stderr=sys.stderr)

"""The ``okta_system_log`` modular input: splunkd's script protocol over the System Log poller.

splunkd runs ``bin/okta_system_log.py`` three ways (splunklib's protocol, without importing splunklib):
``--scheme`` prints the scheme; ``--validate-arguments`` reads ``<items>`` XML and answers
``<error><message>..</message></error>`` + exit 1 on bad input; a run reads ``<input>`` XML and writes
``<stream><event>..</event></stream>`` to stdout. Logs go to stderr (splunkd.log), never a secret.

One run per input stanza and interval: load the account (storage/passwords), poll until caught up,
write each batch, then move the KV-store checkpoint. A run also deletes the checkpoints of inputs
that no longer exist, so a deleted and re-created input starts from its start time again.
Heavy imports (httpx, the Okta client) happen only on the run path.
"""

from __future__ import annotations

import logging
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Optional

from okta_ir.errors import CheckpointError, ConfigError, OktaIRError

__all__ = [
    "INPUT_KIND",
    "SCHEME_XML",
    "InputDefinition",
    "main",
    "parse_input_definition",
    "parse_validation_definition",
    "prune_checkpoints",
    "run_input",
    "validate_parameters",
]

INPUT_KIND = "okta_system_log"
MAX_START_AGE_SECONDS = 180 * 86400
PRUNE_GRACE_SECONDS = 3600
_RUN_START_MARGIN_SECONDS = 3600  # a start time near the limit is clamped so Okta still accepts it
log = logging.getLogger("okta_ir.modinput")

SCHEME_XML = """<scheme>
    <title>Okta System Log</title>
    <description>Polls the Okta System Log of one org into Splunk (sourcetype OktaIM2:log).</description>
    <use_external_validation>true</use_external_validation>
    <use_single_instance>false</use_single_instance>
    <streaming_mode>xml</streaming_mode>
    <endpoint>
        <args>
            <arg name="name">
                <title>Name</title>
                <required_on_create>true</required_on_create>
            </arg>
            <arg name="account">
                <title>Okta org (account)</title>
                <required_on_create>true</required_on_create>
            </arg>
            <arg name="start_time">
                <title>Start time (ISO-8601 UTC; empty = 24 hours back; at most 180 days back)</title>
                <required_on_create>false</required_on_create>
            </arg>
            <arg name="okta_filter">
                <title>Okta System Log filter expression</title>
                <required_on_create>false</required_on_create>
            </arg>
            <arg name="rate_limit_share">
                <title>Share of the org's /api/v1/logs rate limit, in percent (default 50)</title>
                <required_on_create>false</required_on_create>
            </arg>
        </args>
    </endpoint>
</scheme>
"""


@dataclass
class InputDefinition:
    """What splunkd hands a run (or a validation): its metadata and the stanzas with their parameters."""

    server_uri: str = ""
    session_key: str = field(default="", repr=False)
    server_host: str = ""
    checkpoint_dir: str = ""
    stanzas: dict[str, dict[str, str]] = field(default_factory=dict)


def _params(element: ET.Element) -> dict[str, str]:
    params: dict[str, str] = {}
    for child in element:
        name = child.get("name")
        if not name:
            continue
        if child.tag == "param":
            params[name] = child.text or ""
        elif child.tag == "param_list":
            params[name] = ",".join(v.text or "" for v in child.findall("value"))
    return params


def _parse(text: str, root_tag: str) -> tuple[ET.Element, InputDefinition]:
    """The XML root (checked to be ``<root_tag>``) and a definition holding its metadata."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ConfigError(f"splunkd sent XML that cannot be parsed ({exc})") from None
    if root.tag != root_tag:
        raise ConfigError(f"expected <{root_tag}> XML from splunkd, got <{root.tag}>")
    definition = InputDefinition(
        server_uri=(root.findtext("server_uri") or "").strip(),
        session_key=(root.findtext("session_key") or "").strip(),
        server_host=(root.findtext("server_host") or "").strip(),
        checkpoint_dir=(root.findtext("checkpoint_dir") or "").strip(),
    )
    return root, definition


def parse_input_definition(text: str) -> InputDefinition:
    """Parse the ``<input>`` XML of a run."""
    root, definition = _parse(text, "input")
    configuration = root.find("configuration")
    for stanza in configuration.findall("stanza") if configuration is not None else []:
        definition.stanzas[stanza.get("name", "")] = _params(stanza)
    return definition


def parse_validation_definition(text: str) -> InputDefinition:
    """Parse the ``<items>`` XML of ``--validate-arguments`` (one ``<item>``)."""
    root, definition = _parse(text, "items")
    item = root.find("item")
    if item is None:
        raise ConfigError("splunkd sent no <item> to validate")
    definition.stanzas[f"{INPUT_KIND}://{item.get('name', '')}"] = _params(item)
    return definition


def input_name(stanza: str) -> str:
    """``okta_system_log://corp`` -> ``corp`` (the checkpoint key)."""
    return stanza.split("://", 1)[1] if "://" in stanza else stanza


def _start_epoch(params: dict[str, str], now: float) -> Optional[float]:
    from okta_ir.events import parse_timestamp

    text = (params.get("start_time") or "").strip()
    if not text:
        return None
    epoch = parse_timestamp(text)
    if epoch is None:
        raise ConfigError(f"start time {text!r} is not an ISO-8601 UTC time such as 2026-01-31T00:00:00Z")
    if epoch > now:
        raise ConfigError(f"start time {text!r} is in the future")
    return epoch


def _share(params: dict[str, str]) -> float:
    text = (params.get("rate_limit_share") or "50").strip()
    try:
        percent = int(text)
    except ValueError:
        raise ConfigError(f"rate limit share {text!r} is not a whole percentage from 1 to 100") from None
    if not 1 <= percent <= 100:
        raise ConfigError(f"rate limit share {percent}% is outside 1 to 100")
    return percent / 100.0


def validate_parameters(params: dict[str, str], now: float) -> None:
    """Check an input's own parameters (interval, start time, share, filter); ConfigError says what."""
    interval = (params.get("interval") or "").strip()
    if interval:
        try:
            seconds = int(interval)
        except ValueError:
            raise ConfigError(f"interval {interval!r} is not a number of seconds (10 to 3600)") from None
        if not 10 <= seconds <= 3600:
            raise ConfigError(f"interval {seconds} s is outside 10 to 3600 seconds")
    start = _start_epoch(params, now)
    if start is not None and start < now - MAX_START_AGE_SECONDS:
        raise ConfigError(
            f"start time {params['start_time'].strip()!r} is more than 180 days back: Okta keeps at most "
            "90 days and refuses a since over 180 days (E0000053); pick a later start time"
        )
    _share(params)
    okta_filter = params.get("okta_filter") or ""
    if "\n" in okta_filter or "\r" in okta_filter:
        raise ConfigError("the Okta filter must be a single line")
    if not (params.get("account") or "").strip():
        raise ConfigError("no Okta account is selected: pick one in the input's settings")


def _validate(definition: InputDefinition, now: float) -> None:
    from okta_ir.okta.orgurl import normalize_org_url
    from okta_ir.splunk.credentials import account_from_splunkd
    from okta_ir.splunk.rest import SplunkdClient

    for params in definition.stanzas.values():
        validate_parameters(params, now)
        splunkd = SplunkdClient(definition.server_uri, definition.session_key)
        account = account_from_splunkd(splunkd, params["account"].strip())
        normalize_org_url(account.org_url)


def prune_checkpoints(splunkd: Any, store: Any, *, now: Optional[float] = None) -> list[str]:
    """Delete the checkpoints of inputs that no longer exist; returns the deleted keys.

    Inputs are listed across all apps (``/servicesNS/-/-/configs/conf-inputs``); when the list
    cannot be read nothing is deleted. A checkpoint saved within the last hour is kept even without
    its input, so an input created while another input's run lists them never loses its state.
    """
    now = time.time() if now is None else now
    body = splunkd.call(
        "GET",
        "/servicesNS/-/-/configs/conf-inputs",
        params={"count": "-1", "search": INPUT_KIND},
        what="list the inputs",
    )
    prefix = f"{INPUT_KIND}://"
    live = {
        input_name(str(entry.get("name", "")))
        for entry in (body or {}).get("entry", [])
        if str(entry.get("name", "")).startswith(prefix)
    }
    deleted = []
    for key, updated in store.list_updated().items():
        if key not in live and updated < now - PRUNE_GRACE_SECONDS:
            store.delete(key)
            deleted.append(key)
    return deleted


def run_input(
    stanza: str,
    params: dict[str, str],
    definition: InputDefinition,
    out: IO[bytes],
    *,
    now: Optional[float] = None,
    stop: Any = None,
) -> dict[str, Any]:
    """Collect one input until caught up; returns the run's figures (events, pages, duplicates...)."""
    from okta_ir.events import format_okta_time, org_label
    from okta_ir.okta.client import ClientSettings, OktaClient
    from okta_ir.okta.system_log import SystemLogPoller, interruptible_sleep
    from okta_ir.splunk.credentials import account_from_splunkd, build_auth, load_proxy_url
    from okta_ir.splunk.kvstore import KVStoreCheckpointStore
    from okta_ir.splunk.rest import SplunkdClient
    from okta_ir.splunk.xmlstream import XmlEventStream

    now = time.time() if now is None else now
    validate_parameters(params, now)
    splunkd = SplunkdClient(definition.server_uri, definition.session_key)
    account = account_from_splunkd(splunkd, params["account"].strip())
    settings = ClientSettings(rate_limit_share=_share(params), proxy=load_proxy_url(splunkd))
    start = _start_epoch(params, now)
    if start is not None:
        start = max(start, now - MAX_START_AGE_SECONDS + _RUN_START_MARGIN_SECONDS)
    store = KVStoreCheckpointStore(splunkd)
    # splunkd stops an input with SIGTERM: a rate-limit pause or retry backoff must end at once
    sleep = interruptible_sleep(stop) if stop is not None else time.sleep
    with OktaClient(account.org_url, build_auth(account), settings=settings, sleep=sleep) as okta:
        sink = XmlEventStream(
            out,
            index=(params.get("index") or "").strip() or None,
            source=f"okta:{org_label(okta.org_url)}",
            stanza=stanza,
        )
        poller = SystemLogPoller(
            okta,
            store,
            input_name(stanza),
            since=format_okta_time(start) if start is not None else None,
            filter=(params.get("okta_filter") or "").strip() or None,
            limit=1000,
            stop=stop,
        )
        stats = poller.run(sink)
    return {
        "input": input_name(stanza),
        "org": org_label(account.org_url),
        "events": stats.events,
        "pages": stats.pages,
        "duplicates": stats.duplicates,
        "recovered": stats.recovered,
        "seconds": round(stats.elapsed, 3),
    }


def _run(definition: InputDefinition, out: IO[bytes]) -> int:
    import threading

    from okta_ir.okta.system_log import stop_on_signals
    from okta_ir.splunk.credentials import load_log_level
    from okta_ir.splunk.kvstore import CHECKPOINT_COLLECTION, KVStoreCheckpointStore
    from okta_ir.splunk.rest import SplunkdClient
    from okta_ir.splunk.xmlstream import close_stream, open_stream

    splunkd = SplunkdClient(definition.server_uri, definition.session_key)
    try:
        logging.getLogger().setLevel(load_log_level(splunkd))
        deleted = prune_checkpoints(splunkd, KVStoreCheckpointStore(splunkd))
        if deleted:
            log.info("deleted the checkpoints of removed inputs: %s", ", ".join(sorted(deleted)))
    except OktaIRError as exc:
        log.warning("could not tidy up checkpoints of removed inputs: %s", exc)
    failed = 0
    stop = threading.Event()
    open_stream(out)
    with stop_on_signals(stop):
        for stanza, params in definition.stanzas.items():
            try:
                figures = run_input(stanza, params, definition, out, stop=stop)
            except CheckpointError as exc:
                failed += 1
                log.error(
                    "input %s failed: %s (its checkpoint is the document %r of the KV-store collection %s)",
                    stanza, exc, input_name(stanza), CHECKPOINT_COLLECTION,
                )
                continue
            except OktaIRError as exc:
                failed += 1
                log.error("input %s failed: %s", stanza, exc)
                continue
            log.info(
                "input %s collected %d events from %s in %.1f s (%d pages, %d duplicates dropped)",
                stanza, figures["events"], figures["org"], figures["seconds"], figures["pages"],
                figures["duplicates"],
            )
    close_stream(out)
    return 1 if failed else 0


def _error_xml(message: str) -> str:
    from okta_ir.splunk.xmlstream import xml_escape

    return f"<error><message>{xml_escape(message)}</message></error>"


def main(argv: Sequence[str], stdin: IO[str], stdout: IO[bytes], stderr: IO[str]) -> int:
    """The entry script's body: dispatch on ``--scheme`` / ``--validate-arguments`` / a run."""
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for noisy in ("httpx", "httpcore"):  # one line per request would flood splunkd.log
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if argv and argv[0] == "--scheme":
        stdout.write(SCHEME_XML.encode("utf-8"))
        stdout.flush()
        return 0
    if argv and argv[0] == "--validate-arguments":
        try:
            _validate(parse_validation_definition(stdin.read()), time.time())
        except OktaIRError as exc:
            stdout.write(_error_xml(str(exc)).encode("utf-8"))
            stdout.flush()
            return 1
        return 0
    if argv:
        stderr.write(f"ERROR unknown argument {argv[0]!r}: use --scheme or --validate-arguments\n")
        return 2
    try:
        definition = parse_input_definition(stdin.read())
    except OktaIRError as exc:
        log.error("%s", exc)
        return 1
    return _run(definition, stdout)


def console_main() -> int:
    """``main`` on this process's standard streams."""
    return main(sys.argv[1:], sys.stdin, sys.stdout.buffer, sys.stderr)

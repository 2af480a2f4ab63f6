"""`okta-ir collect`: poll an org's System Log into a JSONL file, exactly once, resumable.

The checkpoint (``--state``) and the output file go together: rerunning with both continues where
the last run stopped (even after kill -9) without losing or repeating an event.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import threading
import time
from typing import Any, Optional, TextIO

import httpx

from okta_ir.checkpoint import FileCheckpointStore
from okta_ir.cli import CommandError
from okta_ir.errors import ConfigError
from okta_ir.events import format_okta_time, org_label, parse_time_arg, parse_timestamp

__all__ = ["register", "resolve_state"]

DEFAULT_SCOPES = ("okta.logs.read",)
_SAFE_NAME = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``collect`` subcommand."""
    parser = subparsers.add_parser(
        "collect",
        help="poll the Okta System Log into a JSONL file (resumable, exactly once)",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--org-url", required=True, metavar="URL", help="the Okta org, e.g. https://acme.okta.com"
    )
    cred = parser.add_mutually_exclusive_group(required=True)
    cred.add_argument("--token-env", metavar="VAR", help="environment variable holding an API token (SSWS)")
    cred.add_argument("--oauth-client-id", metavar="ID", help="OAuth service app client id (private_key_jwt)")
    parser.add_argument("--private-key", metavar="FILE", help="the service app's private key (PEM or JWK)")
    parser.add_argument(
        "--scopes",
        nargs="+",
        default=list(DEFAULT_SCOPES),
        metavar="SCOPE",
        help="OAuth scopes (default: okta.logs.read)",
    )
    parser.add_argument("--no-dpop", action="store_true", help="do not bind OAuth tokens with DPoP")
    parser.add_argument(
        "--since", metavar="T", help="start: ISO-8601 or relative (15m, 24h, 7d); default 24h back"
    )
    parser.add_argument(
        "--until", metavar="T", help="end of a bounded export (ISO-8601 or relative); default: poll"
    )
    parser.add_argument("--filter", dest="filter_expr", metavar="EXPR", help="Okta filter expression")
    parser.add_argument("--q", metavar="WORDS", help="Okta keyword search")
    parser.add_argument("--out", required=True, metavar="FILE.jsonl", help="JSONL file to append to")
    parser.add_argument(
        "--state", required=True, metavar="STATE", help="checkpoint directory, or a .json file path"
    )
    stop_group = parser.add_mutually_exclusive_group()
    stop_group.add_argument("--max-events", type=int, metavar="N", help="stop after exactly N new events")
    stop_group.add_argument("--follow", action="store_true", help="keep polling after catching up")
    parser.add_argument(
        "--rate-limit-share",
        type=float,
        default=0.5,
        metavar="SHARE",
        help="share of each rate-limit bucket to use (0-1]",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, metavar="S", help="read timeout per request, seconds"
    )
    parser.add_argument("--limit", type=int, default=1000, metavar="N", help="events per page (1-1000)")
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds between polls once caught up (--follow)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log retries and pacing to stderr")
    parser.set_defaults(func=run)


def resolve_state(state: str, org: str) -> tuple[FileCheckpointStore, str]:
    """The checkpoint store and key for ``--state``: a directory (key from the org) or a ``.json`` file."""
    if state.endswith(".json") and not os.path.isdir(state):
        directory, name = os.path.split(os.path.abspath(state))
        key = name[: -len(".json")]
        if not key or not set(key) <= _SAFE_NAME:
            raise ConfigError(f"--state file name {name!r} may only use letters, digits, '_', '.', '-'")
        return FileCheckpointStore(directory), key
    if os.path.exists(state) and not os.path.isdir(state):
        raise ConfigError(
            f"--state {state!r} is a file, not a .json checkpoint: give a directory or a .json path"
        )
    return FileCheckpointStore(state), "collect-" + org.replace(":", "_")


def _build_auth(args: argparse.Namespace) -> Any:
    from okta_ir.okta.auth import ApiTokenAuth, PrivateKeyJwtAuth

    if args.token_env:
        token = os.environ.get(args.token_env, "")
        if not token.strip():
            raise ConfigError(
                f"environment variable {args.token_env} is not set: put the Okta API token in it"
            )
        return ApiTokenAuth(token)
    if not args.private_key:
        raise ConfigError("--oauth-client-id needs --private-key FILE (the service app's private key)")
    return PrivateKeyJwtAuth(args.oauth_client_id, args.private_key, args.scopes, dpop=not args.no_dpop)


class _CountingTransport(httpx.BaseTransport):
    """Counts System Log requests and the failed ones (429, 5xx, broken connections) the client retried."""

    def __init__(self, inner: httpx.BaseTransport, path: str) -> None:
        self.inner = inner
        self.path = path
        self.requests = 0
        self.failures = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != self.path:
            return self.inner.handle_request(request)
        self.requests += 1
        try:
            response = self.inner.handle_request(request)
        except httpx.TransportError:
            self.failures += 1
            raise
        if response.status_code >= 400:
            self.failures += 1
        return response

    def retries(self, stats: Any) -> int:
        """Requests made again: after a failure, or because the body was cut short."""
        return self.failures + stats.refetches

    def close(self) -> None:
        self.inner.close()


class _Progress:
    """A \\r status line on a terminal (events, events/s, pages, retries), at most 4 times a second."""

    def __init__(self, stream: TextIO, transport: _CountingTransport) -> None:
        self.stream = stream
        self.transport = transport
        self.enabled = stream.isatty()
        self._last = 0.0

    def __call__(self, stats: Any) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.25:
            return
        self._last = now
        retries = self.transport.retries(stats)
        self.stream.write(
            f"\r{stats.events:,} events  {stats.events_per_second:,.0f} ev/s  "
            f"{stats.pages:,} pages  {retries:,} retries "
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\n")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    """Run the collection described by ``args``; returns the exit status."""
    if args.max_events is not None and args.max_events < 1:
        raise CommandError("--max-events must be at least 1")
    if args.timeout <= 0:
        raise CommandError("--timeout must be a positive number of seconds")
    if args.poll_interval < 0:
        raise CommandError("--poll-interval cannot be negative")
    if args.follow and args.until:
        raise CommandError("--follow polls for new events; it cannot be combined with --until")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("okta-ir collect: %(levelname)s: %(message)s"))
    package_log = logging.getLogger("okta_ir")
    level = package_log.level
    package_log.addHandler(handler)
    package_log.setLevel(logging.INFO if args.verbose else logging.WARNING)
    # A page of 1000 events allocates ~60k containers: with the default thresholds the cycle collector
    # runs ~90 times per page (a quarter of the CPU). Fewer, larger collections keep RSS bounded.
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    try:
        return _collect(args)
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
        package_log.removeHandler(handler)
        package_log.setLevel(level)


def _collect(args: argparse.Namespace) -> int:
    from okta_ir.okta.client import ClientSettings, OktaClient
    from okta_ir.okta.orgurl import normalize_org_url
    from okta_ir.okta.system_log import LOGS_PATH, SystemLogPoller, interruptible_sleep, stop_on_signals
    from okta_ir.sinks import JsonlSink

    org_url = normalize_org_url(args.org_url)
    now = time.time()
    since = format_okta_time(parse_time_arg(args.since, now)) if args.since else None
    until = format_okta_time(parse_time_arg(args.until, now)) if args.until else None
    auth = _build_auth(args)
    settings = ClientSettings(
        connect_timeout=min(args.timeout, 10.0),
        read_timeout=args.timeout,
        rate_limit_share=args.rate_limit_share,
    )
    store, key = resolve_state(args.state, org_label(org_url))
    transport = _CountingTransport(httpx.HTTPTransport(retries=0), LOGS_PATH)
    stop = threading.Event()
    client = OktaClient(
        org_url, auth, settings=settings, transport=transport, sleep=interruptible_sleep(stop)
    )
    with client:
        poller = SystemLogPoller(
            client,
            store,
            key,
            since=since,
            until=until,
            filter=args.filter_expr,
            q=args.q,
            limit=args.limit,
            empty_poll_seconds=args.poll_interval,
            stop=stop,
            strict_window=not (_is_relative(args.since) or _is_relative(args.until)),
        )
        with JsonlSink(args.out) as sink, stop_on_signals(stop):
            progress = _Progress(sys.stderr, transport)
            try:
                stats = poller.run(sink, max_events=args.max_events, follow=args.follow, progress=progress)
            finally:
                progress.finish()
    print(_summary(stats, transport.requests, transport.retries(stats), args.out))
    return 0


def _is_relative(text: Optional[str]) -> bool:
    return bool(text) and parse_timestamp(text) is None


def _summary(stats: Any, requests: int, retries: int, out: str) -> str:
    ending = {
        "caught_up": "caught up",
        "done": "export complete",
        "stopped": "stopped by signal",
        "max_events": "--max-events reached",
        "no_next": "Okta sent no next link",
    }.get(stats.reason, stats.reason)
    extra = f", {stats.recovered} recovered from an interrupted run" if stats.recovered else ""
    return (
        f"collected {stats.events} events in {stats.pages} pages ({requests} requests, "
        f"{retries} retries, {stats.duplicates} duplicates dropped{extra}) "
        f"in {stats.elapsed:.1f} s ({stats.events_per_second:,.0f} events/s) -> {out}; {ending}"
    )

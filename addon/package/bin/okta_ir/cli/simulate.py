"""`okta-ir simulate`: serve a simulated Okta org on 127.0.0.1 until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Optional, TextIO

from okta_ir.errors import ConfigError

__all__ = ["register"]


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must not be negative")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a TCP port (0-65535)")
    return value


def _kinds(text: str) -> list[str]:
    from okta_ir.simulator import FAULT_KINDS

    kinds = [k.strip() for k in text.split(",") if k.strip()]
    bad = [k for k in kinds if k not in FAULT_KINDS]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(
            f"unknown fault kind(s) {','.join(bad) or '(none)'}; use {','.join(FAULT_KINDS)}"
        )
    return kinds


def _client(text: str) -> dict[str, Any]:
    client_id, sep, path = text.partition("=")
    if not sep or not client_id or not path:
        raise argparse.ArgumentTypeError(f"{text!r}: use CLIENT_ID=PATH_TO_PUBLIC_JWK.json")
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"{path} is not JSON (expected a public JWK)") from None
    if isinstance(spec, dict) and isinstance(spec.get("keys"), list) and spec["keys"]:
        spec = spec["keys"][0]
    return {"id": client_id, "spec": spec}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `simulate` subcommand."""
    p = subparsers.add_parser(
        "simulate", help="serve a simulated Okta org (System Log, containment, OAuth) locally"
    )
    p.add_argument("--port", type=_port, default=0, help="TCP port on 127.0.0.1 (0 = any free port)")
    p.add_argument("--scenario", choices=("guide", "background"), default="guide")
    p.add_argument("--seed", type=_positive, default=7)
    p.add_argument(
        "--events", type=_positive, default=10_000, help="events the org holds before any live activity"
    )
    p.add_argument("--start", help="publication time of the first event (ISO 8601; default 6 h ago)")
    p.add_argument("--end", help="publication time of the last generated event (ISO 8601; default now)")
    p.add_argument("--faults", type=_rate, default=0.0, help="share of /api/v1/logs requests that fail (0-1)")
    p.add_argument(
        "--fault-kinds", type=_kinds, default=None, help="comma list of 5xx,429,timeout,reset,truncated"
    )
    p.add_argument(
        "--fault-timeout", type=float, default=2.0, help="seconds a 'timeout' fault holds the connection"
    )
    p.add_argument("--rate-limit", type=_positive, default=None, help="/api/v1/logs requests per minute")
    p.add_argument("--api-token", action="append", default=None, help="accepted SSWS token (repeatable)")
    p.add_argument(
        "--oauth-client",
        type=_client,
        action="append",
        default=None,
        help="CLIENT_ID=JWKFILE: a service app and its public key (repeatable)",
    )
    p.add_argument("--dpop-required", action="store_true", help="token requests must carry a DPoP proof")
    p.add_argument("--late-fraction", type=_rate, default=0.01)
    p.add_argument("--dump", type=Path, help="write the ground truth (JSONL) here; live events are appended")
    p.set_defaults(func=_run)


def _config(args: argparse.Namespace) -> Any:
    from okta_ir.simulator import FAULT_KINDS, FaultConfig, SimulatorConfig

    faults = FaultConfig(
        rate=args.faults, kinds=tuple(args.fault_kinds or FAULT_KINDS), timeout_seconds=args.fault_timeout
    )
    clients = {c["id"]: c["spec"] for c in args.oauth_client or []}
    return SimulatorConfig(
        scenario=args.scenario,
        seed=args.seed,
        events=args.events,
        start=args.start,
        end=args.end,
        faults=faults,
        rate_limit_per_minute=args.rate_limit or None,
        api_tokens=frozenset(args.api_token) if args.api_token else None,
        oauth_clients=clients,
        dpop_required=args.dpop_required,
        late_fraction=args.late_fraction,
        port=args.port,
    )


class _Dump:
    """The ground-truth JSONL file, appended as live events arrive."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._fh: Optional[TextIO] = None
        self.path = path

    def open(self, raw_events: Any) -> None:
        try:
            self._fh = self.path.open("w", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write --dump {self.path}: {exc.strerror}") from None
        with self._lock:
            for text in raw_events:
                self._fh.write(text + "\n")
            self._fh.flush()

    def append(self, _index: int, text: str) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.write(text + "\n")
                self._fh.flush()

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None


def _run(args: argparse.Namespace) -> int:
    from okta_ir.simulator import Simulator

    try:
        sim = Simulator(_config(args))
    except ConfigError as exc:
        print(f"okta-ir simulate: error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    dump = _Dump(args.dump) if args.dump else None
    try:
        if dump is not None:
            sim.org.store.add_listener(dump.append)
            dump.open(sim.org.store.iter_raw(0, sim.org.store.count))
        with sim.serve() as running:
            print(f"listening on {running.base_url}", flush=True)
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if dump is not None:
            dump.close()
    return 0

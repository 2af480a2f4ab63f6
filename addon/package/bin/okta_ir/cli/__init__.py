"""The `okta-ir` command line: collect, hunt, translate, contain, simulate, build, demo.

Each subcommand lives in its own module exposing ``register(subparsers)``; heavy imports
(pySigma, the detections toolchain, the simulator) happen inside the command, not here.
This package is left out of the Splunk app.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn, Optional

from okta_ir import __version__
from okta_ir.errors import OktaIRError

__all__ = ["CommandError", "main"]

COMMAND_MODULES = ("collect", "hunt", "translate", "contain", "simulate", "build", "demo")


class CommandError(OktaIRError):
    """A command failed in a way the user can fix; the message says how."""


class _OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one clear line (no usage dump) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every subcommand registered."""
    parser = _OneLineParser(prog="okta-ir", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"okta-ir {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"okta_ir.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        status = args.func(args)
    except OktaIRError as exc:
        print(f"okta-ir {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"okta-ir {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

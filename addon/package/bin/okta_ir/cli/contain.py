"""`okta-ir contain` (to be written by its owner; registers a placeholder that says so)."""

from __future__ import annotations

import argparse

from okta_ir.cli import CommandError


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser("contain", help="not yet available")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    raise CommandError("'contain' is not available in this build yet")

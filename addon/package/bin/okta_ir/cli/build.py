"""`okta-ir build [--check]`: generate the app's files from their sources (rules, field map, dashboards)."""

from __future__ import annotations

import argparse
from pathlib import Path

from okta_ir.cli import CommandError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``build`` subcommand."""
    parser = subparsers.add_parser(
        "build", help="generate savedsearches.conf, macros.conf and the other generated files"
    )
    parser.add_argument(
        "--check", action="store_true",
        help="write nothing; exit 1 naming every generated file that differs from its sources",
    )
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: this checkout)")
    parser.add_argument(
        "--rules", type=Path, default=None, help="Sigma rules directory (default: ROOT/sigma-rules)"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from detections.build import REPO_ROOT, build

    root = args.root or REPO_ROOT
    if not (root / "sigma-rules").is_dir() and args.rules is None:
        raise CommandError(f"{root} has no sigma-rules/ directory: pass --root (the repository) or --rules")
    result = build(root=root, rules_dir=args.rules, check=args.check)
    if args.check:
        if result.drifted:
            raise CommandError(
                "generated files differ from their sources: " + ", ".join(result.drifted)
                + " (run `okta-ir build` and commit them)"
            )
        print("okta-ir build: generated files are up to date")
        return 0
    if result.written:
        print("okta-ir build: wrote " + ", ".join(result.written))
    else:
        print("okta-ir build: generated files are up to date")
    return 0

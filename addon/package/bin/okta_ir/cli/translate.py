"""`okta-ir translate 'EXPR' --to spl|sql|sigma`: an Okta filter as a Splunk search, SQL or Sigma rule."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``translate`` subcommand."""
    parser = subparsers.add_parser(
        "translate",
        help="translate an Okta filter expression to SPL, SQL or a Sigma rule",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("expression", metavar="EXPR", help="e.g. 'eventType eq \"user.session.start\"'")
    parser.add_argument("--to", choices=("spl", "sql", "sigma"), default="spl", help="output (default: spl)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from detections import okta_filter

    convert = {"spl": okta_filter.to_spl, "sql": okta_filter.to_sql, "sigma": okta_filter.to_sigma_yaml}
    print(convert[args.to](args.expression).rstrip("\n"))
    return 0

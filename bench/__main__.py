"""`make bench`: runs every benchmark module and prints its figures (never asserted in tests)."""

from __future__ import annotations

import importlib
import json
import sys
import time

BENCH_MODULES = (
    "bench.simulator",
    "bench.collect",
    "bench.hunt",
    "bench.sigma_rules",
    "bench.addon",
    "bench.containment",
    "bench.okta_client",
    "bench.dashboards",
)


def main() -> int:
    """Run each benchmark in turn; print a JSON summary line per benchmark."""
    selected = sys.argv[1:] or [name.split(".")[1] for name in BENCH_MODULES]
    for name in BENCH_MODULES:
        short = name.split(".")[1]
        if short not in selected:
            continue
        module = importlib.import_module(name)
        started = time.monotonic()
        figures = module.run()
        figures["bench_wall_seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps({"bench": short, **figures}, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

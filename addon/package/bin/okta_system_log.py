"""splunkd's entry script for the okta_system_log modular input (logic: okta_ir.splunk.modinput)."""

import os
import re
import sys

_BIN = os.path.dirname(os.path.abspath(__file__))
# Like UCC's import_declare_test: the app's lib/ and bin/ first, other apps' bin/ directories out.
_OTHER_BIN = re.compile(r"[\\/]etc[\\/]apps[\\/][^\\/]+[\\/]bin[\\/]?$")
sys.path = [os.path.join(os.path.dirname(_BIN), "lib"), _BIN] + [
    p for p in sys.path if p != _BIN and not _OTHER_BIN.search(p)
]

from okta_ir.splunk.modinput import console_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(console_main())

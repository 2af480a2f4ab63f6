"""The okta_system_log entry script driven exactly as splunkd drives it: a subprocess per call."""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from tests.support.splunkd import SplunkdStandIn

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "addon" / "package" / "bin" / "okta_system_log.py"


def run_script(args, stdin=""):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], input=stdin.encode("utf-8"), capture_output=True, timeout=60
    )


def items_xml(splunkd, params, name="corp"):
    body = "".join(f"<param name={quoteattr(k)}>{escape(v)}</param>" for k, v in params.items())
    return (
        f"<items><server_host>sh1</server_host><server_uri>{splunkd.server_uri}</server_uri>"
        f"<session_key>{splunkd.session_key}</session_key><checkpoint_dir>/tmp/x</checkpoint_dir>"
        f"<item name={quoteattr(name)}>{body}</item></items>"
    )


def iso(delta):
    return (datetime.now(timezone.utc) - delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_scheme():
    result = run_script(["--scheme"])
    assert result.returncode == 0
    scheme = ET.fromstring(result.stdout)
    assert scheme.findtext("title") == "Okta System Log"
    assert scheme.findtext("use_external_validation") == "true"
    assert scheme.findtext("streaming_mode") == "xml"
    args = {a.get("name"): a.findtext("required_on_create") for a in scheme.iter("arg")}
    assert args == {"name": "true", "account": "true", "start_time": "false", "okta_filter": "false",
                    "rate_limit_share": "false"}


@pytest.fixture()
def splunkd():
    with SplunkdStandIn() as standin:
        standin.store_account("corp", org_url="https://acme.okta.com", api_token="00tok")
        standin.store_account("admin_url", org_url="https://acme-admin.okta.com", api_token="00tok")
        yield standin


GOOD = {"account": "corp", "interval": "60", "index": "okta", "rate_limit_share": "50"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({**GOOD, "interval": "5"}, "interval 5 s is outside 10 to 3600 seconds"),
        ({**GOOD, "interval": "soon"}, "interval 'soon' is not a number of seconds (10 to 3600)"),
        ({**GOOD, "start_time": iso(timedelta(days=181))}, "is more than 180 days back"),
        ({**GOOD, "start_time": "yesterday"}, "start time 'yesterday' is not an ISO-8601 UTC time"),
        ({**GOOD, "start_time": iso(timedelta(days=-2))}, "is in the future"),
        ({**GOOD, "rate_limit_share": "0"}, "rate limit share 0% is outside 1 to 100"),
        ({**GOOD, "account": "ghost"}, "Okta account 'ghost' does not exist"),
        ({**GOOD, "account": "admin_url"}, "is the admin console: use the org URL https://acme.okta.com"),
    ],
)
def test_validate_arguments_rejects(splunkd, params, message):
    result = run_script(["--validate-arguments"], items_xml(splunkd, params))
    assert result.returncode == 1, result.stderr
    error = ET.fromstring(result.stdout)
    assert error.tag == "error"
    assert message in error.findtext("message")
    assert "00tok" not in result.stdout.decode() + result.stderr.decode()


def test_validate_arguments_accepts(splunkd):
    params = {**GOOD, "start_time": iso(timedelta(days=179)), "okta_filter": 'eventType sw "user.session"'}
    result = run_script(["--validate-arguments"], items_xml(splunkd, params))
    assert (result.returncode, result.stdout) == (0, b""), result.stderr
    assert ("GET", "/servicesNS/nobody/TA-okta-ir/configs/conf-ta_okta_ir_account/corp") in splunkd.requests


def test_unparseable_input_xml_is_one_clear_error():
    started = time.monotonic()
    result = run_script([], "<input><oops")
    assert result.returncode == 1
    assert b"splunkd sent XML that cannot be parsed" in result.stderr
    assert time.monotonic() - started < 30

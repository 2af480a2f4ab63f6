"""The modular input's XML parsing and parameter checks (the subprocess tests live in tests/addon/)."""

from __future__ import annotations

import io
import time

import pytest
from okta_ir.errors import ConfigError
from okta_ir.splunk.modinput import (
    SCHEME_XML,
    input_name,
    main,
    parse_input_definition,
    parse_validation_definition,
    validate_parameters,
)

INPUT = """<input>
  <server_host>sh1</server_host><server_uri>https://127.0.0.1:8089</server_uri>
  <session_key>KEY123</session_key><checkpoint_dir>/opt/splunk/var/lib/splunk/modinputs</checkpoint_dir>
  <configuration>
    <stanza name="okta_system_log://corp">
      <param name="account">corp</param><param name="index">okta</param>
      <param_list name="tags"><value>a</value><value>b</value></param_list>
    </stanza>
    <stanza name="okta_system_log://lab"><param name="account">lab</param><param name="okta_filter"/></stanza>
  </configuration>
</input>"""


def test_parse_input_definition():
    definition = parse_input_definition(INPUT)
    assert (definition.server_uri, definition.session_key, definition.server_host) == (
        "https://127.0.0.1:8089", "KEY123", "sh1"
    )
    assert definition.stanzas == {
        "okta_system_log://corp": {"account": "corp", "index": "okta", "tags": "a,b"},
        "okta_system_log://lab": {"account": "lab", "okta_filter": ""},
    }
    assert "KEY123" not in repr(definition)
    assert input_name("okta_system_log://corp") == "corp"


def test_parse_validation_definition():
    text = "<items><server_uri>u</server_uri><session_key>k</session_key><item name='corp'>" \
           "<param name='account'>a</param></item></items>"
    assert parse_validation_definition(text).stanzas == {"okta_system_log://corp": {"account": "a"}}
    with pytest.raises(ConfigError, match="no <item> to validate"):
        parse_validation_definition("<items></items>")
    with pytest.raises(ConfigError, match="expected <items> XML from splunkd, got <input>"):
        parse_validation_definition("<input/>")


def test_validate_parameters_edges():
    now = time.time()
    validate_parameters({"account": "a", "interval": "10", "rate_limit_share": "100"}, now)
    validate_parameters({"account": "a", "interval": "3600", "rate_limit_share": "1"}, now)
    with pytest.raises(ConfigError, match="interval 3601 s is outside"):
        validate_parameters({"account": "a", "interval": "3601"}, now)
    with pytest.raises(ConfigError, match="rate limit share '50%' is not a whole percentage"):
        validate_parameters({"account": "a", "rate_limit_share": "50%"}, now)
    with pytest.raises(ConfigError, match="must be a single line"):
        validate_parameters({"account": "a", "okta_filter": 'eventType eq "a"\nor x'}, now)
    with pytest.raises(ConfigError, match="no Okta account is selected"):
        validate_parameters({"account": " "}, now)


def test_main_scheme_and_bad_argument():
    out, err = io.BytesIO(), io.StringIO()
    assert main(["--scheme"], io.StringIO(), out, err) == 0
    assert out.getvalue() == SCHEME_XML.encode()
    assert main(["--bogus"], io.StringIO(), io.BytesIO(), err) == 2
    assert "unknown argument '--bogus'" in err.getvalue()

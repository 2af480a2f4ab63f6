"""The splunkd REST client against the stand-in: auth header, JSON/form bodies, errors without the key."""

from __future__ import annotations

import pytest
from okta_ir.errors import SplunkdError
from okta_ir.splunk.rest import SplunkdClient, splunkd_messages

from tests.support.splunkd import SplunkdStandIn


def test_calls_and_errors():
    with SplunkdStandIn() as splunkd:
        client = SplunkdClient(splunkd.server_uri, splunkd.session_key, timeout=5)
        assert "KEY" not in repr(client) and splunkd.session_key not in repr(client)
        created = client.call("POST", client.ns_path("configs/conf-demo"), form={"name": "s1", "a": "1"},
                              what="create a stanza")
        assert created["entry"][0]["name"] == "s1"
        assert splunkd.conf("demo", "s1") == {"a": "1"}
        status, body = client.request("GET", client.ns_path("configs/conf-demo/missing"))
        assert status == 404 and splunkd_messages(body) == "Could not find object id=missing"
        with pytest.raises(SplunkdError) as info:
            client.call("GET", client.ns_path("configs/conf-demo/missing"), what="read [missing]")
        expected = "splunkd refused to read [missing]: HTTP 404: Could not find object id=missing"
        assert str(info.value) == expected
        assert info.value.status == 404
        wrong = SplunkdClient(splunkd.server_uri, "not-the-key", timeout=5)
        with pytest.raises(SplunkdError) as info:
            wrong.call("GET", wrong.ns_path("configs/conf-demo"), what="list")
        assert info.value.status == 401 and "not-the-key" not in str(info.value)


def test_bad_uri_and_missing_key():
    with pytest.raises(SplunkdError, match="is not an http"):
        SplunkdClient("ftp://x", "k")
    with pytest.raises(SplunkdError, match="no splunkd session key"):
        SplunkdClient("https://127.0.0.1:8089", "")

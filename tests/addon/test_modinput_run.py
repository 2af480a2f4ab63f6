"""A full modular-input run as splunkd does it: subprocess, <input> XML on stdin, against the simulator.

Credentials come from the splunkd stand-in's storage/passwords, the checkpoint goes to its KV store.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from okta_ir.events import ORG_FIELD, org_label, published_epoch
from okta_ir.simulator import Simulator, SimulatorConfig
from okta_ir.splunk.kvstore import CHECKPOINT_COLLECTION

from tests.support.splunkd import SplunkdStandIn

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "addon" / "package" / "bin" / "okta_system_log.py"
TOKEN = "00simulated-api-token"


def input_xml(splunkd, stanzas):
    body = ""
    for name, params in stanzas.items():
        items = "".join(f"<param name={quoteattr(k)}>{escape(v)}</param>" for k, v in params.items())
        body += f"<stanza name={quoteattr(name)}>{items}</stanza>"
    return (
        f"<input><server_host>sh1</server_host><server_uri>{splunkd.server_uri}</server_uri>"
        f"<session_key>{splunkd.session_key}</session_key><checkpoint_dir>/tmp/none</checkpoint_dir>"
        f"<configuration>{body}</configuration></input>"
    )


def run(splunkd, stanzas):
    result = subprocess.run(
        [sys.executable, str(SCRIPT)],
        input=input_xml(splunkd, stanzas).encode(),
        capture_output=True,
        timeout=120,
    )
    assert result.stdout, result.stderr.decode()[-2000:]
    return result, ET.fromstring(result.stdout.decode("utf-8"))


@pytest.fixture(scope="module")
def simulator():
    sim = Simulator(SimulatorConfig(scenario="guide", seed=7, events=1500))
    with sim.serve() as running:
        yield running


def test_run_streams_events_checkpoints_and_resumes(simulator):
    start = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with SplunkdStandIn(collections=[CHECKPOINT_COLLECTION]) as splunkd:
        splunkd.store_account("sim", org_url=simulator.base_url, api_token=TOKEN)
        splunkd.set_conf("inputs", "okta_system_log://corp", account="sim", index="okta")
        splunkd.put_kv_document(CHECKPOINT_COLLECTION, {"_key": "deleted_input", "state": "{}"})
        params = {
            "account": "sim", "index": "okta", "interval": "60",
            "start_time": start, "rate_limit_share": "100",
        }

        first, stream = run(splunkd, {"okta_system_log://corp": params})
        assert first.returncode == 0, first.stderr.decode()
        events = stream.findall("event")
        assert len(events) > 100
        uuids = []
        org = org_label(simulator.base_url)
        for element in events:
            data = json.loads(element.findtext("data"))
            uuids.append(data["uuid"])
            assert data[ORG_FIELD] == org
            assert element.findtext("sourcetype") == "OktaIM2:log"
            assert element.findtext("index") == "okta"
            assert element.findtext("source") == f"okta:{org}"
            assert element.get("stanza") == "okta_system_log://corp"
            assert element.findtext("time") == f"{published_epoch(data):.3f}"
        assert len(set(uuids)) == len(uuids)

        docs = splunkd.kv_documents(CHECKPOINT_COLLECTION)
        assert set(docs) == {"corp"}  # the removed input's checkpoint is gone
        state = json.loads(docs["corp"]["state"])
        assert state["org"] == simulator.base_url and state["cursor"].startswith(simulator.base_url)
        assert state["extra"] == {}  # no pending write left behind
        assert TOKEN not in json.dumps(docs) + first.stderr.decode()

        second, stream2 = run(splunkd, {"okta_system_log://corp": params})
        assert second.returncode == 0, second.stderr.decode()
        again = [json.loads(e.findtext("data"))["uuid"] for e in stream2.findall("event")]
        assert not set(again) & set(uuids)  # resumed from the KV checkpoint: no duplicates


def test_run_with_a_missing_account_fails_cleanly(simulator):
    with SplunkdStandIn(collections=[CHECKPOINT_COLLECTION]) as splunkd:
        result, stream = run(splunkd, {"okta_system_log://corp": {"account": "nope", "interval": "60"}})
        assert result.returncode == 1
        assert stream.findall("event") == []
        assert "Okta account 'nope' does not exist" in result.stderr.decode()
        assert splunkd.kv_documents(CHECKPOINT_COLLECTION) == {}


def test_checkpoint_of_another_org_is_refused_with_its_location(simulator):
    state = {"schema": 1, "cursor": "https://other.okta.com/api/v1/logs?after=x", "boundary_uuids": [],
             "org": "https://other.okta.com", "since": None, "until": None, "done": False, "extra": {}}
    with SplunkdStandIn(collections=[CHECKPOINT_COLLECTION]) as splunkd:
        splunkd.store_account("sim", org_url=simulator.base_url, api_token=TOKEN)
        splunkd.set_conf("inputs", "okta_system_log://corp", account="sim")
        splunkd.put_kv_document(CHECKPOINT_COLLECTION, {"_key": "corp", "state": json.dumps(state)})
        result, stream = run(splunkd, {"okta_system_log://corp": {"account": "sim", "interval": "60"}})
        assert result.returncode == 1
        assert stream.findall("event") == []
        stderr = result.stderr.decode()
        assert "belongs to org 'https://other.okta.com'" in stderr
        expected = "its checkpoint is the document 'corp' of the KV-store collection okta_ir_checkpoints"
        assert expected in stderr
        assert json.loads(splunkd.kv_documents(CHECKPOINT_COLLECTION)["corp"]["state"]) == state

"""The app's static .conf files agree with the code using them (collection, sourcetype, input defaults)."""

from __future__ import annotations

import configparser
from pathlib import Path

from okta_ir.splunk.kvstore import CHECKPOINT_COLLECTION
from okta_ir.splunk.modinput import INPUT_KIND

DEFAULT = Path(__file__).resolve().parents[2] / "addon" / "package" / "default"


def conf(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=True, delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEFAULT / name, encoding="utf-8")
    return parser


def test_collection_and_lookup():
    collections = conf("collections.conf")
    assert dict(collections[CHECKPOINT_COLLECTION]) == {"field.state": "string", "field.updated": "number"}
    lookup = conf("transforms.conf")["okta_ir_checkpoints_lookup"]
    assert (lookup["external_type"], lookup["collection"]) == ("kvstore", CHECKPOINT_COLLECTION)


def test_inputs_defaults_and_audit_monitor():
    inputs = conf("inputs.conf")
    assert dict(inputs[INPUT_KIND]) == {
        "python.version": "python3", "index": "default", "interval": "60", "rate_limit_share": "50"
    }
    monitor = inputs["monitor://$SPLUNK_HOME/var/log/splunk/okta_ir_actions.log*"]
    assert (monitor["sourcetype"], monitor["disabled"]) == ("okta:ir:action", "0")

from __future__ import annotations

import json
import sqlite3

from detections.loader import BATCH_SIZE, Loader, LoadReport, columns_for


def _loader(columns):
    conn = sqlite3.connect(":memory:")
    return conn, Loader(conn, columns)


def test_columns_for_keeps_map_order_and_folds_array_members_into_roots():
    assert columns_for(["target.displayName", "eventType", "request.ipChain.ip", "uuid", "target.id"]) == [
        "uuid",
        "eventType",
        "target",
        "request.ipChain",
    ]


def test_values_are_typed_booleans_as_text_numbers_as_numbers():
    conn, loader = _loader(
        ["uuid", "securityContext.isProxy", "authenticationContext.authenticationStep", "target"]
    )
    loader.load_lines(
        [
            json.dumps(
                {
                    "uuid": "a",
                    "securityContext": {"isProxy": False},
                    "authenticationContext": {"authenticationStep": 10},
                    "target": [{"id": 1}],
                }
            ),
            json.dumps({"uuid": "b", "target": {"not": "an array"}}),
        ]
    )
    rows = conn.execute("SELECT * FROM logs ORDER BY rowid").fetchall()
    assert rows == [("a", "false", 10, '[{"id":1}]'), ("b", None, None, None)]
    # numbers compare numerically, text without case
    assert conn.execute(
        "SELECT uuid FROM logs WHERE `authenticationContext.authenticationStep` > 9"
    ).fetchall() == [("a",)]
    assert conn.execute("SELECT uuid FROM logs WHERE uuid = 'A'").fetchall() == [("a",)]


def test_panther_lowercase_keys_are_recased():
    conn, loader = _loader(["eventType", "debugContext.debugData.behaviors"])
    loader.load_lines([json.dumps({"eventtype": "x", "debugcontext": {"debugData": {"behaviors": "y"}}})])
    assert conn.execute("SELECT * FROM logs").fetchall() == [("x", "y")]


def test_batches_report_bad_lines_across_batch_boundaries():
    conn, loader = _loader(["uuid"])
    lines = [json.dumps({"uuid": str(i)}) for i in range(BATCH_SIZE + 5)]
    lines[3] = "{broken"
    lines[BATCH_SIZE + 1] = "42"
    report = loader.load_lines(lines, LoadReport())
    assert (report.loaded, report.skipped, report.skipped_lines) == (BATCH_SIZE + 3, 2, [4, BATCH_SIZE + 2])
    assert conn.execute("SELECT COUNT(*) FROM temp.staging").fetchone() == (0,)


def test_array_roots_keep_only_json_arrays_decided_at_insert():
    conn, loader = _loader(["uuid", "target"])
    loader.load_lines([
        json.dumps({"uuid": "array", "target": [{"displayName": "x"}]}),
        json.dumps({"uuid": "object", "target": {"displayName": "x"}}),
        json.dumps({"uuid": "number", "target": 5}),
        json.dumps({"uuid": "bool", "target": True}),
        json.dumps({"uuid": "text", "target": "x"}),
        json.dumps({"uuid": "text holding an array", "target": "[1, 2]"}),
        json.dumps({"uuid": "text holding bad json", "target": "[1, "}),
        json.dumps({"uuid": "missing"}),
    ])
    assert conn.execute("SELECT uuid, target FROM logs ORDER BY rowid").fetchall() == [
        ("array", '[{"displayName":"x"}]'), ("object", None), ("number", None), ("bool", None),
        ("text", None), ("text holding an array", "[1, 2]"), ("text holding bad json", None),
        ("missing", None),
    ]

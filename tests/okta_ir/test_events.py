"""Event time parsing (UTC whatever the process time zone), org stamping and the dedupe window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from okta_ir.errors import ConfigError, InvalidResponseError
from okta_ir.events import (
    EventBatch,
    RecentUuids,
    Selection,
    format_okta_time,
    org_label,
    parse_time_arg,
    parse_timestamp,
    published_epoch,
    split_json_array,
    stamp_org,
    stamped_json_lines,
)

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "okta-reference"

CASES = [
    ("2024-08-13T15:58:20.353Z", 1723564700.353),
    ("2024-08-13T15:58:20Z", 1723564700.0),
    ("2024-08-13T15:58:20.353+00:00", 1723564700.353),
    ("2024-08-13T17:58:20.353+02:00", 1723564700.353),
    ("2024-08-13T10:28:20.353-0530", 1723564700.353),
    ("2024-08-13T15:58:20.353123456789Z", 1723564700.353123456789),
    ("2024-08-13T15:58:20.3Z", 1723564700.3),
    ("2022-11-22 18:48:49.177", 1669142929.177),
    ("2024-03-27 13:17:41.835000000", 1711545461.835),
    ("2024-02-29T00:00:00Z", 1709164800.0),
    ("1970-01-01T00:00:00Z", 0.0),
]

INVALID = [
    "2017-09-31T22:23:07.777Z",
    "2023-02-29T00:00:00Z",
    "redacted",
    "",
    "2024-08-13",
    "2024-08-13T25:00:00Z",
    "2024-08-13T15:58:60Z",
    "2024-08-13T15:58:20+24:00",
    "2024-08-13T15:58:20Q",
    None,
    1723564700,
    ["x"],
]


@pytest.mark.parametrize(("text", "epoch"), CASES)
def test_timestamps_are_read_as_utc(text, epoch):
    assert parse_timestamp(text) == pytest.approx(epoch, abs=1e-6)
    assert published_epoch({"published": text}) == pytest.approx(epoch, abs=1e-6)


@pytest.mark.parametrize("text", INVALID)
def test_invalid_timestamps_give_none(text):
    assert parse_timestamp(text) is None


def test_published_epoch_of_events_without_a_valid_time_is_none():
    assert published_epoch({}) is None
    assert published_epoch({"published": "2017-09-31T22:23:07.777Z"}) is None
    assert published_epoch("not an event") is None  # type: ignore[arg-type]


PROBE = """
import json, sys, time
from okta_ir.events import parse_timestamp, format_okta_time, parse_time_arg
cases = json.loads(sys.argv[1])
print(json.dumps({"tz": time.tzname, "parsed": [parse_timestamp(c) for c in cases],
                  "formatted": format_okta_time(1723564700.353),
                  "arg": parse_time_arg("2024-08-13 15:58:20", 0)}))
"""


def test_parsing_does_not_depend_on_the_process_time_zone():
    texts = [text for text, _ in CASES] + ["2017-09-31T22:23:07.777Z"]
    results = []
    for zone in ("America/New_York", "Asia/Kolkata", "UTC"):
        env = dict(os.environ, TZ=zone)
        out = subprocess.run(
            [sys.executable, "-c", PROBE, json.dumps(texts)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        results.append(json.loads(out.stdout))
    assert results[0]["tz"] != results[1]["tz"]  # the zones really differ in the children
    expected = [epoch for _, epoch in CASES] + [None]
    for result in results:
        assert [None if p is None else round(p, 6) for p in result["parsed"]] == [
            None if e is None else round(e, 6) for e in expected
        ]
        assert result["formatted"] == "2024-08-13T15:58:20.353Z"
        assert result["arg"] == 1723564700.0


def test_every_reference_sample_parses_or_gives_none_without_crashing():
    lines = []
    for path in sorted((REFERENCE / "samples").rglob("*")):
        if path.suffix == ".ndjson":
            lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        elif path.suffix == ".json" and path.name != "MANIFEST.json":
            data = json.loads(path.read_text())
            lines += data if isinstance(data, list) else [data]
    assert len(lines) > 86
    with_time = [event for event in lines if isinstance(event, dict) and "published" in event]
    assert len(with_time) == 81
    unparsed = [event["published"] for event in with_time if published_epoch(event) is None]
    assert sorted(unparsed) == ["2017-09-31T22:23:07.777Z"] + ["redacted"] * 4
    assert all(published_epoch(event) is None for event in lines if "published" not in event)
    assert published_epoch({"published": "2022-11-22 18:48:49.177"}) == pytest.approx(1669142929.177)


def test_format_okta_time_rounds_to_milliseconds():
    assert format_okta_time(1723564700.3535) == "2024-08-13T15:58:20.354Z"
    assert format_okta_time(0) == "1970-01-01T00:00:00.000Z"


def test_relative_and_absolute_time_arguments():
    now = 1_000_000.0
    assert parse_time_arg("15m", now) == now - 900
    assert parse_time_arg("24h", now) == now - 86400
    assert parse_time_arg("7d", now) == now - 7 * 86400
    assert parse_time_arg("90s", now) == now - 90
    assert parse_time_arg("1970-01-02T00:00:00Z", now) == 86400.0
    with pytest.raises(ConfigError, match="neither ISO-8601"):
        parse_time_arg("last tuesday", now)


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://acme.okta.com", "acme.okta.com"),
        ("https://ACME.okta.com/", "acme.okta.com"),
        ("http://127.0.0.1:8080", "127.0.0.1:8080"),
        ("https://user:secret@acme.okta.com", "acme.okta.com"),
        ("acme.oktapreview.com", "acme.oktapreview.com"),
    ],
)
def test_org_label(url, label):
    assert org_label(url) == label


def test_org_label_refuses_a_url_without_host():
    with pytest.raises(ConfigError, match="cannot find a host"):
        org_label("https://")


def test_stamp_org_adds_the_field_in_place():
    events = [{"uuid": "a"}, {"uuid": "b", "okta_org": "old"}]
    stamp_org(events, "acme.okta.com")
    assert events == [{"uuid": "a", "okta_org": "acme.okta.com"}, {"uuid": "b", "okta_org": "acme.okta.com"}]


def test_recent_uuids_forget_the_oldest_beyond_capacity():
    recent = RecentUuids(3, ["a", "b"])
    recent.add(["c", "d", 5, None, "c"])
    assert recent.snapshot() == ("b", "c", "d") and len(recent) == 3
    assert "a" not in recent and "d" in recent


def test_select_new_fast_and_slow_paths():
    recent = RecentUuids(10, ["seen"])
    fresh = [{"uuid": "x"}, {"uuid": "y"}]
    assert recent.select_new(fresh) == Selection(fresh, ["x", "y"], 0, 0, None)
    page = [{"uuid": "seen"}, {"uuid": "x"}, {"uuid": "x"}, {"no": "id"}, {"no": "id"}, 7, {"uuid": {"a": 1}}]
    selection = recent.select_new(page)
    assert selection.events == [{"uuid": "x"}, {"no": "id"}, {"no": "id"}, {"uuid": {"a": 1}}]
    assert selection.uuids == ["x", None, None, None]
    assert (selection.duplicates, selection.malformed, selection.positions) == (2, 1, [1, 3, 4, 6])


def test_split_json_array_gives_items_and_their_exact_text():
    body = rb'[{"uuid":"a","n":[1,{"x":"]"}]}, {"uuid":"b","s":"Zo\u00eb \\"}' + b"\n ,{}]\n"
    items, texts = split_json_array(body)
    assert items == [{"uuid": "a", "n": [1, {"x": "]"}]}, {"uuid": "b", "s": "Zo\u00eb \\"}, {}]
    assert texts == ['{"uuid":"a","n":[1,{"x":"]"}]}', r'{"uuid":"b","s":"Zo\u00eb \\"}', "{}"]
    assert split_json_array(b"[]") == ([], [])
    assert split_json_array(b" [ ] ") == ([], [])
    assert split_json_array('[{"k":"Zoë"}]'.encode()) == ([{"k": "Zoë"}], ['{"k":"Zoë"}'])


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[",
        b'[{"uuid":"a"}',
        b'[{"uuid":"a"},',
        b'[{"uuid":"a"',
        b'{"uuid":"a"}',
        b'[{"a":1}]x',
        b'[{"a":1} {"b":2}]',
        b"\xff\xfe[]",
        b"null",
    ],
)
def test_split_json_array_refuses_what_is_not_one_complete_array(body):
    with pytest.raises(InvalidResponseError):
        split_json_array(body)


def test_stamped_json_lines_prefix_the_org_or_encode_again():
    events = [{"uuid": "a"}, {}, {"uuid": "c", "okta_org": "old"}, {"uuid": "d"}]
    texts = ['{"uuid":"a"}', "{}", '{"uuid":"c","okta_org":"old"}', '{\n "uuid": "d"\n}']
    lines = stamped_json_lines(events, texts, "acme.okta.com")
    assert lines == [
        '{"okta_org":"acme.okta.com","uuid":"a"}',
        '{"okta_org":"acme.okta.com"}',
        '{"uuid":"c","okta_org":"acme.okta.com"}',
        '{"uuid":"d","okta_org":"acme.okta.com"}',
    ]
    assert [json.loads(line) for line in lines] == [{**e, "okta_org": "acme.okta.com"} for e in events]


def test_event_batch_is_a_list_of_events_with_their_lines():
    batch = EventBatch([{"uuid": "a"}], ['{"uuid":"a"}'])
    assert batch == [{"uuid": "a"}] and batch.json_lines == ['{"uuid":"a"}']
    assert EventBatch([]).json_lines is None


def test_recent_uuids_needs_room():
    with pytest.raises(ConfigError):
        RecentUuids(0)

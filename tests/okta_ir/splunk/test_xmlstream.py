"""The splunkd XML event stream: exact framing, escaping that parses back to the same JSON."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from okta_ir.splunk.xmlstream import XmlEventStream, close_stream, open_stream, xml_escape


def _stream(events, **kwargs):
    out = io.BytesIO()
    open_stream(out)
    sink = XmlEventStream(out, **kwargs)
    for batch in events:
        sink.write_batch(batch)
    close_stream(out)
    return out.getvalue(), sink


def test_framing_and_fields():
    event = {"uuid": "u1", "published": "2026-11-24T10:00:00.123Z", "eventType": "user.session.start"}
    raw, sink = _stream([[event]], index="okta", source="okta:acme.okta.com", stanza="okta_system_log://corp")
    assert raw == (
        b'<stream><event stanza="okta_system_log://corp"><time>1795514400.123</time>'
        b"<sourcetype>OktaIM2:log</sourcetype><index>okta</index><source>okta:acme.okta.com</source>"
        b'<data>{"uuid":"u1","published":"2026-11-24T10:00:00.123Z","eventType":"user.session.start"}'
        b"</data></event></stream>"
    )
    assert sink.events_written == 1


def test_hostile_strings_parse_back_to_the_same_json():
    nasty = {
        "uuid": "u2",
        "published": "2026-11-24T10:00:00Z",
        "displayMessage": "a<b>&c</data></event><event>\"quoted\" 'single' ]]> José 北京 🙂",
        "controls": "\x00\x01\x08\x0b\x0c\x1f\x7f tab\t nl\n cr\r",
        "nonchars": "\ufffe\uffff",
        "lone": "\ud800 and \udfff",
        "nested": {"list": ["<x>", 1, None, True]},
    }
    plain = {"uuid": "u3", "published": "not a time", "n": 1}
    raw, _ = _stream([[nasty, plain], [plain]], index="main")
    root = ET.fromstring(raw.decode("utf-8"))  # the whole stream is well-formed XML 1.0
    events = root.findall("event")
    assert len(events) == 3
    assert json.loads(events[0].findtext("data")) == nasty
    assert json.loads(events[1].findtext("data")) == plain
    assert events[0].findtext("time") == "1795514400.000"
    assert events[1].find("time") is None  # no valid published: splunkd picks the time
    assert [e.findtext("sourcetype") for e in events] == ["OktaIM2:log"] * 3


def test_one_write_and_flush_per_batch():
    class Counting(io.BytesIO):
        writes = 0
        flushes = 0

        def write(self, data):
            Counting.writes += 1
            return super().write(data)

        def flush(self):
            Counting.flushes += 1

    out = Counting()
    sink = XmlEventStream(out)
    sink.write_batch([{"uuid": str(i)} for i in range(500)])
    sink.write_batch([])
    assert (Counting.writes, Counting.flushes) == (1, 1)
    assert out.getvalue().count(b"<event>") == 500


def test_recover_answers_none():
    assert XmlEventStream(io.BytesIO()).recover(["a", "b"]) == set()


def test_xml_escape():
    assert xml_escape('a&b<c>"d') == "a&amp;b&lt;c&gt;&quot;d"


def test_time_of_canonical_and_other_published_forms():
    from okta_ir.events import published_epoch

    events = [
        {"published": "2026-11-24T10:00:00.123Z"},
        {"published": "2026-11-24T10:00:00.999Z"},
        {"published": "2026-11-24T10:00:00Z"},
        {"published": "2026-11-24 10:00:00.5+01:00"},
        {"published": "2017-09-31T10:00:00.000Z"},  # impossible date: no <time>
        {"published": "2026-11-24T10:00:00.12xZ"},
        {"published": "2024-02-29T23:59:59.999Z"},  # leap day
        {"published": "2023-02-29T00:00:00.000Z"},  # not a leap year
        {"published": "2026-11-24T24:00:00.000Z"},
        {"published": "1969-12-31T23:59:59.500Z"},
        {"published": "\uff12\uff10\uff12\uff16-11-24T10:00:00.000Z"},  # fullwidth digits
        {"published": 1795514400},
    ]
    raw, _ = _stream([events])
    times = [e.findtext("time") for e in ET.fromstring(raw).findall("event")]
    expected = [None if published_epoch(e) is None else f"{published_epoch(e):.3f}" for e in events]
    assert times == expected
    assert times[:5] == ["1795514400.123", "1795514400.999", "1795514400.000", "1795510800.500", None]
    assert times[6:] == ["1709251199.999", None, None, "-0.500", "1795514400.000", None]


def test_poller_batches_are_written_from_their_own_json_text():
    from okta_ir.events import EventBatch, split_json_array, stamped_json_lines

    body = (
        b'[{"uuid":"u9","published":"2026-11-24T10:00:00.000Z","displayMessage":"a<b & \\u00e9",'
        b'"n":1.50}]'
    )
    events, texts = split_json_array(body)
    batch = EventBatch(events, stamped_json_lines(events, texts, "acme.okta.com"))
    raw, _ = _stream([batch])
    data = ET.fromstring(raw).find("event/data").text
    # Okta's own text (its number form, its escapes) goes through untouched, org first
    assert data == (
        '{"okta_org":"acme.okta.com","uuid":"u9","published":"2026-11-24T10:00:00.000Z",'
        '"displayMessage":"a<b & \\u00e9","n":1.50}'
    )

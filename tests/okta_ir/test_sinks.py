"""The JSONL sink: compact lines, torn-line repair, tail recovery, one writer per file."""

from __future__ import annotations

import json

import pytest
from okta_ir.errors import ConfigError
from okta_ir.events import EventBatch
from okta_ir.sinks import JsonlSink


def events(count: int, start: int = 0):
    return [
        {"uuid": f"u{n}", "published": "2025-01-01T00:00:00Z", "n": n, "name": "Zoë"}
        for n in range(start, start + count)
    ]


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_write_batch_appends_one_compact_line_per_event(tmp_path):
    path = tmp_path / "out.jsonl"
    with JsonlSink(str(path)) as sink:
        sink.write_batch(events(2))
        sink.write_batch([])
        sink.write_batch(events(1, start=2))
    raw = path.read_bytes()
    assert (
        raw.split(b"\n")[0] == '{"uuid":"u0","published":"2025-01-01T00:00:00Z","n":0,"name":"Zoë"}'.encode()
    )
    assert raw.endswith(b"\n") and raw.count(b"\n") == 3
    assert read(path) == events(3)


def test_a_batch_with_json_lines_is_written_as_given(tmp_path):
    path = tmp_path / "out.jsonl"
    with JsonlSink(str(path)) as sink:
        sink.write_batch(
            EventBatch([{"uuid": "a"}, {"uuid": "b"}], ['{"uuid":"a", "as":"sent"}', '{"uuid":"b"}'])
        )
        sink.write_batch(EventBatch([{"uuid": "c"}]))  # no lines: encoded
    assert path.read_bytes() == b'{"uuid":"a", "as":"sent"}\n{"uuid":"b"}\n{"uuid":"c"}\n'


def test_reopening_appends(tmp_path):
    path = tmp_path / "out.jsonl"
    with JsonlSink(str(path)) as sink:
        sink.write_batch(events(2))
    with JsonlSink(str(path)) as sink:
        assert sink.dropped_bytes == 0
        sink.write_batch(events(2, start=2))
    assert read(path) == events(4)


def test_a_lone_surrogate_is_kept_as_a_valid_json_escape(tmp_path):
    path = tmp_path / "out.jsonl"
    with JsonlSink(str(path)) as sink:
        sink.write_batch([{"uuid": "s", "x": "a\ud800b"}])
    assert path.read_bytes() == b'{"uuid":"s","x":"a\\ud800b"}\n'
    assert read(path) == [{"uuid": "s", "x": "a\ud800b"}]


def test_opening_drops_a_torn_last_line(tmp_path):
    path = tmp_path / "out.jsonl"
    good = b'{"uuid":"u0"}\n{"uuid":"u1"}\n'
    path.write_bytes(good + b'{"uuid":"u2","publi')
    with JsonlSink(str(path)) as sink:
        assert sink.dropped_bytes == len(b'{"uuid":"u2","publi')
    assert path.read_bytes() == good


def test_opening_a_file_that_is_one_torn_line_empties_it(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"uuid":"u0"' * 200_000)  # > 1 MiB without a newline
    with JsonlSink(str(path)) as sink:
        assert sink.dropped_bytes == 2_400_000
    assert path.read_bytes() == b""


def test_recover_finds_exactly_the_pending_uuids_in_the_tail(tmp_path):
    path = tmp_path / "out.jsonl"
    with JsonlSink(str(path)) as sink:
        sink.write_batch(events(50))
        sink.write_batch(events(3, start=50))
        assert sink.recover(["u50", "u51", "u52", "u53", "u54"]) == {"u50", "u51", "u52"}
        assert sink.recover([]) == set()
        assert sink.recover(["never"]) == set()


def test_recover_after_a_torn_write(tmp_path):
    path = tmp_path / "out.jsonl"
    with JsonlSink(str(path)) as sink:
        sink.write_batch(events(10))
    with path.open("ab") as handle:  # a batch of 3 cut short inside its second line
        handle.write(b'{"uuid":"u10"}\n{"uuid":"u1')
    with JsonlSink(str(path)) as sink:
        assert sink.recover(["u10", "u11", "u12"]) == {"u10"}
    assert [e["uuid"] for e in read(path)] == [f"u{n}" for n in range(11)]


def test_recover_reads_across_blocks(tmp_path):
    path = tmp_path / "out.jsonl"
    big = [{"uuid": f"b{n}", "pad": "x" * 5000} for n in range(600)]  # ~3 MB: several 1 MiB blocks
    with JsonlSink(str(path)) as sink:
        sink.write_batch(big)
        pending = [f"b{n}" for n in range(100, 600)] + ["missing"]
        assert sink.recover(pending) == {f"b{n}" for n in range(100, 600)}


def test_a_second_writer_is_refused(tmp_path):
    path = tmp_path / "out.jsonl"
    with JsonlSink(str(path)), pytest.raises(ConfigError, match="in use by another collector"):
        JsonlSink(str(path))


def test_an_unopenable_path_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot open output file"):
        JsonlSink(str(tmp_path / "missing-dir" / "out.jsonl"))

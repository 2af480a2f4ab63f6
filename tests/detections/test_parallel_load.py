from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from detections.engine import HuntEngine
from detections.loader import all_columns
from detections.parallel_load import chunk_ranges, load_parallel
from tests.detections.okta_events import okta_event


def _messy_file(path: Path) -> Path:
    """Events with every kind of line the serial loader survives, CRLF endings and bad UTF-8 included."""
    lines: list[bytes] = []
    for i in range(400):
        event = okta_event(f"u{i}", f"2026-03-01T10:{i % 60:02d}:00Z", ip=f"10.0.0.{i % 7}",
                           targets=[{"displayName": f"app{i % 3}"}])
        lines.append(json.dumps(event).encode())
    lines[5] = b"{broken"
    lines[77] = b"42"
    lines[78] = b""
    lines[120] = b"   "
    lines[200] = json.dumps({"uuid": "panther", "eventtype": "user.session.start"}).encode()
    lines[250] = json.dumps({"uuid": "caf\u00e9", "displayMessage": "x"}).encode()[:-2] + b'\xff"}'
    # a lone CR ends line 100, CRLF from line 300 on, no newline at EOF
    body = b"\n".join(lines[:100]) + b"\r" + b"\n".join(lines[100:300]) + b"\r\n" + b"\r\n".join(lines[300:])
    path.write_bytes(body)
    return path


def _rows(engine: HuntEngine) -> list[tuple[object, ...]]:
    return engine.connection.execute("SELECT rowid, * FROM logs ORDER BY rowid").fetchall()


def test_chunk_ranges_cover_the_file_and_end_at_newlines(tmp_path: Path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"aaa\nbb\n\ncccc\nd")
    assert chunk_ranges(path, 3) == [(0, 4), (4, 7), (7, 13), (13, 14)]
    assert chunk_ranges(path, 100) == [(0, 14)]


def test_parallel_load_gives_the_serial_rows_rowids_and_report(tmp_path: Path):
    path = _messy_file(tmp_path / "events.jsonl")
    serial = HuntEngine()
    serial_report = serial.load_jsonl(path, workers=1)
    parallel = HuntEngine(tmp_path / "p.db")
    # tiny chunks: bad lines, blank lines, CRLF runs and the last line fall in different chunks
    report = load_parallel(parallel.connection, parallel.columns, path, workers=2, chunk_bytes=3000,
                           scratch_dir=tmp_path)
    assert (report.loaded, report.skipped, report.skipped_lines, report.blank) == (
        serial_report.loaded, serial_report.skipped, serial_report.skipped_lines, serial_report.blank)
    assert (report.loaded, report.skipped_lines, report.blank) == (396, [6, 78], 2)
    assert _rows(parallel) == _rows(serial)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl", "p.db"]  # scratch removed


def test_load_jsonl_appends_after_existing_rows_like_serial(tmp_path: Path):
    path = _messy_file(tmp_path / "events.jsonl")
    serial, parallel = HuntEngine(), HuntEngine()
    for engine, workers in ((serial, 1), (parallel, 2)):
        engine.load_events([okta_event("first", "2026-03-01T09:00:00Z")])
        engine.load_jsonl(path, workers=workers)
    assert _rows(parallel) == _rows(serial)
    assert (parallel.report.loaded, parallel.report.skipped_lines) == (397, [6, 78])
    assert parallel.columns == all_columns()
    # the eventType index of the serial table is there after a parallel load too
    indexes = parallel.connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    assert indexes == [("logs_eventtype",)]
    assert isinstance(parallel.connection, sqlite3.Connection)

"""Load one large JSON-lines file with several processes, each parsing a byte range of it.

The per-event cost of loading is SQLite's JSON parsing (``json_extract``), which one process does
on one core. Here the file is cut at line boundaries into chunks; worker processes load each chunk
with the ordinary :class:`~detections.loader.Loader` into a scratch database of their own, and the
calling process copies the chunks into ``logs`` in file order (SQLite to SQLite, no JSON work), so
the rows, their rowids and the load report are exactly those of a serial load. Memory stays bounded
by SQLite's page caches: the events travel through scratch files, never through Python lists.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from detections.loader import Loader, LoadReport
from detections.sqlite_backend import quote_identifier

__all__ = ["CHUNK_BYTES", "chunk_ranges", "load_parallel"]

#: Target size of one chunk: large enough to amortise a worker's setup, small enough to overlap
#: copying with parsing and to keep each scratch database small.
CHUNK_BYTES = 64 * 2**20
_WORKER_CACHE_KIB = 8192


@dataclass(frozen=True)
class _ChunkResult:
    """What a worker did with one chunk; line numbers are relative to the chunk (from 1)."""

    db_path: str
    lines: int
    loaded: int
    blank: int
    skipped: int
    skipped_lines: list[int]


def chunk_ranges(path: str | Path, chunk_bytes: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    """Byte ranges ``[start, end)`` covering the file, each ending just after a newline (or at EOF)."""
    size = os.path.getsize(path)
    ranges: list[tuple[int, int]] = []
    start = 0
    with open(path, "rb") as handle:
        while start < size:
            end = min(start + max(1, chunk_bytes), size)
            if end < size:
                handle.seek(end - 1)
                handle.readline()  # through the newline ending the line that holds byte end-1
                end = handle.tell()
            ranges.append((start, end))
            start = end
    return ranges


def _chunk_lines(path: str, start: int, end: int) -> Iterator[str]:
    """The chunk's lines, decoded as the serial load's text file does (UTF-8, replace, universal newlines).

    Read line by line (memory: one line, not the chunk). A chunk's lines end with a newline byte,
    which no UTF-8 sequence contains, so decoding line by line equals decoding the chunk; a line
    holding a lone carriage return is split at it as universal newlines do.
    """
    with open(path, "rb") as handle:
        handle.seek(start)
        position = start
        while position < end:
            raw = handle.readline(end - position)
            if not raw:
                break
            position += len(raw)
            text = raw.decode("utf-8", errors="replace")
            if "\r" in text:
                yield from io.StringIO(text, newline=None)
            else:
                yield text

def _load_chunk(path: str, start: int, end: int, columns: Sequence[str], db_path: str) -> _ChunkResult:
    """Worker: load one byte range into a fresh scratch database holding only ``logs``."""
    connection = sqlite3.connect(db_path)
    try:
        for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{_WORKER_CACHE_KIB}"):
            connection.execute(f"PRAGMA {pragma}")
        loader = Loader(connection, columns, index=False)
        lines = 0

        def counted() -> Iterator[str]:
            nonlocal lines
            for line in _chunk_lines(path, start, end):
                lines += 1
                yield line

        report = LoadReport()
        loader.load_lines(counted(), report)
    finally:
        connection.close()
    return _ChunkResult(
        db_path, lines, report.loaded, report.blank, report.skipped, list(report.skipped_lines)
    )


def _copy_chunk(connection: sqlite3.Connection, result: _ChunkResult, columns: Sequence[str]) -> None:
    """Append a chunk's rows to ``logs`` in their order, then drop its scratch file."""
    names = ", ".join(quote_identifier(c) for c in columns)
    connection.execute("ATTACH DATABASE ? AS okta_ir_chunk", (result.db_path,))
    try:
        with connection:
            connection.execute(
                f"INSERT INTO main.logs ({names}) SELECT {names} FROM okta_ir_chunk.logs ORDER BY rowid"
            )
    finally:
        connection.execute("DETACH DATABASE okta_ir_chunk")
        Path(result.db_path).unlink(missing_ok=True)


def load_parallel(
    connection: sqlite3.Connection,
    columns: Sequence[str],
    path: str | Path,
    workers: int,
    chunk_bytes: int = CHUNK_BYTES,
    scratch_dir: str | Path | None = None,
) -> LoadReport:
    """Load ``path`` into ``logs`` with ``workers`` processes: the rows and report of a serial load.

    ``logs`` must already exist with ``columns``. Scratch databases live in ``scratch_dir`` (default:
    the system temporary directory) and are removed as they are copied.
    """
    file = str(path)
    ranges = chunk_ranges(file, chunk_bytes)
    report = LoadReport()
    # fork: workers start at once with the modules already imported (the parent is single-threaded here)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with (
        tempfile.TemporaryDirectory(prefix="okta-ir-load-", dir=scratch_dir) as scratch,
        ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool,
    ):
        # keep at most two chunks per worker in flight: scratch disk and memory stay bounded
        pending: list[Future[_ChunkResult]] = []
        queue = list(enumerate(ranges))
        window = 2 * max(1, workers)
        line_offset = 0

        def submit() -> None:
            index, (start, end) = queue.pop(0)
            db_path = str(Path(scratch) / f"chunk{index}.db")
            pending.append(pool.submit(_load_chunk, file, start, end, list(columns), db_path))

        # indexes are built once at the end (sorted), not row by row during the copies
        indexes = connection.execute(
            "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = 'logs' "
            "AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:
            connection.execute(f"DROP INDEX main.{quote_identifier(name)}")
        try:
            while queue and len(pending) < window:
                submit()
            while pending:
                result = pending.pop(0).result()
                if queue:
                    submit()
                _copy_chunk(connection, result, columns)
                report.loaded += result.loaded
                report.blank += result.blank
                report.add_skipped([line_offset + n for n in result.skipped_lines])
                report.skipped += result.skipped - len(result.skipped_lines)
                line_offset += result.lines
        finally:
            for _, sql in indexes:
                connection.execute(sql)
    return report

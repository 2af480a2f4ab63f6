"""The JSONL event sink: one compact JSON object per line, durably appended.

``write_batch`` returns only after the bytes are flushed and fsynced. Opening the file drops a torn
last line left by a crash (its events are still pending in the checkpoint and are collected again).
``recover`` answers exactly which pending uuids reached the file, by reading its tail.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from typing import Any

from okta_ir.errors import ConfigError, OktaIRError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["JsonlSink", "SinkError"]

log = logging.getLogger(__name__)

_BLOCK = 1 << 20


class SinkError(OktaIRError):
    """The output file could not be written; nothing was checkpointed past what it holds."""


class JsonlSink:
    """Append events to ``path`` as JSON lines; one writer per file (an exclusive lock is held)."""

    uses_json_lines = True  # the poller's EventBatch lines are written as they are

    def __init__(self, path: str) -> None:
        self.path = path
        self._encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            raise ConfigError(f"cannot open output file {path}: {exc.strerror}") from exc
        try:
            self._lock()
            self.dropped_bytes = self._truncate_torn_line()
        except BaseException:
            os.close(self._fd)
            raise

    def _lock(self) -> None:
        if fcntl is None:  # pragma: no cover
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise ConfigError(f"output file {self.path} is in use by another collector") from exc

    def _truncate_torn_line(self) -> int:
        size = os.fstat(self._fd).st_size
        if size == 0 or os.pread(self._fd, 1, size - 1) == b"\n":
            return 0
        end = size
        while end > 0:
            start = max(0, end - _BLOCK)
            chunk = os.pread(self._fd, end - start, start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                keep = start + cut + 1
                break
            end = start
        else:
            keep = 0
        os.ftruncate(self._fd, keep)
        os.fsync(self._fd)
        log.warning(
            "dropped a torn last line (%d bytes) from %s left by an interrupted run", size - keep, self.path
        )
        return size - keep

    def write_batch(self, events: Sequence[dict[str, Any]]) -> None:
        """Append the events, one per line; returns once they are on disk.

        When ``events`` carries ``json_lines`` (an EventBatch from the poller) those texts are written
        as they are; otherwise each event is encoded.
        """
        if not events:
            return
        lines = getattr(events, "json_lines", None)
        if lines is None or len(lines) != len(events):
            encode = self._encode
            lines = [encode(event) for event in events]
        text = "\n".join(lines) + "\n"
        # Lone surrogates only occur inside JSON strings, where "\udXXX" is their valid escape.
        data = text.encode("utf-8", "backslashreplace")
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
        except OSError as exc:
            raise SinkError(f"cannot write to {self.path}: {exc.strerror}") from exc

    def recover(self, pending_uuids: Sequence[str]) -> set[str]:
        """Which of the pending uuids are in the file (the batch being written when a run stopped).

        The pending batch is always the last thing written, so only the last ``len(pending)`` lines
        are read.
        """
        wanted = set(pending_uuids)
        if not wanted:
            return set()
        found: set[str] = set()
        for line in self._tail_lines(len(wanted)):
            try:
                uuid = json.loads(line).get("uuid")
            except (ValueError, AttributeError):
                continue
            if uuid in wanted:
                found.add(uuid)
        return found

    def _tail_lines(self, count: int) -> list[bytes]:
        end = os.fstat(self._fd).st_size
        buffer = b""
        while end > 0 and buffer.count(b"\n") <= count:
            start = max(0, end - _BLOCK)
            buffer = os.pread(self._fd, end - start, start) + buffer
            end = start
        lines = [line for line in buffer.split(b"\n") if line]
        return lines[-count:]

    def close(self) -> None:
        """Release the file (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> JsonlSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

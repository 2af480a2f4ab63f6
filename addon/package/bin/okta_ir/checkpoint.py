"""Collector checkpoints: the polling cursor plus the uuids delivered at the boundary.

A checkpoint is saved only AFTER the sink has durably written the events it covers.
Stores: ``FileCheckpointStore`` here (atomic write + fsync + rename); the KV-store one lives in
``okta_ir.splunk.kvstore``. Both follow ``CheckpointStore``.
"""

from __future__ import annotations

import glob
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol

from okta_ir.errors import CheckpointError

__all__ = ["Checkpoint", "CheckpointStore", "FileCheckpointStore"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Checkpoint:
    """Where a collector stands.

    cursor: the last ``rel="next"`` URL received (polling mode), or None before the first page.
    boundary_uuids: uuids already delivered that the cursor may deliver again (dedupe on resume).
    org: the org URL the cursor belongs to (a checkpoint never moves to another org).
    since: the start time the collection began with (informational).
    until: the end of a bounded export, or None in polling mode.
    done: a bounded export reached its last page.
    """

    cursor: Optional[str]
    boundary_uuids: tuple[str, ...] = ()
    org: Optional[str] = None
    since: Optional[str] = None
    until: Optional[str] = None
    done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "cursor": self.cursor,
            "boundary_uuids": list(self.boundary_uuids),
            "org": self.org,
            "since": self.since,
            "until": self.until,
            "done": self.done,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
            raise CheckpointError(
                "checkpoint has an unknown format; delete it to start over from the configured start time"
            )
        uuids = data.get("boundary_uuids") or []
        if not isinstance(uuids, list) or not all(isinstance(u, str) for u in uuids):
            raise CheckpointError("checkpoint boundary_uuids is not a list of strings; delete the checkpoint")
        return cls(
            cursor=data.get("cursor"),
            boundary_uuids=tuple(uuids),
            org=data.get("org"),
            since=data.get("since"),
            until=data.get("until"),
            done=bool(data.get("done", False)),
            extra=dict(data.get("extra") or {}),
        )


class CheckpointStore(Protocol):
    """Where checkpoints live, by key (one key per input/org)."""

    def load(self, key: str) -> Optional[Checkpoint]:
        """The saved checkpoint, or None when there is none."""
        ...

    def save(self, key: str, checkpoint: Checkpoint) -> None:
        """Persist durably; when this returns, a crash cannot lose it."""
        ...

    def delete(self, key: str) -> None:
        """Forget the checkpoint (no error when absent)."""
        ...


_SAFE_KEY = re.compile(r"[^A-Za-z0-9_.-]")


class FileCheckpointStore:
    """Checkpoints as JSON files in a directory: write to a temp file, fsync, rename, fsync the dir."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _path(self, key: str) -> str:
        if not key:
            raise CheckpointError("checkpoint key is empty")
        return os.path.join(self.directory, _SAFE_KEY.sub("_", key) + ".json")

    def load(self, key: str) -> Optional[Checkpoint]:
        path = self._path(key)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"cannot read checkpoint {path}: {exc}; fix or delete the file") from exc
        return Checkpoint.from_dict(data)

    def save(self, key: str, checkpoint: Checkpoint) -> None:
        path = self._path(key)
        try:
            os.makedirs(self.directory, exist_ok=True)
            prefix = "." + os.path.basename(path) + ".tmp-"
            for stale in glob.glob(os.path.join(glob.escape(self.directory), glob.escape(prefix) + "*")):
                os.unlink(stale)  # left by a process killed while saving this key (one writer per key)
            fd, tmp = tempfile.mkstemp(prefix=prefix, dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(json.dumps(checkpoint.to_dict()))  # json.dump: slow Python encoder
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise CheckpointError(f"cannot write checkpoint {path}: {exc}") from exc

    def delete(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CheckpointError(f"cannot delete checkpoint {self._path(key)}: {exc}") from exc

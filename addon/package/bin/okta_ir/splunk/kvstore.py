"""Collector checkpoints in a KV-store collection (works on search-head clusters and Splunk Cloud).

One document per input: ``{"_key": <input name>, "state": "<checkpoint JSON>"}`` in the collection
declared in collections.conf. Implements ``okta_ir.checkpoint.CheckpointStore`` over splunkd REST
``/servicesNS/nobody/<app>/storage/collections/data/<collection>``.
"""

from __future__ import annotations

import json
import time
from typing import Optional
from urllib.parse import quote

from okta_ir.checkpoint import Checkpoint
from okta_ir.errors import CheckpointError, SplunkdError
from okta_ir.splunk.rest import SplunkdClient, splunkd_messages

__all__ = ["CHECKPOINT_COLLECTION", "KVStoreCheckpointStore"]

CHECKPOINT_COLLECTION = "okta_ir_checkpoints"


class KVStoreCheckpointStore:
    """CheckpointStore backed by a KV-store collection."""

    def __init__(self, client: SplunkdClient, collection: str = CHECKPOINT_COLLECTION) -> None:
        self.client = client
        self.collection = collection

    def _path(self, key: Optional[str] = None) -> str:
        base = f"storage/collections/data/{quote(self.collection, safe='')}"
        if key is None:
            return self.client.ns_path(base)
        if not key:
            raise CheckpointError("checkpoint key is empty")
        return self.client.ns_path(f"{base}/{quote(key, safe='')}")

    def load(self, key: str) -> Optional[Checkpoint]:
        """The saved checkpoint for ``key``, or None when the collection has no document for it."""
        try:
            status, body = self.client.request("GET", self._path(key))
        except SplunkdError as exc:
            raise CheckpointError(f"cannot read checkpoint {key!r} from the KV store: {exc}") from None
        if status == 404:
            if _collection_missing(body):
                raise CheckpointError(
                    f"KV-store collection {self.collection!r} does not exist: "
                    "is the app's collections.conf deployed?"
                )
            return None
        if status != 200 or not isinstance(body, dict):
            raise CheckpointError(f"cannot read checkpoint {key!r} from the KV store: HTTP {status}")
        try:
            data = json.loads(body.get("state") or "")
        except ValueError:
            raise CheckpointError(
                f"checkpoint {key!r} in KV-store collection {self.collection!r} is not JSON; "
                "delete it to start over"
            ) from None
        return Checkpoint.from_dict(data)

    def save(self, key: str, checkpoint: Checkpoint) -> None:
        """Upsert the checkpoint (``batch_save``); when this returns, splunkd has stored it."""
        document = {
            "_key": key,
            "state": json.dumps(checkpoint.to_dict(), separators=(",", ":")),
            "updated": round(time.time(), 3),
        }
        try:
            self.client.call(
                "POST",
                f"{self._path()}/batch_save",
                json_body=[document],
                what=f"save checkpoint {key!r} in KV-store collection {self.collection!r}",
            )
        except SplunkdError as exc:
            raise CheckpointError(str(exc)) from None

    def delete(self, key: str) -> None:
        """Forget the checkpoint of ``key`` (no error when it is absent)."""
        try:
            self.client.call(
                "DELETE", self._path(key), ok=(200, 404), what=f"delete checkpoint {key!r} from the KV store"
            )
        except SplunkdError as exc:
            raise CheckpointError(str(exc)) from None

    def list_keys(self) -> list[str]:
        """Keys of every checkpoint document in the collection."""
        return list(self.list_updated())

    def list_updated(self) -> dict[str, float]:
        """Key -> when its checkpoint was last saved (epoch seconds; 0 when unknown)."""
        try:
            body = self.client.call(
                "GET",
                self._path(),
                params={"fields": "_key,updated"},
                what=f"list KV-store collection {self.collection!r}",
            )
        except SplunkdError as exc:
            raise CheckpointError(str(exc)) from None
        if not isinstance(body, list):
            raise CheckpointError(f"KV-store collection {self.collection!r} listing is not a JSON array")
        updated: dict[str, float] = {}
        for doc in body:
            if isinstance(doc, dict) and "_key" in doc:
                value = doc.get("updated")
                updated[str(doc["_key"])] = float(value) if isinstance(value, (int, float)) else 0.0
        return updated


def _collection_missing(body: object) -> bool:
    """True when a 404 is about the collection itself, not the document."""
    text = splunkd_messages(body).lower()
    return "collection" in text and "does not exist" in text

"""KV-store checkpoints over splunkd REST, against the splunkd stand-in."""

from __future__ import annotations

import pytest
from okta_ir.checkpoint import Checkpoint
from okta_ir.errors import CheckpointError
from okta_ir.splunk.kvstore import CHECKPOINT_COLLECTION, KVStoreCheckpointStore
from okta_ir.splunk.rest import SplunkdClient

from tests.support.splunkd import SplunkdStandIn


@pytest.fixture()
def splunkd():
    with SplunkdStandIn(collections=[CHECKPOINT_COLLECTION]) as standin:
        yield standin


def _store(splunkd: SplunkdStandIn, key: str = "") -> KVStoreCheckpointStore:
    return KVStoreCheckpointStore(SplunkdClient(splunkd.server_uri, key or splunkd.session_key, timeout=5))


def test_save_load_roundtrip_and_upsert(splunkd):
    store = _store(splunkd)
    assert store.load("corp") is None
    first = Checkpoint(cursor="https://acme.okta.com/api/v1/logs?after=1", boundary_uuids=("a", "b"),
                       org="https://acme.okta.com")
    store.save("corp", first)
    assert store.load("corp") == first
    second = Checkpoint(cursor="https://acme.okta.com/api/v1/logs?after=2", org="https://acme.okta.com")
    store.save("corp", second)
    assert store.load("corp") == second
    docs = splunkd.kv_documents(CHECKPOINT_COLLECTION)
    assert list(docs) == ["corp"]
    assert store.list_keys() == ["corp"]


def test_delete_is_idempotent(splunkd):
    store = _store(splunkd)
    store.save("corp", Checkpoint(cursor=None))
    store.delete("corp")
    store.delete("corp")
    assert store.load("corp") is None
    assert splunkd.kv_documents(CHECKPOINT_COLLECTION) == {}


def test_bad_session_key_is_a_checkpoint_error_without_the_key(splunkd):
    store = _store(splunkd, key="wrong-session-key-123")
    with pytest.raises(CheckpointError) as info:
        store.save("corp", Checkpoint(cursor=None))
    assert "401" in str(info.value) and "session key was refused" in str(info.value)
    assert "wrong-session-key-123" not in str(info.value)


def test_missing_collection_says_so(splunkd):
    store = KVStoreCheckpointStore(SplunkdClient(splunkd.server_uri, splunkd.session_key), collection="nope")
    with pytest.raises(CheckpointError, match="collection 'nope' does not exist"):
        store.load("corp")


def test_corrupt_document_is_reported(splunkd):
    splunkd.put_kv_document(CHECKPOINT_COLLECTION, {"_key": "corp", "state": "{not json"})
    with pytest.raises(CheckpointError, match="is not JSON; delete it"):
        _store(splunkd).load("corp")


def test_unreachable_splunkd_is_a_checkpoint_error():
    with SplunkdStandIn() as standin:
        uri, key = standin.server_uri, standin.session_key
    store = KVStoreCheckpointStore(SplunkdClient(uri, key, timeout=2))
    with pytest.raises(CheckpointError, match="cannot reach splunkd"):
        store.load("corp")


def test_prune_deletes_only_old_checkpoints_of_removed_inputs(splunkd):
    from okta_ir.splunk.modinput import prune_checkpoints

    client = SplunkdClient(splunkd.server_uri, splunkd.session_key)
    store = KVStoreCheckpointStore(client)
    splunkd.set_conf("inputs", "okta_system_log://live", account="a")
    splunkd.set_conf("inputs", "monitor:///var/log/x", sourcetype="x")
    store.save("live", Checkpoint(cursor=None))
    store.save("fresh_orphan", Checkpoint(cursor=None))  # saved just now: its input may be brand new
    splunkd.put_kv_document(CHECKPOINT_COLLECTION, {"_key": "old_orphan", "state": "{}", "updated": 1000.0})
    assert prune_checkpoints(client, store) == ["old_orphan"]
    assert sorted(store.list_keys()) == ["fresh_orphan", "live"]
    later = store.list_updated()["fresh_orphan"] + 7200
    assert prune_checkpoints(client, store, now=later) == ["fresh_orphan"]
    assert store.list_keys() == ["live"]

"""snapshot, restore, pickle and merge."""

import json
import pickle
import zlib

import pytest

import convolens
from conftest import EXAMPLE_CONFIG, SAMPLE, jsonl


def engine_with(docs, config=None):
    engine = convolens.Engine(config)
    engine.ingest_many(docs)
    return engine


def test_snapshot_restore_round_trip():
    engine = engine_with(SAMPLE, {"time_zone": "Europe/Berlin"})
    snap = engine.snapshot()
    assert isinstance(snap, bytes) and snap
    restored = convolens.Engine.restore(snap)
    assert restored.report() == engine.report()
    assert restored.config == engine.config
    assert restored.snapshot() == snap


def test_snapshot_of_the_example_data(example):
    engine = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    engine.ingest_jsonl(example)
    restored = convolens.Engine.restore(engine.snapshot())
    # The rate card travels in the snapshot: billing is the same.
    assert restored.report()["billing"]["cost"]["total"] > 0
    assert restored.report(compare=True) == engine.report(compare=True)


def test_restored_engine_goes_on_ingesting():
    engine = engine_with(SAMPLE[:2])
    restored = convolens.Engine.restore(engine.snapshot())
    restored.ingest_many(SAMPLE[2:])
    assert restored.report() == engine_with(SAMPLE).report()


def test_restore_accepts_bytearray():
    engine = engine_with(SAMPLE)
    assert convolens.Engine.restore(bytearray(engine.snapshot())).report() == engine.report()


@pytest.mark.parametrize("junk", [b"", b"garbage", b"\x00" * 64])
def test_restore_rejects_junk(junk):
    with pytest.raises(convolens.SnapshotError):
        convolens.Engine.restore(junk)


def test_restore_rejects_truncated_snapshot():
    snap = engine_with(SAMPLE).snapshot()
    with pytest.raises(convolens.SnapshotError):
        convolens.Engine.restore(snap[: len(snap) // 2])


def test_restore_wrong_type():
    with pytest.raises(TypeError):
        convolens.Engine.restore("not bytes")


def test_pickle_round_trip():
    engine = engine_with(SAMPLE)
    clone = pickle.loads(pickle.dumps(engine))
    assert clone is not engine and clone.report() == engine.report()


def user_of(doc, msg_user):
    """The user a document belongs to ("" for spend, which belongs to nobody)."""
    kind = doc.get("type")
    if kind == "outbound":
        return doc["to"]
    if kind in ("external_event", "close"):
        return doc["contact"]
    if kind == "click":
        return msg_user.get(doc["message_id"], "")
    if kind == "spend" or "entry" not in doc:  # spend records, typed or Meta Insights rows
        return ""
    value = doc["entry"][0]["changes"][0]["value"]
    for key, field in (("messages", "from"), ("statuses", "recipient_id"), ("contacts", "wa_id")):
        for item in value.get(key, []):
            return item[field]
    return ""


def test_merge_partitions_by_user(example):
    # Split the example data into two disjoint sets of users (spend goes to the first);
    # merging the two engines must give the report of one engine fed everything.
    docs = [json.loads(line) for line in example.read_text().splitlines() if line.strip()]
    msg_user = {d["id"]: d["to"] for d in docs if d.get("type") == "outbound"}
    parts = ([], [])
    for doc in docs:
        user = user_of(doc, msg_user)
        parts[zlib.crc32(user.encode()) % 2 if user else 0].append(doc)
    assert parts[0] and parts[1]
    whole = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    whole.ingest_many(docs)
    a, b = (convolens.Engine.from_config_file(EXAMPLE_CONFIG) for _ in range(2))
    a.ingest_many(parts[0])
    b.ingest_many(parts[1])
    a.merge(b)
    assert a.report() == whole.report()


def test_merge_small():
    a = engine_with(SAMPLE[:2])
    b = engine_with(SAMPLE[2:])
    a.merge(b)
    assert a.report()["input"]["records"] == engine_with(SAMPLE).report()["input"]["records"]
    # `b` is unchanged.
    assert b.report() == engine_with(SAMPLE[2:]).report()


def test_merge_with_itself_changes_nothing():
    a = engine_with(SAMPLE)
    before = a.report()
    a.merge(a)
    assert a.report() == before


def test_merge_different_configs_is_a_config_error():
    a = convolens.Engine({"time_zone": "UTC"})
    b = convolens.Engine({"time_zone": "Europe/Berlin"})
    with pytest.raises(convolens.ConfigError):
        a.merge(b)


def test_merge_wrong_type():
    with pytest.raises(TypeError):
        convolens.Engine().merge("engine")


def test_snapshot_errors_carry_the_core_kind():
    with pytest.raises(convolens.SnapshotError) as bad:
        convolens.Engine.restore(b"garbage")
    assert bad.value.kind == "bad_magic"
    snap = engine_with(SAMPLE).snapshot()
    with pytest.raises(convolens.SnapshotError) as cut:
        convolens.Engine.restore(snap[: len(snap) // 2])
    assert cut.value.kind == "corrupt"

"""Journal v2: exact round trip of every column, binary side-car, torn tails, v1 still reads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from framewise.core.detections import Detections
from framewise.core.errors import InputError
from framewise.core.fields import FieldReading
from framewise.core.results import FrameOutput
from framewise.events.journal import JournalEntry, JournalWriter, read_journal
from framewise.events.journal_arrays import arrays_dir


def output(k: int) -> FrameOutput:
    """A frame with every column set; values depend on ``k`` and are not round in float32."""
    rng = np.random.default_rng(k)
    dets = Detections(
        (rng.random((2, 4), dtype=np.float32) * [1, 1, 0, 0] + [0, 0, 100, 100]).astype(np.float32),
        rng.random(2, dtype=np.float32),
        ("kill", "hud"),
        (f"PMC {k}", None),
        fields=[{"weapon": FieldReading("AK-74M", 0.1 + k / 3), "hs": FieldReading(True, 1)}, {}],
        class_id=[3, 1],
        track_id=[k, -1],
        mask=rng.random((2, 5, 7)) > 0.5,
        keypoints=rng.random((2, 3, 3), dtype=np.float32),
        embedding=rng.random((2, 8), dtype=np.float32),
        data={"depth": rng.random(2), "label": np.array(["a", "bb"])},
    )
    return FrameOutput(
        dets,
        tags=(("raid", 0.25 + k / 7),),
        features=rng.random(2, dtype=np.float32),
        feature_names=("speed", "lux"),
        embedding=rng.random(4, dtype=np.float32),
        source_id=f"cam{k}",
    )


def assert_same(a: FrameOutput, b: FrameOutput) -> None:
    da, db = a.detections, b.detections
    assert da.class_name == db.class_name and da.text == db.text
    assert [dict(f) for f in da.fields] == [dict(f) for f in db.fields]
    for column in ("xyxy", "confidence", "class_id", "track_id", "mask", "keypoints", "embedding"):
        left, right = getattr(da, column), getattr(db, column)
        assert (left is None) == (right is None), column
        if left is not None:
            assert left.dtype == right.dtype and np.array_equal(left, right), column
    assert da.data.keys() == db.data.keys()
    assert all(np.array_equal(da.data[k], db.data[k]) for k in da.data)
    assert a.tags == b.tags and a.feature_names == b.feature_names and a.source_id == b.source_id
    assert np.array_equal(a.features, b.features)
    assert a.embedding is not None and b.embedding is not None
    assert np.array_equal(a.embedding, b.embedding)


def write(path: Path, outputs: list[FrameOutput], checkpoint_every: int = 2) -> None:
    writer = JournalWriter(path)
    for n, out in enumerate(outputs):
        writer.write(JournalEntry(n * 3, n / 10 + 1 / 3, out))
        if n % checkpoint_every == checkpoint_every - 1:
            writer.checkpoint()
    writer.close()


def test_every_column_round_trips_exactly(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    outputs = [output(k) for k in range(5)] + [FrameOutput.empty("cam9")]
    write(path, outputs)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"journal": 2}
    assert "mask" not in lines[1] and "npz" in lines[1]  # arrays sit in the side-car
    entries = read_journal(path)
    assert [e.index for e in entries] == [0, 3, 6, 9, 12, 15]
    assert entries[1].seconds == 1 / 10 + 1 / 3
    for entry, out in zip(entries[:5], outputs[:5], strict=True):
        assert_same(entry.output, out)
    assert len(entries[5].detections) == 0 and entries[5].output.source_id == "cam9"
    assert len(list(arrays_dir(path).glob("*.npz"))) == 3  # one shard per checkpoint


def test_v1_journal_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text(
        '{"i":0,"t":0.1,"d":[]}\n'
        '{"i":1,"t":0.2,"d":[["kill",0.8999999761581421,1.5,2.0,30.25,12.0,"PMC AK",'
        '{"weapon":{"value":"AK-74M","confidence":0.7},"hs":true}],'
        '["hud",0.5,0.0,0.0,10.0,10.0]]}\n'
        '{"i":2,"t":0.',
        encoding="utf-8",
    )
    first, second = read_journal(path)
    assert len(first.detections) == 0
    dets = second.detections
    assert dets.class_name == ("kill", "hud") and dets.text == ("PMC AK", None)
    assert dets.confidence[0] == np.float32(0.9) and dets.xyxy[0].tolist() == [1.5, 2, 30.25, 12]
    assert dets.fields[0]["weapon"] == FieldReading("AK-74M", 0.7)
    assert dets.fields[0]["hs"] == FieldReading(True, float(np.float32(0.9)))
    assert dict(dets.fields[1]) == {}


def test_torn_line_and_missing_shard_end_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    write(path, [output(k) for k in range(6)])
    assert len(read_journal(path)) == 6
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"i":99,"t":9.9,"d":{"n":["ki')
    assert len(read_journal(path)) == 6
    # The second shard (entries 2 and 3) never reached the disk: 2 and all after are torn.
    second = sorted(arrays_dir(path).glob("*.npz"))[1]
    second.unlink()
    assert [e.index for e in read_journal(path)] == [0, 3]


def test_rewriting_the_trusted_prefix_keeps_its_arrays(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    write(path, [output(k) for k in range(4)])
    old_shards = set(arrays_dir(path).iterdir())
    keep = read_journal(path)[:3]
    writer = JournalWriter(path, keep=keep)
    writer.write(JournalEntry(50, 5.0, Detections.empty()))
    writer.close()
    entries = read_journal(path)
    assert [e.index for e in entries] == [0, 3, 6, 50]
    for entry, k in zip(entries, range(3), strict=False):
        assert_same(entry.output, output(k))
    assert not old_shards & set(arrays_dir(path).iterdir())  # the old shards are gone
    assert not list(tmp_path.glob("*.partial"))


def test_plain_journal_has_no_side_car_and_newer_versions_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    plain = Detections(np.array([[0, 0, 4, 4]], np.float32), np.array([0.5], np.float32), ("a",))
    write(path, [FrameOutput(plain)])
    assert not arrays_dir(path).exists()
    assert read_journal(path)[0].detections.class_name == ("a",)
    assert read_journal(tmp_path / "missing.jsonl") == []
    path.write_text('{"journal": 3}\n', encoding="utf-8")
    with pytest.raises(InputError, match="version 3"):
        read_journal(path)

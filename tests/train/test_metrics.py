"""The metrics writer: JSONL records and TensorBoard event files that later writers never overwrite."""

import struct

from tensorboardX.proto import event_pb2

from seqjax import train


def _scalars(events_file):
    """(tag, step, value) of every scalar in a TensorBoard events file, read from its TFRecord framing."""
    data, found, at = events_file.read_bytes(), [], 0
    while at < len(data):
        (length,) = struct.unpack("<Q", data[at:at + 8])
        event = event_pb2.Event.FromString(data[at + 12:at + 12 + length])
        found += [(value.tag, event.step, value.simple_value) for value in event.summary.value]
        at += 12 + length + 4
    return found


def test_two_writers_in_the_same_second_keep_both_runs_events(tmp_path, monkeypatch):
    monkeypatch.setattr("tensorboardX.event_file_writer.time.time", lambda: 1.8e9)  # both files named in one second
    with train.MetricsWriter(tmp_path) as first:
        first.write(1, "train", {"loss": 2.0})
    with train.MetricsWriter(tmp_path) as second:
        second.write(2, "train", {"loss": 1.0, "grad_norm": float("nan")})
    files = sorted((tmp_path / "tensorboard").glob("events.out.tfevents.*"))
    assert len(files) == 2
    assert sorted(scalar for path in files for scalar in _scalars(path)) == [("train/loss", 1, 2.0),
                                                                             ("train/loss", 2, 1.0)]
    assert [(r["step"], r["loss"]) for r in train.read_metrics(tmp_path)] == [(1, 2.0), (2, 1.0)]


def test_a_writer_that_writes_nothing_creates_no_events_file(tmp_path):
    with train.MetricsWriter(tmp_path):
        pass
    assert not list(tmp_path.glob("tensorboard/*"))

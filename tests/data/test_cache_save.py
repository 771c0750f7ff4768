"""cache (memory and file) and Dataset.save/load, including writers killed mid-write."""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fluxion as tf
import fluxion.data  # noqa: F401 - until fluxion.__getattr__ serves it
from fluxion import errors
from fluxion.data import Dataset

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def counted(dataset, calls):
    def fn(*element):
        calls.append(1)
        return element if len(element) > 1 else element[0]
    return dataset.map(fn)


def as_lists(dataset):
    return [tf.nest.map_structure(lambda v: np.asarray(v).tolist(), e)
            for e in dataset.as_numpy_iterator()]


def test_memory_cache_computes_once_and_only_complete_passes():
    calls = []
    ds = counted(Dataset.range(6), calls).cache()
    assert as_lists(ds.take(2)) == [0, 1]  # a partial pass is not kept
    assert as_lists(ds) == list(range(6))
    assert as_lists(ds) == list(range(6))
    assert len(calls) == 2 + 6


def test_file_cache_survives_and_round_trips(tmp_path):
    data = {"img": np.arange(12, dtype=np.float32).reshape(4, 3),
            "name": np.array(["a", "bb", "", "dddd"]), "flag": np.array([1, 0, 1, 1], bool)}
    calls = []
    path = str(tmp_path / "sub" / "cache")
    first = as_lists(counted(Dataset.from_tensor_slices(data), calls).cache(path))
    assert os.path.exists(path + ".fxcache") and len(calls) == 4
    again = counted(Dataset.from_tensor_slices(data), calls).cache(path)  # a "later run"
    assert as_lists(again) == first and len(calls) == 4
    element = next(iter(again))
    assert element["img"].dtype == tf.float32 and element["name"].numpy() == b"a"
    assert element["flag"].dtype == tf.bool


def test_file_cache_partial_pass_leaves_nothing(tmp_path):
    path = str(tmp_path / "cache")
    ds = Dataset.range(10).cache(path)
    it = iter(ds)
    next(it)
    del it
    assert not any(name.startswith("cache") for name in os.listdir(tmp_path))
    assert as_lists(ds) == list(range(10)) and os.path.exists(path + ".fxcache")


def test_truncated_cache_file_is_an_error(tmp_path):
    path = str(tmp_path / "cache")
    list(Dataset.range(10).cache(path))
    with open(path + ".fxcache", "r+b") as f:
        f.truncate(os.path.getsize(path + ".fxcache") - 5)
    with pytest.raises(errors.DataLossError):
        list(Dataset.range(10).cache(path))


_SLOW_WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import fluxion as tf
    import fluxion.data
    def gen():
        for i in range(1000):
            if i == 5:
                print("HALFWAY", flush=True)
                time.sleep(60)
            yield i
    ds = tf.data.Dataset.from_generator(gen, output_signature=tf.TensorSpec([], tf.int64))
    {action}
""")


def _kill_midway(action: str, tmp_path) -> None:
    script = _SLOW_WRITER.format(root=ROOT, action=action)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    try:
        assert proc.stdout.readline().strip() == "HALFWAY"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_killed_cache_writer_leaves_no_valid_cache(tmp_path):
    path = str(tmp_path / "cache")
    _kill_midway(f"list(ds.cache({path!r}))", tmp_path)
    assert not os.path.exists(path + ".fxcache")
    leftovers = [n for n in os.listdir(tmp_path) if n.startswith("cache")]
    assert leftovers  # the killed writer's temporary is there, under another name
    assert as_lists(Dataset.range(7).cache(path)) == list(range(7))  # recomputed in full
    assert os.listdir(tmp_path) == ["cache.fxcache"]  # and the dead writer's file removed


def test_killed_save_leaves_no_dataset(tmp_path):
    path = str(tmp_path / "saved")
    _kill_midway(f"ds.save({path!r})", tmp_path)
    assert not os.path.exists(path)
    with pytest.raises(errors.NotFoundError):
        Dataset.load(path)
    Dataset.range(3).save(path)
    assert as_lists(Dataset.load(path)) == [0, 1, 2]
    assert sorted(os.listdir(tmp_path)) == ["saved"]


def test_save_load_round_trip(tmp_path):
    ds = Dataset.from_tensor_slices(
        (np.arange(10, dtype=np.int32), {"s": np.array([str(i) * i for i in range(10)]),
                                         "m": np.ones((10, 2, 2), np.float16)}))
    path = str(tmp_path / "ds")
    ds.save(path)
    loaded = Dataset.load(path)
    assert loaded.element_spec == ds.element_spec
    assert int(loaded.cardinality()) == 10
    assert as_lists(loaded) == as_lists(ds)


def test_save_gzip_shards_reader_func_and_overwrite(tmp_path):
    path = str(tmp_path / "ds")
    Dataset.range(10).save(path, compression="GZIP", shard_func=lambda x: x % 3)
    assert len([n for n in os.listdir(path) if n.startswith("shard-")]) == 3
    loaded = Dataset.load(path)
    assert sorted(as_lists(loaded)) == list(range(10))
    first_shard = Dataset.load(path, reader_func=lambda shards: shards.take(1).flat_map(
        lambda d: d))
    assert as_lists(first_shard) == [0, 3, 6, 9]
    with pytest.raises(ValueError, match="compression"):
        Dataset.load(path, compression="ZLIB")
    Dataset.range(2).save(path)  # saving again replaces the directory whole
    assert as_lists(Dataset.load(path)) == [0, 1]

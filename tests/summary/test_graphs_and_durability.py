"""Graphs in event files, and what survives a killed or exiting process."""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
from event_reading import read_run

import fluxion as tf
from fluxion import keras

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_trace_export_writes_the_functions_that_ran(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    w = tf.Variable(np.ones((3, 2), np.float32))

    @tf.function
    def forward(x):
        return tf.nn.relu(tf.matmul(x, w))  # the line the nodes point at

    tf.summary.trace_on(graph=True)
    forward(tf.ones((4, 3)))
    with writer.as_default():
        assert tf.summary.trace_export("forward_trace", step=0)
    writer.close()
    (graph_def,) = read_run(str(tmp_path))["__graph__"]
    ops = {node.op for node in graph_def.node}
    assert {"Placeholder", "matmul", "read_variable"} <= ops
    assert all(node.name.startswith("forward_trace/forward/") for node in graph_def.node)
    matmul = next(n for n in graph_def.node if n.op == "matmul")
    assert matmul.attr["_source"].s.decode().endswith(
        f"{os.path.basename(__file__)}:{forward.__wrapped__.__code__.co_firstlineno + 2}")
    assert [d.size for d in matmul.attr["_output_shapes"].list.shape[0].dim] == [4, 2]
    forward(tf.ones((4, 3)))  # recording stopped at export
    from fluxion.summary import graph_summary
    assert not graph_summary._recorded


def test_graph_of_a_model_groups_nodes_by_layer(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="hidden"),
                              keras.layers.Dense(1, name="out")])
    predict = tf.function(lambda x: model(x))
    predict(tf.ones((2, 3)))
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        tf.summary.graph(predict)
    writer.close()
    (graph_def,) = read_run(str(tmp_path))["__graph__"]
    scopes = {node.name.rsplit("/", 1)[0] for node in graph_def.node if "/" in node.name}
    assert {f"{model.name}/hidden", f"{model.name}/out"} <= scopes


def _run_child(code: str, log_dir: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), log_dir], env=env,
                          capture_output=True, text=True, timeout=120)


def test_flushed_records_survive_a_killed_process(tmp_path):
    child = _run_child("""
        import os, signal, sys
        import fluxion as tf
        writer = tf.summary.create_file_writer(sys.argv[1], flush_millis=10**9)
        with writer.as_default():
            for step in range(5):
                tf.summary.scalar("loss", float(step), step=step)
            tf.summary.flush()
            tf.summary.scalar("lost", 1.0, step=9)  # queued, never flushed
            os.kill(os.getpid(), signal.SIGKILL)
    """, str(tmp_path))
    assert child.returncode == -signal.SIGKILL
    records = read_run(str(tmp_path))
    assert [(s, float(v)) for s, v, _ in records["loss"]] == [(i, float(i)) for i in range(5)]


def test_unclosed_writers_are_flushed_at_exit(tmp_path):
    child = _run_child("""
        import sys
        import fluxion as tf
        writer = tf.summary.create_file_writer(sys.argv[1], flush_millis=10**9)
        writer.set_as_default(step=1)
        tf.summary.scalar("accuracy", 0.5)
    """, str(tmp_path))
    assert child.returncode == 0, child.stderr
    assert [s for s, _, _ in read_run(str(tmp_path))["accuracy"]] == [1]


def test_a_full_queue_bounds_memory_and_keeps_every_record(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=2)
    with writer.as_default():
        for step in range(200):
            tf.summary.scalar("x", float(step), step=step)
    writer.close()
    assert [s for s, _, _ in read_run(str(tmp_path))["x"]] == list(range(200))

"""Tests of fluxion.keras.utils: Progbar, label/array helpers, seeding, PyDataset, plots."""

import builtins
import io
import random
import re
import sys
import types
import warnings

import numpy as np
import pytest

import fluxion
from fluxion.keras import utils
from fluxion.keras.utils import io_utils

GLYPH = "\u2501"


class Terminal(io.StringIO):
    def isatty(self):
        return True


# -- Progbar ---------------------------------------------------------------------------------

def test_progbar_log_file_writes_once_without_control_characters(capsys):
    bar = utils.Progbar(4, verbose=1, interval=0)
    for step in range(1, 5):
        bar.update(step, [("loss", float(step))])
    out = capsys.readouterr().out
    # "loss" is averaged over steps until the final update, which shows it as given.
    assert re.fullmatch(rf"4/4 {GLYPH * 20} \d+s \d+(us|ms)/step - loss: 4\.0000\n", out), out


def test_progbar_terminal_redraws_with_colours_and_backspaces(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    bar = utils.Progbar(10, width=10, verbose=1, interval=0)
    bar.update(5, [("loss", 2.0)])
    bar.update(10, [("loss", 1.0)])
    first, second = terminal.getvalue().split("\r")[1:]
    assert first.startswith(f"\x1b[1m 5/10\x1b[0m \x1b[32m{GLYPH * 5}\x1b[0m"
                            f"\x1b[37m{GLYPH * 5}\x1b[0m \x1b[1m")  # padded count, then ETA
    assert first.endswith("loss: 2.0000" + "\b" * len(_visible(first)))
    assert second.startswith(f"\x1b[1m10/10\x1b[0m \x1b[32m{GLYPH * 10}\x1b[0m\x1b[37m\x1b[0m")
    assert second.endswith("loss: 1.0000\n")


def _visible(text):
    return re.sub(r"\x1b\[\d+m|\x08", "", text)


def test_progbar_interval_throttles_terminal_redraws(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    bar = utils.Progbar(100, verbose=1, interval=3600)
    for step in range(1, 101):
        bar.update(step)
    assert terminal.getvalue().count("\r") == 2  # the first update and the final one


def test_progbar_averages_stateless_and_shows_stateful_as_given(capsys):
    bar = utils.Progbar(None, verbose=2, stateful_metrics=["acc"])
    bar.update(1, [("loss", 1.0), ("acc", 0.1)])
    bar.update(3, [("loss", 4.0), ("acc", 0.3)])  # loss weighted by 2 steps
    bar.target = 4
    bar.add(1, [("small", 1e-5)])
    out = capsys.readouterr().out
    assert re.fullmatch(r"4/4 - \d+s - \d+(us|ms)/step - loss: 3\.0000 - acc: 0\.3000 - "
                        r"small: 1\.0000e-05\n", out), out
    with pytest.raises(ValueError, match="only one of"):
        utils.Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])


def test_progbar_verbose0_and_unknown_target(monkeypatch, capsys):
    silent = utils.Progbar(2, verbose=0)
    silent.update(2, [("loss", 1.0)])
    assert capsys.readouterr().out == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    bar = utils.Progbar(None, verbose=1, interval=0)
    bar.update(7)
    assert terminal.getvalue().startswith("\r      7/Unknown \x1b[1m")


def test_progbar_eta_and_time_formats():
    bar = utils.Progbar(10)
    assert bar._eta_text(1, 0.0, 500.0, finalize=False) == "1:15:00"
    assert bar._eta_text(1, 0.0, 10.0, finalize=False) == "1:30"
    assert bar._time_text(2.0) == " 2s/step" and bar._time_text(0.0026) == " 3ms/step"
    assert bar._time_text(2e-5) == " 20us/step"


def test_print_msg_goes_to_logging_when_interactive_logging_is_off(capsys, caplog):
    utils.disable_interactive_logging()
    try:
        with caplog.at_level("INFO", logger="fluxion.keras"):
            io_utils.print_msg("hello")
        assert not utils.is_interactive_logging_enabled()
    finally:
        utils.enable_interactive_logging()
    assert capsys.readouterr().out == "" and "hello" in caplog.text


# -- to_categorical / normalize ------------------------------------------------------------

def test_to_categorical_values_and_shapes():
    np.testing.assert_array_equal(utils.to_categorical([0, 2, 1]),
                                  [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert utils.to_categorical([0, 1], num_classes=4).shape == (2, 4)
    assert utils.to_categorical([0, 1]).dtype == np.float64
    column = utils.to_categorical(np.array([[1], [0]]), 3)  # (n, 1) -> (n, classes)
    np.testing.assert_array_equal(column, [[0, 1, 0], [1, 0, 0]])
    assert utils.to_categorical(np.zeros((2, 3), int), 5).shape == (2, 3, 5)
    tensor = utils.to_categorical(fluxion.constant([[2], [0]]), 3)
    assert fluxion.is_tensor(tensor) and tensor.dtype == fluxion.float32
    np.testing.assert_array_equal(tensor.numpy(), [[0, 0, 1], [1, 0, 0]])


def test_to_categorical_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        utils.to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="integer class indices"):
        utils.to_categorical([0.5, 1.0])


def test_normalize_numpy_and_tensor():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(utils.normalize(x, order=1), [[3 / 7, 4 / 7], [0, 0]])
    np.testing.assert_allclose(utils.normalize(x, axis=0), [[1.0, 1.0], [0.0, 0.0]])
    assert utils.normalize(x.astype("float32")).dtype == np.float32
    result = utils.normalize(fluxion.constant([[3.0, 4.0], [0.0, 0.0]]))
    assert fluxion.is_tensor(result)
    np.testing.assert_allclose(result.numpy(), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    l1 = utils.normalize([[3, 4]], order=1)
    np.testing.assert_allclose(l1.numpy(), [[3 / 7, 4 / 7]], rtol=1e-6)
    with pytest.raises(ValueError, match="order"):
        utils.normalize([[1.0]], order=0)


# -- set_random_seed -------------------------------------------------------------------------

def test_set_random_seed_makes_every_source_repeatable(monkeypatch):
    seen = []
    fake = types.ModuleType("fluxion.keras.random")
    fake.set_global_seed = seen.append
    monkeypatch.setitem(sys.modules, "fluxion.keras.random", fake)

    def draw():
        return (random.random(), np.random.rand(), float(fluxion.random.uniform([]).numpy()))

    utils.set_random_seed(42)
    first = draw()
    utils.set_random_seed(42)
    assert draw() == first
    assert seen == [42, 42]
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        utils.set_random_seed(1.5)


def test_set_random_seed_without_keras_random_set_global_seed(monkeypatch):
    monkeypatch.setitem(sys.modules, "fluxion.keras.random",
                        types.ModuleType("fluxion.keras.random"))
    utils.set_random_seed(3)  # no set_global_seed there: still seeds the rest
    assert fluxion.core.random_state.get_global_seed() == 3


# -- PyDataset -------------------------------------------------------------------------------

class Squares(utils.PyDataset):
    def __init__(self, count=6, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.count = count
        self.fail_at = fail_at

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if index == self.fail_at:
            raise IndexError(f"bad batch {index}")
        x = np.full((2, 1), index, "float32")
        return [x, x ** 2]


def _second_parts(batches):
    return [int(batch[1][0, 0]) for batch in batches]


@pytest.mark.parametrize("workers,processes", [(1, False), (3, False), (2, True)])
def test_py_dataset_batches_come_in_order(workers, processes):
    dataset = Squares(workers=workers, use_multiprocessing=processes, max_queue_size=2)
    batches = list(dataset.iter_batches())
    assert all(isinstance(batch, tuple) for batch in batches)
    assert _second_parts(batches) == [0, 1, 4, 9, 16, 25]


def test_py_dataset_shuffle_and_properties():
    dataset = Squares(workers=2)
    random.seed(0)
    order = _second_parts(dataset.iter_batches(shuffle=True))
    assert sorted(order) == [0, 1, 4, 9, 16, 25] and order != sorted(order)
    assert (dataset.workers, dataset.use_multiprocessing, dataset.max_queue_size) == (2, False,
                                                                                      10)
    assert dataset.num_batches == 6 and len(list(dataset)) == 6
    dataset.on_epoch_begin()
    dataset.on_epoch_end()


def test_py_dataset_errors_propagate_and_early_stop_is_clean():
    with pytest.raises(IndexError, match="bad batch 3"):
        list(Squares(fail_at=3, workers=2).iter_batches())
    iterator = Squares(count=1000, workers=2, max_queue_size=4).iter_batches()
    assert _second_parts([next(iterator), next(iterator)]) == [0, 1]
    iterator.close()  # drops queued loads and shuts the pool down


def test_py_dataset_endless_and_bad_batches():
    class Endless(utils.PyDataset):
        num_batches = None

        def __getitem__(self, index):
            return np.full((1,), index)

    iterator = Endless(workers=2).iter_batches()
    assert [int(next(iterator)[0][0]) for _ in range(5)] == [0, 1, 2, 3, 4]
    iterator.close()

    class Bad(utils.PyDataset):
        def __len__(self):
            return 1

        def __getitem__(self, index):
            return "text"

    with pytest.raises(ValueError, match="must return a tuple or a dict"):
        list(Bad().iter_batches())


def test_py_dataset_warns_when_super_init_not_called():
    class NoSuper(utils.PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 0

    with pytest.warns(UserWarning, match=r"super\(\).__init__"):
        assert NoSuper().workers == 1
    assert utils.Sequence is utils.PyDataset


# -- plot_model -------------------------------------------------------------------------------

def test_plot_model_without_pydot_says_how_to_install(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_pydot(name, *args, **kwargs):
        if name == "pydot":
            raise ImportError("No module named 'pydot'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pydot)
    with pytest.raises(ImportError, match=r"pip install pydot"):
        utils.plot_model(object(), str(tmp_path / "m.png"))
    assert not utils.model_visualization.check_graphviz()


def _functional_layers():
    from fluxion.keras.layers.input_layer import Input

    x = Input((3,), name="features")
    y = x * 2.0
    z = y + x
    layers = [x._keras_history[0], y._keras_history[0], z._keras_history[0]]
    return types.SimpleNamespace(name="model", built=True, layers=layers)


def test_model_to_dot_edges_follow_inbound_nodes():
    pydot = pytest.importorskip("pydot")
    model = _functional_layers()
    dot = utils.model_to_dot(model, show_shapes=True, show_layer_names=True)
    assert isinstance(dot, pydot.Dot)
    source, doubled, added = (str(id(layer)) for layer in model.layers)
    edges = {(e.get_source(), e.get_destination()) for e in dot.get_edges()}
    assert edges == {(source, doubled), (doubled, added), (source, added)}
    text = dot.to_string()
    assert "<b>features</b> (InputLayer)" in text and "Output shape: <b>(None, 3)</b>" in text
    assert "Input shape: <b>(None, 3), (None, 3)</b>" in text  # the add's two inputs
    chain = types.SimpleNamespace(name="seq", built=True, layers=[types.SimpleNamespace(
        name=f"l{i}", _inbound_nodes=[]) for i in range(3)])
    assert len(utils.model_to_dot(chain).get_edges()) == 2  # a Sequential: a chain
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        utils.model_to_dot(model, colour=True)


def test_modules_stay_warning_free():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(Squares(count=2).iter_batches())


def test_plot_model_writes_an_image(tmp_path):
    if not utils.model_visualization.check_graphviz():
        pytest.skip("pydot and graphviz are not installed")
    target = tmp_path / "model.svg"
    utils.plot_model(_functional_layers(), str(target), show_shapes=True, show_dtype=True,
                     show_trainable=True, show_layer_activations=True, expand_nested=True)
    assert target.read_text().lstrip().startswith(("<?xml", "<svg"))

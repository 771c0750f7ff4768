"""Runs one keras-io program, unchanged, under real Keras or under Fluxion.

Started by ``run_corpus.py`` in a fresh interpreter, in a scratch working folder:

    python harness.py --mode fluxion --status status.json program.py

Before the program runs it:

* (``fluxion`` mode) redirects ``import keras`` / ``keras.*`` to ``fluxion.keras`` and
  ``import tensorflow`` / ``tensorflow.*`` to ``fluxion``, with a meta-path finder;
* replaces ``keras.datasets.<name>.load_data`` by synthetic data of the real shapes and
  serves the files programs download by URL from ``synthetic_data.FILES`` (no network);
* caps training: ``Model.fit`` runs one epoch of at most ``FIT_STEPS`` batches (and as
  many validation batches), ``Model.evaluate`` at most ``FIT_STEPS`` batches;
* selects matplotlib's ``Agg`` backend, so plots are drawn to nothing.

It then runs the program as ``__main__`` and writes ``{"ok": bool, "error": ...,
"line": ...}`` to the status file: the exception's last line and the program's own line
that was executing when it was raised.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.abc
import importlib.util
import inspect
import io
import json
import os
import runpy
import sys
import traceback
import types
import urllib.error
import urllib.request
import urllib.response

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_data  # noqa: E402

FIT_STEPS = 20
_REDIRECTS = {"keras": "fluxion.keras", "tensorflow": "fluxion", "tf_keras": "fluxion.keras"}


class FluxionRedirect(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes ``keras.X`` the module (or module-like attribute) ``fluxion.keras.X``."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in _REDIRECTS:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        root, _, rest = spec.name.partition(".")
        target = _REDIRECTS[root] + ("." + rest if rest else "")
        try:
            return importlib.import_module(target)
        except ModuleNotFoundError as error:
            if error.name != target:
                raise
            parent, _, attribute = target.rpartition(".")
            value = getattr(importlib.import_module(parent), attribute, None)
            if isinstance(value, types.ModuleType) or (
                    value is not None and not callable(value)):
                return value
            raise

    def exec_module(self, module):
        pass


class SyntheticDataHandler(urllib.request.BaseHandler):
    """Answers http(s)/ftp requests from ``synthetic_data``; anything else is an error."""

    handler_order = 100  # before urllib's own HTTP handlers, which would go to the network

    def _serve(self, request):
        url = request.full_url
        data = synthetic_data.file_for_url(url)
        if data is None:
            raise urllib.error.URLError(f"corpus runner: no network and no synthetic data "
                                        f"for {url}")
        headers = {"Content-Length": str(len(data))}
        response = urllib.response.addinfourl(io.BytesIO(data), headers, url, code=200)
        response.msg = "OK"
        return response

    http_open = https_open = ftp_open = _serve


def _install_network_stand_in():
    opener = urllib.request.build_opener(SyntheticDataHandler)
    urllib.request.install_opener(opener)


def _patch_datasets(keras_module):
    for name, load_data in synthetic_data.DATASETS.items():
        try:
            module = importlib.import_module(f"{keras_module.__name__}.datasets.{name}")
        except ImportError:
            module = getattr(getattr(keras_module, "datasets", None), name, None)
        if module is not None:
            module.load_data = load_data


def _capped(value, cap):
    return cap if value is None or value == -1 else min(int(value), cap)


def _cap_fit(fit):
    signature = inspect.signature(fit)

    @functools.wraps(fit)
    def capped_fit(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        arguments = bound.arguments
        start = arguments.get("initial_epoch", 0) or 0
        arguments["epochs"] = min(arguments.get("epochs", 1) or 1, start + 1)
        arguments["steps_per_epoch"] = _capped(arguments.get("steps_per_epoch"), FIT_STEPS)
        if arguments.get("validation_data") is not None:
            arguments["validation_steps"] = _capped(arguments.get("validation_steps"),
                                                    FIT_STEPS)
        return fit(*bound.args, **bound.kwargs)
    return capped_fit


def _cap_evaluate(evaluate):
    signature = inspect.signature(evaluate)

    @functools.wraps(evaluate)
    def capped_evaluate(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.arguments["steps"] = _capped(bound.arguments.get("steps"), FIT_STEPS)
        return evaluate(*bound.args, **bound.kwargs)
    return capped_evaluate


def _tolerate_missing_graphviz(keras_module):
    """``plot_model`` draws with pydot and Graphviz; where they are not installed the
    drawing is skipped (plots are not what the corpus measures)."""
    utils = keras_module.utils
    plot_model = getattr(utils, "plot_model", None)
    if plot_model is None:
        return

    @functools.wraps(plot_model)
    def plot_or_skip(*args, **kwargs):
        try:
            return plot_model(*args, **kwargs)
        except ImportError as error:
            print(f"[corpus runner] plot_model skipped: {error}")
            return None
    utils.plot_model = plot_or_skip


def _patch_training(keras_module):
    model = keras_module.Model
    model.fit = _cap_fit(model.fit)
    model.evaluate = _cap_evaluate(model.evaluate)


def _prepare(mode):
    os.environ.setdefault("MPLBACKEND", "Agg")
    _install_network_stand_in()
    if mode == "fluxion":
        sys.meta_path.insert(0, FluxionRedirect())
    else:
        os.environ["KERAS_BACKEND"] = "tensorflow"
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow  # noqa: F401  (fixes the backend before the program's own choice)
    import keras
    _patch_datasets(keras)
    _patch_training(keras)
    _tolerate_missing_graphviz(keras)
    if mode == "keras":
        import tensorflow as tf
        _patch_datasets(tf.keras)


def _program_line(error, program):
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if os.path.abspath(frame.filename) == program:
            line = frame.lineno
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("keras", "fluxion"), required=True)
    parser.add_argument("--status", required=True)
    parser.add_argument("program")
    options = parser.parse_args()
    program = os.path.abspath(options.program)
    status = {"ok": False, "error": None, "line": None}
    try:
        _prepare(options.mode)
        sys.argv = [program]
        runpy.run_path(program, run_name="__main__")
        status["ok"] = True
    except BaseException as error:  # noqa: BLE001 (every failure is a result to record)
        if isinstance(error, SystemExit) and error.code in (0, None):
            status["ok"] = True
        else:
            traceback.print_exc()
            last = traceback.format_exception_only(type(error), error)[-1].strip()
            status["error"] = last.splitlines()[0][:400] if last else type(error).__name__
            status["line"] = _program_line(error, program)
    with open(options.status, "w") as handle:
        json.dump(status, handle)


if __name__ == "__main__":
    main()

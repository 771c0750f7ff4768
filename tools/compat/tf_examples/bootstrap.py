"""Runs one corpus program under TensorFlow or Fluxion; started by ``run_corpus.py``.

    python bootstrap.py --engine fluxion [--tf1] [--steps 20] [--epochs 2] PROGRAM RESULT

Before the program runs:

- ``--engine fluxion`` puts an import hook in front of ``sys.meta_path`` that answers
  ``tensorflow`` and every ``tensorflow.X.Y`` with ``fluxion`` and ``fluxion.X.Y``
  (a module, or the attribute of that name on its parent), so the program runs
  unchanged on Fluxion.  ``--engine tensorflow`` imports the real package.
- ``tensorflow.examples.tutorials.mnist.input_data`` (gone from TensorFlow 2), the
  ``load_data`` of ``keras.datasets``, ``tensorflow_datasets.load`` (its image sets) and
  Udacity's ``notMNIST.pickle`` are served from ``synthetic_data`` for both engines.
- ``--tf1``: ``import tensorflow as tf`` is read as ``import tensorflow.compat.v1 as tf``
  and ``disable_v2_behavior()`` is called, the migration TensorFlow documents for TF 1
  programs; the same rewrite for both engines.
- Training is capped: a module-level ``num_steps = 10000`` (any integer constant whose
  name ends in ``steps``, ``epochs``, ``iterations`` or ``iters``) becomes
  ``min(value, cap)``.  The rest of the program (evaluation, saving, restoring) runs
  as written.

The outcome goes to ``RESULT`` as JSON: ``status`` (``pass``/``fail``), and on failure
the error's type and message, the program's line that led to it and the deepest frame.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.abc
import importlib.util
import io
import json
import os
import re
import sys
import time
import tokenize
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import synthetic_data  # noqa: E402

CAPPED_NAME = re.compile(r"(^|_)(steps|epochs|iterations|iters|num_steps)$")
EPOCH_NAME = re.compile(r"epochs?$")


# --------------------------------------------------------------------------- source
def rewrite_source(source: str, tf1: bool, steps: int, epochs: int) -> ast.Module:
    """The program's AST with the TF 1 import rewrite and the training cap applied."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if tf1 and isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "tensorflow":
                    alias.name = "tensorflow.compat.v1"
                    alias.asname = alias.asname or "tensorflow"
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant)
                and type(node.value.value) is int
                and CAPPED_NAME.search(node.targets[0].id)):
            cap = epochs if EPOCH_NAME.search(node.targets[0].id) else steps
            node.value.value = min(node.value.value, cap)
    return tree


def notebook_source(path: str) -> str:
    """The code cells of a notebook as one program: IPython shell lines (``!cmd``, with
    their backslash continuations) and line magics dropped, ``%%writefile`` cells turned
    into the file writes they stand for, other cell magics (``%%bash``) dropped.  A line
    starting with ``%`` inside an unfinished statement is Python (``% args``), kept."""
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        text = "".join(cell.get("source", []))
        first, _, body = text.lstrip().partition("\n")
        if first.startswith("%%writefile"):
            target = first.split()[-1]
            cells.append(f"with open({target!r}, 'w') as _cell_file:\n"
                         f"    _cell_file.write({body!r})")
            continue
        if first.startswith("%%"):
            continue
        kept: list = []
        continuing_shell = False
        for line in text.splitlines():
            if continuing_shell:
                continuing_shell = line.rstrip().endswith("\\")
                continue
            if line.lstrip().startswith(("!", "%")) and not _inside_statement(kept):
                continuing_shell = line.rstrip().endswith("\\")
                continue
            kept.append(line)
        cells.append("\n".join(kept))
    return "\n\n".join(cells) + "\n"


def _inside_statement(lines: list) -> bool:
    """Whether ``lines`` end inside an unfinished statement (open brackets, ``\\``)."""
    if not lines:
        return False
    if lines[-1].rstrip().endswith("\\"):
        return True
    try:
        for _token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            pass
    except (tokenize.TokenError, SyntaxError):
        return True
    return False


# --------------------------------------------------------------------------- imports
def synthetic_examples_module(name: str) -> types.ModuleType:
    """``tensorflow.examples[.tutorials[.mnist[.input_data]]]`` over synthetic digits."""
    module = types.ModuleType(name)
    if name.endswith("input_data"):
        module.read_data_sets = synthetic_data.read_data_sets
        module.DataSet = synthetic_data.DataSet
    else:
        module.__path__ = []
    return module


class _ExistingModuleLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class TensorflowAlias(importlib.abc.MetaPathFinder):
    """Answers ``tensorflow.*`` imports: synthetic examples, and ``fluxion`` if asked."""

    def __init__(self, to_fluxion: bool):
        self.to_fluxion = to_fluxion

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith("tensorflow.examples") or fullname == "tensorflow.examples":
            module = synthetic_examples_module(fullname)
        elif fullname == "tensorflow_datasets":
            module = synthetic_data.tfds_module()
        elif self.to_fluxion and (fullname == "tensorflow"
                                  or fullname.startswith("tensorflow.")):
            module = self._fluxion_module("fluxion" + fullname[len("tensorflow"):])
            if module is None:
                return None
        else:
            return None
        return importlib.util.spec_from_loader(fullname, _ExistingModuleLoader(module))

    @staticmethod
    def _fluxion_module(name: str):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            parent_name, _, leaf = name.rpartition(".")
            if not parent_name:
                return None
            parent = TensorflowAlias._fluxion_module(parent_name)
            value = getattr(parent, leaf, None) if parent is not None else None
            return value if isinstance(value, types.ModuleType) else None


def patch_keras_datasets(engine: str) -> None:
    """Every reference to a ``keras.datasets.X.load_data`` becomes the synthetic one."""
    prefix = "keras.src.datasets." if engine == "tensorflow" else "fluxion.keras.datasets."
    for name, replacement in synthetic_data.KERAS_DATASETS.items():
        try:
            module = importlib.import_module(prefix + name)
        except ImportError:
            continue
        original = module.load_data
        for loaded in list(sys.modules.values()):
            if getattr(loaded, "load_data", None) is original:
                loaded.load_data = replacement


# --------------------------------------------------------------------------- run
def describe_failure(error: BaseException, program: str) -> dict:
    frames = traceback.extract_tb(error.__traceback__)
    own = [frame for frame in frames if frame.filename == program]
    where = f"line {own[-1].lineno}: {own[-1].line}" if own else ""
    deepest = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    message = str(error).strip().splitlines()
    return {"status": "fail", "error": f"{type(error).__name__}: "
            f"{message[0][:300] if message else ''}", "where": where, "raised_in": deepest}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=("tensorflow", "fluxion"), required=True)
    parser.add_argument("--tf1", action="store_true")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("program")
    parser.add_argument("result")
    args = parser.parse_args()
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    program = os.path.abspath(args.program)
    started = time.perf_counter()
    outcome = {"status": "pass"}
    try:
        if program.endswith(".ipynb"):
            source = notebook_source(program)
        else:
            with open(program, encoding="utf-8") as handle:
                source = handle.read()
        if program.endswith(".ipynb"):  # tracebacks then show the notebook's code lines
            import linecache

            linecache.cache[program] = (len(source), None, source.splitlines(True), program)
        tree = rewrite_source(source, args.tf1, args.steps, args.epochs)
        code = compile(tree, program, "exec")
        sys.meta_path.insert(0, TensorflowAlias(args.engine == "fluxion"))
        if args.tf1:
            importlib.import_module("tensorflow.compat.v1").disable_v2_behavior()
        if "datasets" in source:
            patch_keras_datasets(args.engine)
        if "notMNIST.pickle" in source:
            synthetic_data.write_notmnist_pickle("notMNIST.pickle")
        sys.argv = [program]
        # The program runs as the real __main__ module, so test runners
        # (tf.test.main, unittest) find the test classes it defines.
        main_module = types.ModuleType("__main__")
        main_module.__file__ = program
        sys.modules["__main__"] = main_module
        exec(code, main_module.__dict__)
    except SystemExit as stop:
        if stop.code not in (None, 0):
            outcome = {"status": "fail", "error": f"SystemExit: {stop.code}", "where": "",
                       "raised_in": ""}
    except BaseException as error:  # noqa: BLE001 - every failure is recorded
        outcome = describe_failure(error, program)
    outcome["seconds"] = round(time.perf_counter() - started, 2)
    with open(args.result, "w", encoding="utf-8") as handle:
        json.dump(outcome, handle)


if __name__ == "__main__":
    main()

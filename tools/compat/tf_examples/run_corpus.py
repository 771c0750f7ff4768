"""Runs a corpus of TensorFlow programs under real TensorFlow and under Fluxion.

    python tools/compat/tf_examples/run_corpus.py --corpus /work/corpus/tf-examples \
        [--corpus-name aymericdamien|tensorflow-examples] \
        [--engine tensorflow|fluxion|both] [--only PATTERN] [--timeout 300]

Each program runs in its own subprocess (``bootstrap.py``: import swap, synthetic
datasets, training capped) in a fresh working folder, with a timeout.  The outcome of
every (program, engine) pair is merged into the corpus's results file next to this file
(``results.json`` for aymericdamien/TensorFlow-Examples,
``results_tensorflow_examples.json`` for tensorflow/examples), and its ``.md`` twin is
rewritten from it: one row a program, and the pass rate of Fluxion
over the programs that pass under TensorFlow.  Only program names and outcomes are
recorded, never their code.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


class Corpus:
    """One corpus: where its programs are, which are TF 1 programs, where results go."""

    def __init__(self, name: str, repository: str, roots: tuple, tf1_prefixes: tuple,
                 results_stem: str, skip: tuple = ()):
        self.name = name
        self.repository = repository
        self.roots = roots
        self.tf1_prefixes = tf1_prefixes
        self.results_json = os.path.join(HERE, results_stem + ".json")
        self.results_md = os.path.join(HERE, results_stem + ".md")
        self.skip = skip

    def find_programs(self, corpus: str) -> list:
        """The corpus's ``.py`` and ``.ipynb`` files under its roots, relative, sorted."""
        found = []
        for root in self.roots:
            for folder, _dirs, files in os.walk(os.path.join(corpus, root)):
                for name in files:
                    path = os.path.relpath(os.path.join(folder, name), corpus)
                    if name.endswith((".py", ".ipynb")) and not any(
                            fnmatch.fnmatch(path, pattern) for pattern in self.skip):
                        found.append(path)
        return sorted(found)

    def is_tf1(self, program: str) -> bool:
        return program.startswith(self.tf1_prefixes)


CORPORA = {
    # aymericdamien/TensorFlow-Examples: the TF 1 programs and notebooks, and the TF 2
    # notebooks.  Its top-level examples/ and notebooks/ folders repeat tensorflow_v1/.
    "aymericdamien": Corpus(
        "aymericdamien", "aymericdamien/TensorFlow-Examples",
        ("tensorflow_v1/examples", "tensorflow_v1/notebooks", "tensorflow_v2/notebooks"),
        ("tensorflow_v1/",), "results"),
    # tensorflow/examples: the course notebooks (Udacity's deep-learning course is TF 1
    # graph code) and the model programs with their tests.  Package markers
    # (``__init__.py``) and the TFLite apps' host-side tools are not programs.
    "tensorflow-examples": Corpus(
        "tensorflow-examples", "tensorflow/examples",
        ("courses", "tensorflow_examples/models", "tensorflow_examples/profiling",
         "lite/codelabs"),
        ("courses/udacity_deep_learning/",), "results_tensorflow_examples",
        skip=("*/__init__.py",)),
}
DEFAULT_PYTHONS = {"tensorflow": "/work/refvenv/bin/python", "fluxion": sys.executable}


def run_one(corpus: str, program: str, engine: str, python: str, timeout: float,
            steps: int, epochs: int, tf1: bool) -> dict:
    """Runs one program under one engine; its outcome as a dict."""
    with tempfile.TemporaryDirectory(prefix="corpus-") as workdir:
        result_file = os.path.join(workdir, "result.json")
        command = [python, os.path.join(HERE, "bootstrap.py"), "--engine", engine,
                   "--steps", str(steps), "--epochs", str(epochs)]
        if tf1:
            command.append("--tf1")
        command += [os.path.join(corpus, program), result_file]
        environment = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2",
                           CUDA_VISIBLE_DEVICES="")
        # The program's own folder is importable (its sibling modules), as when run there.
        paths = [os.path.dirname(os.path.join(corpus, program)), corpus]
        if engine == "fluxion":
            paths.insert(0, REPOSITORY)
        environment["PYTHONPATH"] = os.pathsep.join(paths)
        started = time.perf_counter()
        try:
            completed = subprocess.run(command, cwd=workdir, env=environment, timeout=timeout,
                                       capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "error": f"no result within {timeout:g} s",
                    "seconds": round(time.perf_counter() - started, 2)}
        if os.path.exists(result_file):
            with open(result_file, encoding="utf-8") as handle:
                return json.load(handle)
        tail = (completed.stderr or completed.stdout or "").strip().splitlines()[-1:]
        return {"status": "fail", "error": f"crashed (exit {completed.returncode}): "
                f"{tail[0][:300] if tail else ''}",
                "seconds": round(time.perf_counter() - started, 2)}


def load_results(corpus: Corpus) -> dict:
    if os.path.exists(corpus.results_json):
        with open(corpus.results_json, encoding="utf-8") as handle:
            return json.load(handle)
    return {}


def save_results(results: dict, corpus: Corpus) -> None:
    with open(corpus.results_json, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
        handle.write("\n")
    with open(corpus.results_md, "w", encoding="utf-8") as handle:
        handle.write(render_markdown(results, corpus))


def pass_rate(results: dict) -> tuple:
    """(Fluxion passes, programs passing under TensorFlow)."""
    reference = [name for name, row in results.items()
                 if row.get("tensorflow", {}).get("status") == "pass"]
    passed = [name for name in reference if row_status(results[name], "fluxion") == "pass"]
    return len(passed), len(reference)


def row_status(row: dict, engine: str) -> str:
    return row.get(engine, {}).get("status", "-")


def render_markdown(results: dict, corpus: Corpus) -> str:
    passed, reference = pass_rate(results)
    rate = f"{100.0 * passed / reference:.0f}%" if reference else "n/a"
    lines = [f"# {corpus.repository} corpus: results", "",
             "Written by `run_corpus.py` (see README.md).  Programs from "
             f"{corpus.repository}; code not included.", "",
             f"**Fluxion passes {passed} of the {reference} programs that pass under "
             f"TensorFlow 2.21 ({rate}).**  {len(results)} programs in all; those failing "
             "under TensorFlow too (tf.contrib, Python 2, downloads) do not count.", "",
             "| program | TensorFlow | Fluxion | Fluxion's first error |",
             "|---|---|---|---|"]
    for name in sorted(results):
        row = results[name]
        flux = row.get("fluxion", {})
        error = flux.get("error", "") if flux.get("status") != "pass" else ""
        if row_status(row, "tensorflow") != "pass" and not error:
            error = "TF: " + row.get("tensorflow", {}).get("error", "")
        error = error.replace("|", "\\|").replace("\n", " ")[:160]
        lines.append(f"| {name} | {row_status(row, 'tensorflow')} | "
                     f"{row_status(row, 'fluxion')} | {error} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True, help="the extracted repository")
    parser.add_argument("--corpus-name", choices=sorted(CORPORA), default="aymericdamien",
                        help="which repository --corpus holds")
    parser.add_argument("--engine", choices=("tensorflow", "fluxion", "both"), default="both")
    parser.add_argument("--only", default="*", help="glob on program paths")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--steps", type=int, default=20, help="cap on *_steps constants")
    parser.add_argument("--epochs", type=int, default=2, help="cap on *_epochs constants")
    parser.add_argument("--tf-python", default=DEFAULT_PYTHONS["tensorflow"])
    parser.add_argument("--fluxion-python", default=DEFAULT_PYTHONS["fluxion"])
    parser.add_argument("--reuse-tf", action="store_true",
                        help="keep recorded TensorFlow outcomes (timeouts are rerun)")
    parser.add_argument("--skip-tf-failures", action="store_true",
                        help="under Fluxion, run only programs that pass under TensorFlow")
    args = parser.parse_args()
    engines = ("tensorflow", "fluxion") if args.engine == "both" else (args.engine,)
    pythons = {"tensorflow": args.tf_python, "fluxion": args.fluxion_python}
    corpus = CORPORA[args.corpus_name]
    results = load_results(corpus)
    for program in corpus.find_programs(args.corpus):
        if not fnmatch.fnmatch(program, args.only):
            continue
        row = results.setdefault(program, {})
        for engine in engines:
            if (engine == "tensorflow" and args.reuse_tf
                    and row_status(row, "tensorflow") in ("pass", "fail")):
                continue
            if (engine == "fluxion" and args.skip_tf_failures
                    and row_status(row, "tensorflow") not in ("pass", "-")):
                continue
            outcome = run_one(args.corpus, program, engine, pythons[engine], args.timeout,
                              args.steps, args.epochs, corpus.is_tf1(program))
            row[engine] = outcome
            print(f"{outcome['status']:8s} {engine:10s} {program}  "
                  f"{outcome.get('error', '')[:120]}", flush=True)
            save_results(results, corpus)
    passed, reference = pass_rate(results)
    print(f"Fluxion passes {passed}/{reference} of the programs passing under TensorFlow")


if __name__ == "__main__":
    main()

"""Runs the keras-io corpus under real Keras or under Fluxion and records the results.

    python tools/compat/keras_io/run_corpus.py --mode keras             # the reference
    python tools/compat/keras_io/run_corpus.py --mode fluxion           # Fluxion
    python tools/compat/keras_io/run_corpus.py --mode fluxion --only vae --only mnist

Each program listed in ``programs.txt`` (file names in ``--corpus``, by default
``/work/corpus/keras-io``) runs in its own interpreter through ``harness.py``, in a
scratch folder, with a timeout. Results are merged into ``results.json`` (one entry per
program and mode: ok / fail / timeout, seconds, the error's last line and the program's
line) and ``results.md`` is rewritten from it. The programs' code is not kept here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
DEFAULT_CORPUS = "/work/corpus/keras-io"
DEFAULT_PYTHON = {"keras": "/work/refvenv/bin/python", "fluxion": sys.executable}


def read_program_list(path: str) -> list[str]:
    names = []
    with open(path) as handle:
        for line in handle:
            line = line.split("#")[0].strip()
            if line:
                names.append(line)
    return names


def run_one(name: str, mode: str, corpus: str, python: str, timeout: float) -> dict:
    """Runs one program; returns its result entry."""
    program = os.path.join(corpus, name)
    with tempfile.TemporaryDirectory(prefix="kio_") as scratch:
        status_path = os.path.join(scratch, "status.json")
        env = dict(os.environ)
        env["KERAS_HOME"] = os.path.join(scratch, "keras_home")
        env["MPLBACKEND"] = "Agg"
        env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
        env["PYTHONUNBUFFERED"] = "1"
        command = [python, os.path.join(HERE, "harness.py"), "--mode", mode,
                   "--status", status_path, program]
        start = time.perf_counter()
        try:
            completed = subprocess.run(command, cwd=scratch, env=env, timeout=timeout,
                                       capture_output=True, text=True, errors="replace")
            output = completed.stdout + completed.stderr
            timed_out = False
        except subprocess.TimeoutExpired as expired:
            output = "".join(part.decode(errors="replace") if isinstance(part, bytes)
                             else part for part in (expired.stdout, expired.stderr) if part)
            timed_out = True
        seconds = round(time.perf_counter() - start, 1)
        if timed_out:
            return {"status": "timeout", "seconds": seconds, "error": f"over {timeout}s",
                    "line": None, "tail": output[-2000:]}
        try:
            with open(status_path) as handle:
                status = json.load(handle)
        except (OSError, ValueError):
            status = {"ok": False, "error": f"crashed, exit code {completed.returncode}",
                      "line": None}
        return {"status": "ok" if status["ok"] else "fail", "seconds": seconds,
                "error": status["error"], "line": status["line"],
                "tail": output[-6000:]}


def load_results(path: str) -> dict:
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        return json.load(handle)


def write_markdown(results: dict, path: str) -> None:
    names = sorted(results)
    keras_ok = [n for n in names if results[n].get("keras", {}).get("status") == "ok"]
    both_ok = [n for n in keras_ok if results[n].get("fluxion", {}).get("status") == "ok"]
    lines = ["# keras-io corpus results", "",
             "Written by `run_corpus.py` (see README.md). Synthetic data of the real shapes, "
             "`fit` capped at one epoch of 20 batches.", "",
             f"**Fluxion runs {len(both_ok)} of the {len(keras_ok)} programs that run under "
             f"real Keras** ({100 * len(both_ok) / max(1, len(keras_ok)):.0f}%); "
             f"{len(names)} programs tried.", "",
             "| program | Keras 3 | Fluxion | Fluxion's error (program line) |",
             "|---|---|---|---|"]
    for name in names:
        entry = results[name]
        keras_status = entry.get("keras", {}).get("status", "-")
        fluxion = entry.get("fluxion", {})
        error = ""
        if fluxion.get("status") not in (None, "ok"):
            error = (fluxion.get("error") or "").replace("|", "\\|")[:160]
            if fluxion.get("line"):
                error += f" (line {fluxion['line']})"
        if keras_status not in ("ok", "-") and not error:
            keras_error = entry["keras"].get("error") or ""
            error = "Keras: " + keras_error.replace("|", "\\|")[:140]
        lines.append(f"| {name[:-3]} | {keras_status} | {fluxion.get('status', '-')} | "
                     f"{error} |")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("keras", "fluxion"), required=True)
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--programs", default=os.path.join(HERE, "programs.txt"))
    parser.add_argument("--results", default=os.path.join(HERE, "results.json"))
    parser.add_argument("--python", default=None, help="the interpreter to run programs with")
    parser.add_argument("--logs", default="/tmp/kio_logs",
                        help="where each program's output tail is kept")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--only", action="append", default=[],
                        help="run only programs whose name contains this (repeatable)")
    parser.add_argument("--failed", action="store_true",
                        help="run only programs not yet ok in this mode")
    parser.add_argument("--resume", action="store_true",
                        help="skip programs that already have a result in this mode (so "
                             "several runs can share the list)")
    parser.add_argument("--keras-ok", action="store_true",
                        help="run only programs that ran under real Keras")
    parser.add_argument("--reverse", action="store_true", help="run the list backwards")
    options = parser.parse_args()
    python = options.python or DEFAULT_PYTHON[options.mode]
    results = load_results(options.results)
    names = read_program_list(options.programs)
    if options.only:
        names = [n for n in names if any(part in n for part in options.only)]
    if options.keras_ok:
        names = [n for n in names
                 if results.get(n, {}).get("keras", {}).get("status") == "ok"]
    if options.reverse:
        names = names[::-1]
    if options.failed:
        names = [n for n in names
                 if results.get(n, {}).get(options.mode, {}).get("status") != "ok"]
    for name in names:
        if options.resume and options.mode in load_results(options.results).get(name, {}):
            continue  # done already (by this run's predecessor or a parallel run)
        entry = run_one(name, options.mode, options.corpus, python, options.timeout)
        tail = entry.pop("tail")
        results = load_results(options.results)  # another mode's run may have written
        results.setdefault(name, {})[options.mode] = entry
        where = f"(line {entry['line']})" if entry["line"] else ""
        print(f"{entry['status']:8s} {entry['seconds']:7.1f}s  {name}  "
              f"{entry['error'] or ''} {where}", flush=True)
        log_dir = os.path.join(options.logs, options.mode)
        os.makedirs(log_dir, exist_ok=True)
        with open(os.path.join(log_dir, name[:-3] + ".log"), "w") as handle:
            handle.write(tail)
        with open(options.results, "w") as handle:
            json.dump(results, handle, indent=1, sort_keys=True)
        write_markdown(results, os.path.splitext(options.results)[0] + ".md")


if __name__ == "__main__":
    main()

"""The ``fluxion`` command.

    fluxion launch -n 4 [--hostfile FILE] train.py [args...]

``launch`` runs a training script on N workers with ``mpiexec`` (from the extra
``fluxion[mpi]``), giving each worker its share of this machine's usable CPUs as its
thread count (``FLUXION_NUM_THREADS``), so ranks do not oversubscribe the cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys


def _launch(args) -> int:
    mpiexec = shutil.which("mpiexec")
    if mpiexec is None:
        print("fluxion launch: mpiexec not found; pip install 'fluxion-ml[mpi]' (mpi4py and "
              "MPICH)", file=sys.stderr)
        return 2
    if args.num_workers < 1:
        print(f"fluxion launch: -n must be at least 1, got {args.num_workers}", file=sys.stderr)
        return 2
    from fluxion.core.usable_cpus import usable_cpu_count

    per_worker = max(1, int(usable_cpu_count()) // args.num_workers) if args.hostfile is None else 1
    command = [mpiexec, "-n", str(args.num_workers)]
    if args.hostfile:
        command += ["-f", args.hostfile]
    command += [sys.executable, args.script, *args.script_args]
    env = dict(os.environ)
    env.setdefault("FLUXION_NUM_THREADS", str(per_worker))
    return subprocess.call(command, env=env)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="fluxion", description="Fluxion's command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    launch = commands.add_parser("launch", help="run a training script on N MPI workers")
    launch.add_argument("-n", "--num-workers", type=int, required=True)
    launch.add_argument("--hostfile", help="an MPI hostfile, for several machines")
    launch.add_argument("script")
    launch.add_argument("script_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "launch":
        return _launch(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())

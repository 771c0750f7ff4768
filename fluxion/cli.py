"""The ``fluxion`` command.

    fluxion launch -n 4 [--hostfile FILE] train.py [args...]
    fluxion convert model.keras --to tfjs OUT_DIR [--quantize uint8|uint16|float16]
    fluxion convert model.keras --to onnx OUT.onnx
    fluxion convert model.keras --to tflite OUT.tflite [--quantize dynamic|float16|int8
                                    --representative-data SAMPLES.npy --io-type int8|uint8]
    fluxion serve --model_name NAME --model_base_path DIR [--rest_api_port 8501]

``launch`` runs a training script on N workers with ``mpiexec`` (from the extra
``fluxion[mpi]``), giving each worker its share of this machine's usable CPUs as its
thread count (``FLUXION_NUM_THREADS``; with ``--hostfile``, each worker's strategy shares
its own machine's CPUs), so ranks do not oversubscribe the cores; when a worker fails
it says so and how to resume.
``convert`` loads a saved Keras model (``.keras`` or legacy ``.h5``) and exports it:
``--to tfjs`` writes a TensorFlow.js layers model (``fluxion.js.save_keras_model``);
``--to onnx`` an ONNX file (``fluxion.onnx``); ``--to tflite`` a TensorFlow Lite file
(``fluxion.lite``), its weights quantized with
``--quantize`` (int8 quantizes activations too, calibrated on the ``.npy`` array of
samples given by ``--representative-data``).
``serve`` runs a model server with TensorFlow Serving's REST API and
``tensorflow_model_server``'s flags (``fluxion.serving``, extra ``fluxion-ml[serving]``).
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

    command = [mpiexec, "-n", str(args.num_workers)]
    if args.hostfile:
        command += ["-f", args.hostfile]
    command += [sys.executable, args.script, *args.script_args]
    env = dict(os.environ)
    if args.hostfile is None:
        per_worker = max(1, int(usable_cpu_count()) // args.num_workers)
        env.setdefault("FLUXION_NUM_THREADS", str(per_worker))
    # With a hostfile, each worker's MultiWorkerMirroredStrategy shares its own machine's
    # CPUs between the ranks placed there (fluxion.distribute.mpi_comm).
    status = subprocess.call(command, env=env)
    if status != 0:
        # mpiexec stops every worker when one fails (a killed worker gets no chance
        # to say so): say what happened and how to go on.
        print(f"fluxion launch: a worker of {args.script} failed (mpiexec exit status "
              f"{status}); mpiexec stopped the other workers. If the script trains with "
              f"keras.callbacks.BackupAndRestore, run the same command again to resume "
              f"from the last backup.", file=sys.stderr)
    return status


def _convert(args) -> int:
    from fluxion.keras.saving.saving_api import load_model

    if not os.path.exists(args.model):
        print(f"fluxion convert: no such model file: {args.model}", file=sys.stderr)
        return 2
    try:
        model = load_model(args.model, compile=False)
        if args.to == "tfjs":
            from fluxion.js import save_keras_model

            save_keras_model(model, args.output,
                             quantization_dtype_map={args.quantize: True} if args.quantize
                             else None,
                             weight_shard_size_bytes=args.weight_shard_size_bytes)
        elif args.to == "tflite":
            _convert_to_tflite(model, args)
        elif args.to == "onnx":
            from fluxion.onnx import export

            export(model, args.output)
    except ValueError as error:
        print(f"fluxion convert: {error}", file=sys.stderr)
        return 1
    print(f"Wrote {args.to} model of {args.model} to {args.output}")
    return 0


def _serve(args) -> int:
    from fluxion.serving.options import options_from_args

    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        print("fluxion serve: needs Starlette and uvicorn; pip install 'fluxion-ml[serving]'",
              file=sys.stderr)
        return 2
    try:
        options = options_from_args(args)
    except (ValueError, ImportError) as error:
        print(f"fluxion serve: {error}", file=sys.stderr)
        return 2
    from fluxion.serving.server import serve

    return serve(options)


_QUANTIZE_BY_TARGET = {"tfjs": ("uint8", "uint16", "float16"),
                       "tflite": ("dynamic", "float16", "int8"), "onnx": ()}


def _convert_to_tflite(model, args) -> None:
    from fluxion.lite.keras_export import export_litert

    options = {}
    if args.quantize is not None:
        import fluxion
        from fluxion.lite import OpsSet, Optimize

        options["optimizations"] = [Optimize.DEFAULT]
        if args.quantize == "float16":
            options["target_spec"] = {"supported_types": [fluxion.float16]}
        if args.quantize == "int8":
            if args.representative_data is None:
                raise ValueError("--quantize int8 calibrates activations: give "
                                 "--representative-data SAMPLES.npy (an array of inputs)")
            import numpy as np

            samples = np.load(args.representative_data).astype(np.float32)
            options["representative_dataset"] = lambda: ([s[None]] for s in samples)
            options["target_spec"] = {"supported_ops": [OpsSet.TFLITE_BUILTINS_INT8]}
            if args.io_type is not None:
                options["inference_input_type"] = getattr(fluxion, args.io_type)
                options["inference_output_type"] = getattr(fluxion, args.io_type)
    if args.io_type is not None and args.quantize != "int8":
        raise ValueError("--io-type needs --quantize int8")
    export_litert(model, args.output, **options)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="fluxion", description="Fluxion's command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    launch = commands.add_parser("launch", help="run a training script on N MPI workers")
    launch.add_argument("-n", "--num-workers", type=int, required=True)
    launch.add_argument("--hostfile", help="an MPI hostfile, for several machines")
    launch.add_argument("script")
    launch.add_argument("script_args", nargs=argparse.REMAINDER)
    convert = commands.add_parser("convert", help="export a saved Keras model")
    convert.add_argument("model", help="a .keras file (or a legacy .h5)")
    convert.add_argument("--to", required=True, choices=["tfjs", "tflite", "onnx"],
                         help="the target format")
    convert.add_argument("output", help="the directory (tfjs), .tflite or .onnx file to "
                         "write")
    convert.add_argument("--quantize",
                         choices=["uint8", "uint16", "float16", "dynamic", "int8"],
                         help="tfjs: store the weights as uint8, uint16 or float16; tflite: "
                              "dynamic (int8 weights), float16 or int8 (weights and "
                              "activations)")
    convert.add_argument("--representative-data",
                         help="tflite int8: a .npy array of input samples to calibrate on")
    convert.add_argument("--io-type", choices=["int8", "uint8"],
                         help="tflite int8: the input and output type (default float32)")
    convert.add_argument("--weight-shard-size-bytes", type=int, default=4 * 1024 * 1024,
                         help="the largest weight file (tfjs; default 4 MiB)")
    serve = commands.add_parser("serve", help="serve saved models over TensorFlow Serving's "
                                "REST API")
    from fluxion.serving.options import add_serve_arguments

    add_serve_arguments(serve)
    args = parser.parse_args(argv)
    if args.command == "convert" and args.quantize is not None and \
            args.quantize not in _QUANTIZE_BY_TARGET[args.to]:
        parser.error(f"--quantize {args.quantize} is not a {args.to} option; choose from "
                     f"{', '.join(_QUANTIZE_BY_TARGET[args.to])}")
    if args.command == "launch":
        return _launch(args)
    if args.command == "convert":
        return _convert(args)
    if args.command == "serve":
        return _serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())

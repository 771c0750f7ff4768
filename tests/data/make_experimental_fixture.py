"""Records TensorFlow's outputs for ``experimental_pipelines`` into
fixtures/tf_data_experimental.json.

Run once with real TensorFlow:
``/work/refvenv/bin/python tests/data/make_experimental_fixture.py``.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tensorflow as tf  # noqa: E402
from experimental_pipelines import PIPELINES  # noqa: E402
from tf_pipelines import to_json  # noqa: E402


def main() -> None:
    out = {"tensorflow": tf.__version__, "pipelines": {}}
    for name, build in PIPELINES.items():
        dataset = build(tf)
        out["pipelines"][name] = {
            "elements": [to_json(e) for e in dataset.as_numpy_iterator()],
            "cardinality": int(dataset.cardinality()),
        }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                        "tf_data_experimental.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote", path)


if __name__ == "__main__":
    main()

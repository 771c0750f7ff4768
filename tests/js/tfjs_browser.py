"""Runs a tfjs layers model in headless Chromium and reads its predictions back.

The exported model and ``@tensorflow/tfjs``'s ``tf.min.js`` are served from a temporary
folder by an HTTP server on 127.0.0.1 (a free port, in a background thread); a page
loads the model with ``tf.loadLayersModel`` on tfjs's CPU backend, predicts on the
given inputs and writes the outputs as JSON into the DOM, which ``chromium --headless
--dump-dom`` prints.  ``resave_in_browser`` has tfjs save the model it loaded, for
the other direction (tfjs's files read by Fluxion).  ``missing()`` says why the browser run is impossible here (no
Chromium, no tfjs package), so a test can skip with that reason.

Setup (what ``.ci/run`` does): ``apt-get install -y chromium`` and
``npm install --prefix /work/tfjs_node_modules @tensorflow/tfjs@4.22.0`` (or set
``FLUXION_TFJS_NODE_MODULES`` to a ``node_modules`` folder holding ``@tensorflow/tfjs``).
"""

from __future__ import annotations

import base64
import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading

import numpy as np

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_NODE_MODULES = (os.environ.get("FLUXION_TFJS_NODE_MODULES", ""),
                 "/work/tfjs_node_modules/node_modules",
                 os.path.join(os.path.dirname(__file__), "..", "..", "node_modules"))
_TFJS_FILE = os.path.join("@tensorflow", "tfjs", "dist", "tf.min.js")

_PAGE = """<!doctype html><html><body><pre id="out">pending</pre>
<script src="tf.min.js"></script>
<script>
(async () => {
  const out = document.getElementById("out");
  try {
    await tf.setBackend("cpu");
    const model = await tf.loadLayersModel("model/model.json");
    const inputs = %(inputs)s.map(i => tf.tensor(i.values, i.shape, "float32"));
    let ys = model.predict(inputs.length === 1 ? inputs[0] : inputs);
    ys = Array.isArray(ys) ? ys : [ys];
    const outputs = [];
    for (const y of ys) outputs.push({shape: y.shape, values: Array.from(await y.data())});
    out.textContent = JSON.stringify({ok: true, outputs: outputs, version: tf.version.tfjs});
  } catch (e) {
    out.textContent = JSON.stringify({ok: false, error: String((e && e.stack) || e)});
  }
})();
</script></body></html>
"""


def browser() -> str | None:
    for name in _BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def tfjs_script() -> str | None:
    for folder in _NODE_MODULES:
        if folder and os.path.isfile(os.path.join(folder, _TFJS_FILE)):
            return os.path.join(folder, _TFJS_FILE)
    return None


def missing() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if browser() is None:
        return "no Chromium on PATH (apt-get install -y chromium)"
    if tfjs_script() is None:
        return ("@tensorflow/tfjs not found (npm install --prefix /work/tfjs_node_modules "
                "@tensorflow/tfjs@4.22.0, or set FLUXION_TFJS_NODE_MODULES)")
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def predict_in_browser(model_dir: str, inputs: list, timeout: float = 120.0) -> list:
    """The outputs (``np.ndarray`` list) of the tfjs model in ``model_dir`` on ``inputs``."""
    with tempfile.TemporaryDirectory() as root:
        shutil.copytree(model_dir, os.path.join(root, "model"))
        shutil.copy(tfjs_script(), os.path.join(root, "tf.min.js"))
        payload = [{"shape": list(x.shape), "values": np.asarray(x, np.float32).ravel()
                    .tolist()} for x in inputs]
        with open(os.path.join(root, "index.html"), "w", encoding="utf-8") as f:
            f.write(_PAGE % {"inputs": json.dumps(payload)})
        dom = page_dom(root, "index.html", timeout)
    match = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    if match is None:
        raise AssertionError(f"The page printed no result; DOM: {dom[:2000]}")
    result = json.loads(html.unescape(match.group(1)))
    if not result.get("ok"):
        raise AssertionError(f"tfjs failed in the browser: {result.get('error') or result}")
    return [np.asarray(o["values"], np.float32).reshape(o["shape"]) for o in result["outputs"]]


_RESAVE_PAGE = """<!doctype html><html><body><pre id="out">pending</pre>
<script src="tf.min.js"></script>
<script>
(async () => {
  const out = document.getElementById("out");
  try {
    const model = await tf.loadLayersModel("model/model.json");
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      const bytes = new Uint8Array(artifacts.weightData);
      let text = "";
      for (const byte of bytes) text += String.fromCharCode(byte);
      out.textContent = JSON.stringify({ok: true, topology: artifacts.modelTopology,
                                        specs: artifacts.weightSpecs, data: btoa(text)});
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: "JSON"}};
    }));
  } catch (e) {
    out.textContent = JSON.stringify({ok: false, error: String((e && e.stack) || e)});
  }
})();
</script></body></html>
"""


def resave_in_browser(model_dir: str, out_dir: str, timeout: float = 120.0) -> None:
    """Loads the tfjs model in ``model_dir`` in the browser, saves it with tfjs's own
    ``model.save`` and writes what tfjs saved as ``out_dir/model.json`` + one shard."""
    with tempfile.TemporaryDirectory() as root:
        shutil.copytree(model_dir, os.path.join(root, "model"))
        shutil.copy(tfjs_script(), os.path.join(root, "tf.min.js"))
        with open(os.path.join(root, "index.html"), "w", encoding="utf-8") as f:
            f.write(_RESAVE_PAGE)
        dom = page_dom(root, "index.html", timeout)
    match = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    result = json.loads(html.unescape(match.group(1))) if match else {"error": dom[:2000]}
    if not result.get("ok"):
        raise AssertionError(f"tfjs could not re-save the model: {result.get('error')}")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "group1-shard1of1.bin"), "wb") as f:
        f.write(base64.b64decode(result["data"]))
    with open(os.path.join(out_dir, "model.json"), "w", encoding="utf-8") as f:
        json.dump({"format": "layers-model", "modelTopology": result["topology"],
                   "weightsManifest": [{"paths": ["group1-shard1of1.bin"],
                                        "weights": result["specs"]}]}, f)


def page_dom(root: str, page: str, timeout: float = 120.0) -> str:
    """The DOM of ``root/page`` (``page`` may carry a query) after its scripts ran, as
    headless Chromium shows it, with ``root`` served on 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with tempfile.TemporaryDirectory() as profile:
            url = f"http://127.0.0.1:{server.server_address[1]}/{page}"
            return _dump_dom(url, profile, timeout)
    finally:
        server.shutdown()
        server.server_close()


def _dump_dom(url: str, profile: str, timeout: float) -> str:
    command = [browser(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--no-first-run", f"--user-data-dir={profile}",
               "--virtual-time-budget=60000", "--dump-dom", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 and "<pre" not in done.stdout:
        raise AssertionError(f"Chromium exited with {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout

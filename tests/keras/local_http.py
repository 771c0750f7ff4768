"""A file server on 127.0.0.1 for the download tests (no internet on the test machines).

``/files/NAME`` serves ``root/NAME``; ``/slow/NAME`` sends the headers and half of it,
then stalls (for killing a client mid-download); ``/short/NAME`` announces the full
length, sends half and closes the connection.
"""

from __future__ import annotations

import http.server
import os
import threading
import time


class _Handler(http.server.BaseHTTPRequestHandler):
    root = "."

    def do_GET(self):  # noqa: N802 - the http.server hook's name
        _, mode, name = self.path.split("/", 2)
        path = os.path.join(self.root, name)
        if mode not in ("files", "slow", "short") or not os.path.isfile(path):
            self.send_error(404, "Not Found")
            return
        with open(path, "rb") as handle:
            data = handle.read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if mode == "files":
            self.wfile.write(data)
            return
        self.wfile.write(data[:len(data) // 2])
        self.wfile.flush()
        if mode == "slow":
            time.sleep(30)
        self.close_connection = True

    def log_message(self, *args):
        pass


class LocalServer:
    """Serves ``root`` in a background thread; ``url(name, mode)`` builds addresses."""

    def __init__(self, root: str):
        handler = type("Handler", (_Handler,), {"root": root})
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, name: str = "", mode: str = "files") -> str:
        return f"{self.base}/{mode}/{name}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

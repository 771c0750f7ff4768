"""TensorFlow Serving's REST API over the model manager, as a Starlette application.

    GET  /v1/models/NAME[/versions/N | /labels/L]             model status
    GET  /v1/models/NAME[/versions/N | /labels/L]/metadata    signature definitions
    POST /v1/models/NAME[/versions/N | /labels/L]:predict     (also :classify, :regress)

Paths are matched with TensorFlow Serving's own patterns (case-insensitive); anything
else under ``/v1/`` is a malformed request (400).  Every failure answers
``{"error": "..."}`` with the HTTP status of its canonical code, and no failure of one
request affects the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import urllib.parse

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fluxion.serving import examples_json, predict_json
from fluxion.serving.errors import ServingError, invalid_argument
from fluxion.serving.status_json import metadata_json, status_json

log = logging.getLogger("fluxion.serving")

_VERSION_OR_LABEL = r"(?:(?:/versions/(\d+))|(?:/labels/([^/:]+)))?"
PREDICTION_PATH = re.compile(
    r"/v1/models/([^/:]+)" + _VERSION_OR_LABEL + r":(classify|regress|predict)", re.I)
STATUS_PATH = re.compile(r"/v1/models(?:/([^/:]+))?" + _VERSION_OR_LABEL + r"(?:/(metadata))?",
                         re.I)
_JSON = "application/json"


def _json_response(text: str, status: int = 200) -> Response:
    return Response(text, status_code=status, media_type=_JSON)


def error_response(error: ServingError) -> Response:
    return _json_response(json.dumps({"error": error.message}), error.http_status)


class RestApi:
    """The request handlers; ``execute`` runs a signature (batched or not) and raises
    ``asyncio.TimeoutError`` past the request deadline."""

    def __init__(self, manager, execute, metrics):
        self.manager = manager
        self.execute = execute
        self.metrics = metrics

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        method = request.method
        model, api = "", "unknown"
        try:
            match = None
            if method == "POST":
                match = PREDICTION_PATH.fullmatch(path)
            elif method == "GET":
                match = STATUS_PATH.fullmatch(path)
            if match is None:
                raise invalid_argument(f"Malformed request: {method} {path}")
            model = urllib.parse.unquote(match.group(1) or "")
            version = int(match.group(2)) if match.group(2) else None
            label = urllib.parse.unquote(match.group(3)) if match.group(3) else None
            if version is not None and version >= 2**63:
                raise invalid_argument(f"Failed to convert version: {match.group(2)} to "
                                       "numeric.")
            if method == "POST":
                api = match.group(4).lower()
                body = await request.body()
                work = self._predict(model, version, label, body) if api == "predict" else \
                    self._classify_regress(api, model, version, label, body)
                text = await work
            elif match.group(4):
                api = "GetModelMetadata"
                text = self._metadata(model, version, label)
            else:
                api = "GetModelStatus"
                text = self._status(model, version, label)
            response = _json_response(text)
            status = "OK"
        except ServingError as error:
            response, status = error_response(error), error.code
        except asyncio.TimeoutError:
            error = ServingError("DEADLINE_EXCEEDED", "Deadline Exceeded")
            response, status = error_response(error), error.code
        except Exception as error:  # a bug must cost one request, never the server
            log.exception("request %s %s failed", method, path)
            error = ServingError("INTERNAL", f"{type(error).__name__}: {error}")
            response, status = error_response(error), error.code
        if self.metrics is not None:
            self.metrics.record_request(model, api, status, time.perf_counter() - started)
        return response

    async def _predict(self, model, version, label, body: bytes) -> str:
        document = predict_json.parse_json_object(body)
        signature_name = predict_json.signature_name_of(document)
        servable = self.manager.servable(model, version, label)
        signature = servable.signature(signature_name)
        request_format, inputs = predict_json.predict_inputs(
            document, signature.input_dtypes, signature_name)
        outputs = await self.execute(servable, signature, inputs)
        return predict_json.predict_response(outputs, request_format)

    async def _classify_regress(self, api, model, version, label, body: bytes) -> str:
        document = predict_json.parse_json_object(body)
        signature_name = predict_json.signature_name_of(document)
        records = examples_json.serialized_examples(document, api)
        servable = self.manager.servable(model, version, label)
        signature = servable.signature(signature_name)
        input_name = examples_json.check_signature(signature, api)
        outputs = await self.execute(servable, signature, {input_name: records})
        if api == "classify":
            return examples_json.classify_response(outputs, len(records))
        return examples_json.regress_response(outputs, len(records))

    def _status(self, model, version, label) -> str:
        if not model:
            raise invalid_argument("Missing model name in request.")
        return status_json(self.manager.version_states(model, version, label))

    def _metadata(self, model, version, label) -> str:
        if not model:
            raise invalid_argument("Missing model name in request.")
        return metadata_json(self.manager.servable(model, version, label))


def build_app(api: RestApi, prometheus_path: str | None = None, on_shutdown=None) -> Starlette:
    """The Starlette application serving ``api`` (and the metrics page if asked);
    ``on_shutdown`` (an async function) runs once the server has drained."""
    routes = []
    if prometheus_path:
        async def prometheus(request: Request) -> Response:
            return Response(api.metrics.prometheus_text(), media_type="text/plain")

        routes.append(Route(prometheus_path, prometheus, methods=["GET"]))

    async def not_found(request: Request) -> Response:
        return _json_response('{"error": "Not Found"}', 404)

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    routes.append(Route("/v1/{rest:path}", api.handle, methods=methods))
    routes.append(Route("/v1", api.handle, methods=methods))
    routes.append(Route("/{rest:path}", not_found, methods=methods))
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        if on_shutdown is not None:
            await on_shutdown()

    return Starlette(routes=routes, lifespan=lifespan)

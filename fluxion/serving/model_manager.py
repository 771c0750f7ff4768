"""The models being served: polling base paths, loading and unloading versions.

Each model has a base path holding one directory per version (``1/``, ``2/``...).  A
poll lists the complete version directories (a saved model fully written: one being
written is not yet a candidate), applies the model's version policy (``latest`` N, the
default one; ``all``; ``specific`` versions) and loads the chosen versions that are not
loaded, then unloads the loaded ones no longer chosen.  A version that fails to load is
recorded (state END with its error) and left out of the policy's choice, so the
versions already serving keep serving; it is tried again once its directory changes.

Versions move through TensorFlow Serving's states START -> LOADING -> AVAILABLE ->
UNLOADING -> END.  Requests get the latest AVAILABLE version unless they name one
(by number or by label).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field

from fluxion.serving.errors import ServingError, invalid_argument, not_found
from fluxion.serving.servable import Servable, is_complete, load_servable

log = logging.getLogger("fluxion.serving")


@dataclass
class VersionState:
    version: int
    state: str = "START"
    error_code: str = "OK"
    error_message: str = ""
    servable: Servable | None = None
    stamp: tuple = ()  # the directory's contents when a load failed


@dataclass
class ModelState:
    config: object  # options.ModelSpecConfig
    versions: dict = field(default_factory=dict)  # version -> VersionState
    waiting: set = field(default_factory=set)  # incomplete directories already logged


def _directory_stamp(path: str) -> tuple:
    """What a version directory holds (names, sizes, times): changes when it is rewritten."""
    entries = []
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            try:
                info = os.stat(full)
            except OSError:
                continue
            entries.append((os.path.relpath(full, path), info.st_size, info.st_mtime_ns))
    return tuple(sorted(entries))


def _version_directories(base_path: str) -> dict:
    """``{version: path}`` for the all-digit subdirectories of ``base_path``."""
    try:
        names = os.listdir(base_path)
    except OSError:
        return {}
    found = {}
    for name in names:
        path = os.path.join(base_path, name)
        if name.isdigit() and os.path.isdir(path):
            found[int(name)] = path
    return found


class ModelManager:
    """Keeps each configured model's chosen versions loaded; answers lookups."""

    def __init__(self, models: list, poll_seconds: float = 1.0, loader=load_servable):
        self._models = {config.name: ModelState(config) for config in models}
        self._poll_seconds = poll_seconds
        self._loader = loader
        self._lock = threading.Lock()  # guards version states (read by requests)
        self._poll_lock = threading.RLock()  # one poll or reconfiguration at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- polling ------------------------------------------------------------------
    def start(self) -> None:
        """Loads what is there now, then keeps polling in a background thread."""
        self.poll_once()
        if self._poll_seconds > 0:
            self._thread = threading.Thread(target=self._poll_loop, name="fluxion-model-poll",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _poll_loop(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                self.poll_once()
            except Exception:  # a poll that fails must not stop the next ones
                log.exception("polling the model base paths failed")

    def poll_once(self) -> None:
        with self._poll_lock:
            for model in list(self._models.values()):
                self._poll_model(model)

    def reconfigure(self, models: list) -> None:
        """Serves exactly ``models`` from now on (a re-read config file): new models are
        loaded, removed ones unloaded, changed policies and labels apply at once."""
        wanted = {config.name: config for config in models}
        with self._poll_lock:
            for name in [n for n in self._models if n not in wanted]:
                removed = self._models.pop(name)
                for version, state in removed.versions.items():
                    if state.state == "AVAILABLE":
                        self._unload(removed, version)
                log.info("Model %s is no longer in the config; unloaded", name)
            for name, config in wanted.items():
                if name in self._models:
                    self._models[name].config = config
                else:
                    self._models[name] = ModelState(config)
                    log.info("Model %s added from the config (base path %s)", name,
                             config.base_path)
            self.poll_once()

    def _candidates(self, model: ModelState, directories: dict) -> dict:
        """The complete version directories not known to be broken."""
        candidates = {}
        for version, path in directories.items():
            if not is_complete(path):
                if version not in model.waiting:
                    log.info("Model %s version %d at %s is not a complete saved model yet; "
                             "waiting", model.config.name, version, path)
                    model.waiting.add(version)
                continue
            state = model.versions.get(version)
            if state is not None and state.state == "END" and state.error_code != "OK":
                if state.stamp == _directory_stamp(path):
                    continue  # failed before and unchanged since
            candidates[version] = path
        return candidates

    def _chosen(self, config, candidates: dict) -> list:
        if config.policy == "all":
            return sorted(candidates)
        if config.policy == "specific":
            return sorted(v for v in config.versions if v in candidates)
        return sorted(candidates)[-config.num_versions:]

    def _poll_model(self, model: ModelState) -> None:
        config = model.config
        directories = _version_directories(config.base_path)
        chosen = self._chosen(config, self._candidates(model, directories))
        for version in sorted(chosen, reverse=True):
            current = model.versions.get(version)
            if current is None or current.state == "END":
                self._load(model, version, directories[version])
        # Choose again: a version that just failed to load is no longer a candidate, so
        # the versions it would have replaced stay (availability is preserved).
        chosen = self._chosen(config, self._candidates(model, directories))
        serving = [v for v, s in model.versions.items() if s.state == "AVAILABLE"]
        for version in serving:
            if version not in chosen:
                self._unload(model, version)

    def _load(self, model: ModelState, version: int, path: str) -> None:
        name = model.config.name
        state = VersionState(version, "LOADING")
        with self._lock:
            model.versions[version] = state
        log.info("Loading servable: {name: %s version: %d} from %s", name, version, path)
        started = time.perf_counter()
        try:
            servable = self._loader(name, version, path)
        except Exception as error:
            code = error.code if isinstance(error, ServingError) else "UNKNOWN"
            with self._lock:
                state.state, state.error_code, state.error_message = "END", code, str(error)
                state.stamp = _directory_stamp(path)
            log.error("Loading servable: {name: %s version: %d} failed: %s", name, version,
                      error)
            return
        with self._lock:
            state.servable, state.state = servable, "AVAILABLE"
        log.info("Successfully loaded servable version {name: %s version: %d} in %.2f s",
                 name, version, time.perf_counter() - started)

    def _unload(self, model: ModelState, version: int) -> None:
        with self._lock:
            state = model.versions[version]
            state.state = "UNLOADING"
            state.servable = None  # requests already holding it finish with it
            state.state = "END"
        log.info("Unloaded servable version {name: %s version: %d}", model.config.name,
                 version)

    # --- lookups ------------------------------------------------------------------
    def model_names(self) -> list:
        return sorted(self._models)

    def _resolve_label(self, model: ModelState, label: str) -> int:
        if label not in model.config.labels:
            raise invalid_argument(f"Unrecognized servable version label: {label}")
        return model.config.labels[label]

    def servable(self, name: str, version: int | None = None,
                 label: str | None = None) -> Servable:
        """The servable a request names; NOT_FOUND if it is not being served."""
        if version is not None and label is not None:
            raise invalid_argument(f"Both model version ({version}) and model version label "
                                   f"({label}) cannot be supplied.")
        model = self._models.get(name)
        if model is not None and label is not None:
            version = self._resolve_label(model, label)
        with self._lock:
            if model is not None:
                if version is None:
                    serving = [s for s in model.versions.values() if s.state == "AVAILABLE"]
                    if serving:
                        return max(serving, key=lambda s: s.version).servable
                else:
                    state = model.versions.get(version)
                    if state is not None and state.state == "AVAILABLE":
                        return state.servable
        if version is None:
            raise not_found(f"Servable not found for request: Latest({name})")
        raise not_found(f"Servable not found for request: Specific({name}, {version})")

    def version_states(self, name: str, version: int | None = None,
                       label: str | None = None) -> list:
        """``[VersionState]`` for the status API, newest first."""
        if version is not None and label is not None:
            raise invalid_argument(f"Both model version ({version}) and model version label "
                                   f"({label}) cannot be supplied.")
        model = self._models.get(name)
        if model is None:
            raise not_found(f"Could not find any versions of model {name}")
        if label is not None:
            version = self._resolve_label(model, label)
        with self._lock:
            states = [VersionState(s.version, s.state, s.error_code, s.error_message)
                      for s in model.versions.values()]
        if version is not None:
            states = [s for s in states if s.version == version]
            if not states:
                raise not_found(f"Could not find version {version} of model {name}")
        if not states:
            raise not_found(f"Could not find any versions of model {name}")
        return sorted(states, key=lambda s: s.version, reverse=True)

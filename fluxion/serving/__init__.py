"""A model server speaking TensorFlow Serving's REST API (``fluxion serve``).

Needs the extra ``fluxion-ml[serving]`` (Starlette, uvicorn, protobuf).  The pieces:
``options`` (the command's flags and config files), ``model_manager`` (versions under
each base path, loaded and unloaded by policy), ``servable`` (one loaded version; the
only module reading saved models), ``predict_json`` / ``examples_json`` /
``json_values`` (the request and response bodies), ``batching`` (merging concurrent
requests), ``rest_api`` (the routes) and ``server`` (uvicorn, start and shutdown).
"""

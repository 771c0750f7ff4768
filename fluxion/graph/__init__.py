"""Graph mode: tracing, the graph IR, optimisation passes, the code-generating executor,
``fluxion.function``, and the TF 1 graph API."""

"""The TF 1 graph API: ``Graph``, ``Session``, ``placeholder``, variable scopes,
``gradients`` and the ``train`` optimizers.  The public namespace is
``fluxion.compat.v1``; ``graph`` explains how graph mode is switched on and off."""

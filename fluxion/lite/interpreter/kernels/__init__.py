"""The kernels of Fluxion's TFLite interpreter, one module per operator family; the
table of builtin operator names to kernels is ``registry.kernel_table()``."""

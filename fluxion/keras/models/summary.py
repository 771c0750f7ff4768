"""``Model.summary()``: Keras 3's table of layers, output shapes and parameter counts."""

from __future__ import annotations

import textwrap

import numpy as np


def _format_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.2f} {unit}"
        count /= 1024
    return f"{count:.2f} GB"


def _params(weights) -> tuple[int, int]:
    count = sum(int(np.prod(tuple(w.shape))) for w in weights)
    size = sum(int(np.prod(tuple(w.shape))) * w.dtype.size for w in weights)
    return count, size


def _output_shape(layer) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return "?"
    outputs = nodes[-1].outputs
    flat = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    shapes = [tuple(t.shape) for t in flat]
    return str(shapes[0]) if len(shapes) == 1 else str(shapes)


def _connections(layer) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes or nodes[-1].is_input:
        return "-"
    refs = []
    for tensor in nodes[-1].input_tensors:
        source, node_index, tensor_index = tensor._keras_history
        refs.append(f"{source.name}[{node_index}][{tensor_index}]")
    return ", ".join(refs)


def _wrap(text: str, width: int) -> list:
    """Wraps at spaces; a word longer than the column is cut with an ellipsis, as Keras does."""
    words = [w if len(w) <= width else w[:width - 1] + "…" for w in text.split(" ")]
    return textwrap.wrap(" ".join(words), width, break_long_words=False) or [""]


def _row(cells: list, widths: list, aligns: list) -> list:
    wrapped = [_wrap(cell, width) for cell, width in zip(cells, widths)]
    height = max(len(w) for w in wrapped)
    lines = []
    for i in range(height):
        parts = []
        for lines_of_cell, width, align in zip(wrapped, widths, aligns):
            text = lines_of_cell[i] if i < len(lines_of_cell) else ""
            parts.append(text.rjust(width) if align == "right" else text.ljust(width))
        lines.append("│ " + " │ ".join(parts) + " │")
    return lines


def print_summary(model, line_length=None, print_fn=None, show_trainable: bool = False) -> None:
    print_fn = print_fn or print
    functional = type(model).__name__ == "Functional"
    layers = model.layers
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if functional else [])
    widths = [31, 22, 13] if not functional else [19, 17, 10, 17]
    aligns = ["left", "left", "right"] + (["left"] if functional else [])
    rows = []
    for layer in layers:
        count = _params(layer.weights)[0] if layer.built else 0
        cells = [f"{layer.name} ({type(layer).__name__})", _output_shape(layer), f"{count:,}"]
        if functional:
            cells.append(_connections(layer))
        rows.append(cells)
    lines = [f'Model: "{model.name}"']
    lines.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    lines.append("┃ " + " ┃ ".join(h.rjust(w) if a == "right" else h.ljust(w)
                                   for h, w, a in zip(headers, widths, aligns)) + " ┃")
    lines.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for index, cells in enumerate(rows):
        lines.extend(_row(cells, widths, aligns))
        if index < len(rows) - 1:
            lines.append("├" + "┼".join("─" * (w + 2) for w in widths) + "┤")
    lines.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    total = _params(model.weights)
    trainable = _params(model.trainable_weights)
    frozen = _params(model.non_trainable_weights)
    lines.append(f" Total params: {total[0]:,} ({_format_bytes(total[1])})")
    lines.append(f" Trainable params: {trainable[0]:,} ({_format_bytes(trainable[1])})")
    lines.append(f" Non-trainable params: {frozen[0]:,} ({_format_bytes(frozen[1])})")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "variables", None):
        opt = _params(optimizer.variables)
        if opt[0]:
            lines.append(f" Optimizer params: {opt[0]:,} ({_format_bytes(opt[1])})")
    for line in lines:
        print_fn(line)

"""``Model.summary()``: Keras 3's table of layers, output shapes and parameter counts.

The layout follows Keras 3 (which draws the table with ``rich``):

- a model whose layers form a chain (a ``Sequential``, a subclassed model, or a functional
  model where each layer is called once and each step has one input) gets three columns
  and a default width of 88; any other functional model gets a "Connected to" column
  and a width of 108; ``show_trainable`` adds a centered "Trainable" column and 12
  characters.  The width is capped by the terminal's width less 4.
- ``positions`` (fractions of the line, or absolute ends of the columns) split the line
  into columns; when the borders and padding do not fit, the excess is taken from the
  columns in turn, as rich does.  Cells wrap at spaces; a word too long is cut with "…".
- ``expand_nested`` lists a nested model's layers under it, indented with "└".
- The totals count the optimizer's variables once it is built.
"""

from __future__ import annotations

import re
import shutil

import numpy as np

_CHAIN_LAYOUT = (88, [0.45, 0.80, 1.0])
_GRAPH_LAYOUT = (108, [0.3, 0.56, 0.74, 1.0])


def print_summary(model, line_length=None, positions=None, print_fn=None,
                  expand_nested: bool = False, show_trainable: bool = False,
                  layer_range=None) -> None:
    print_fn = print_fn or print
    chain = _is_chain(model)
    default_length, default_positions = _CHAIN_LAYOUT if chain else _GRAPH_LAYOUT
    positions = list(positions or default_positions)
    headers = ["Layer (type)", "Output Shape", "Param #"] + ([] if chain else ["Connected to"])
    aligns = ["left", "left", "right"] + ([] if chain else ["left"])
    if show_trainable:
        default_length += 12
        positions = [p * 0.9 for p in positions] + [1.0]
        headers.append("Trainable")
        aligns.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    widths = _column_widths(line_length or default_length, positions)

    rows = []
    for layer in _in_range(_top_layers(model), layer_range):
        rows.extend(_layer_rows(layer, model, chain, show_trainable, expand_nested, level=0))
    lines = [f'Model: "{model.name}"']
    lines.extend(_table(headers, rows, widths, aligns))
    lines.extend(_totals(model))
    for line in lines:
        print_fn(line)


# --- which layers, and what each row says ------------------------------------------------------
def _top_layers(model) -> list:
    return list(getattr(model, "operations", model.layers))


def _in_range(layers: list, layer_range) -> list:
    """The layers from the first matching ``layer_range[0]`` to the last matching [1]."""
    if layer_range is None:
        return layers
    if len(layer_range) != 2:
        raise ValueError(f"layer_range must be a list or tuple of length 2, got "
                         f"{layer_range}")
    start = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    end = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not start or not end:
        raise ValueError(f"Passed layer_range {list(layer_range)} does not match any layer "
                         f"name; the layers are {[layer.name for layer in layers]}")
    return layers[start[0]:end[-1] + 1]


def _layer_rows(layer, model, chain: bool, show_trainable: bool, expand_nested: bool,
                level: int) -> list:
    prefix = "   " * level + "└ " if level else ""
    if not layer.built:
        params = "0 (unbuilt)"
    else:
        params = f"{_params(layer.weights)[0]:,}"
    cells = [f"{prefix}{layer.name} ({type(layer).__name__})", _output_shape(layer), params]
    if not chain:
        cells.append(_connections(layer, model) if level == 0 else "-")
    if show_trainable:
        cells.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    rows = [cells]
    nested = getattr(layer, "layers", None)
    if expand_nested and nested:
        for inner in nested:
            rows.extend(_layer_rows(inner, model, chain, show_trainable, expand_nested,
                                    level + 1))
    return rows


def _output_shape(layer) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if nodes:
        outputs = nodes[-1].outputs
        flat = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        shapes = [tuple(t.shape) for t in flat]
        return str(shapes[0]) if len(shapes) == 1 else str(shapes)
    build_shapes = getattr(layer, "_build_shapes", None)
    if build_shapes is None:
        return "?"
    try:  # a layer of a subclassed model: built, never called symbolically
        return str(layer.compute_output_shape(build_shapes))
    except Exception:  # noqa: BLE001 - a layer that cannot say shows "?", as in Keras
        return "?"


def _connections(layer, model) -> str:
    own = {id(node) for node in getattr(model, "_nodes", ())}
    refs = []
    for node in getattr(layer, "_inbound_nodes", []):
        if own and id(node) not in own:
            continue
        for tensor in node.input_tensors:
            source, node_index, tensor_index = tensor._keras_history
            refs.append(f"{source.name}[{node_index}][{tensor_index}]")
    return ", ".join(refs) or "-"


def _is_chain(model) -> bool:
    """Whether the model reads as a plain stack: no "Connected to" column then."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None:  # a Sequential or a subclassed model
        return True
    if any(len(node.input_tensors) > 1 for node in nodes):
        return False
    depth: dict = {}
    for node in reversed(nodes):  # consumers before producers
        level = depth.setdefault(id(node), 0)
        for tensor in node.input_tensors:
            layer, node_index, _ = tensor._keras_history
            parent = id(layer._inbound_nodes[node_index])
            depth[parent] = max(depth.get(parent, 0), level + 1)
    levels = list(depth.values())
    if len(levels) != len(set(levels)):
        return False
    layers = [id(node.layer) for node in nodes]
    return len(layers) == len(set(layers))


# --- the table ------------------------------------------------------------------------------
def _column_widths(line_length: int, positions: list) -> list:
    """Each column's text width: the line split at ``positions``, less borders and padding."""
    absolute = all(p > 1 for p in positions)
    ends = [int(p) if absolute else int(p * line_length) for p in positions]
    widths, start = [], 0
    for end in ends:
        if end - start < 4:
            raise ValueError(f"Insufficient console width to print the summary: line_length="
                             f"{line_length} with positions {positions} gives a column "
                             f"narrower than 4 characters.")
        widths.append(end - start)
        start = end
    # The table is line_length wide: borders take one character per column and one more,
    # padding two per column.
    excess = sum(widths) + 2 * len(widths) - (line_length - len(widths) - 1)
    return [w - 2 for w in _take_in_turn([w + 2 for w in widths], excess)] if excess > 0 \
        else widths


def _take_in_turn(widths: list, excess: int) -> list:
    """Takes ``excess`` characters from the columns, an equal share from each in turn."""
    remaining_columns = len(widths)
    out = []
    for width in widths:
        share = min(width, round(excess / remaining_columns))
        out.append(width - share)
        excess -= share
        remaining_columns -= 1
    return out


def _table(headers: list, rows: list, widths: list, aligns: list) -> list:
    lines = ["┏" + "┳".join("━" * (w + 2) for w in widths) + "┓"]
    lines.extend(_row(headers, widths, aligns, header=True))
    lines.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for index, cells in enumerate(rows):
        lines.extend(_row(cells, widths, aligns))
        if index < len(rows) - 1:
            lines.append("├" + "┼".join("─" * (w + 2) for w in widths) + "┤")
    lines.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    return lines


def _row(cells: list, widths: list, aligns: list, header: bool = False) -> list:
    wrapped = [_fit(cell, width) if header else _wrap(cell, width)
               for cell, width in zip(cells, widths)]
    height = max(len(w) for w in wrapped)
    bar = "┃" if header else "│"
    lines = []
    for i in range(height):
        parts = []
        for cell_lines, width, align in zip(wrapped, widths, aligns):
            parts.append(_align(cell_lines[i] if i < len(cell_lines) else "", width, align))
        lines.append(f"{bar} " + f" {bar} ".join(parts) + f" {bar}")
    return lines


def _align(text: str, width: int, align: str) -> str:
    if align == "right":
        return text.rjust(width)
    if align == "center":
        return text.center(width)
    return text.ljust(width)


def _fit(text: str, width: int) -> list:
    """A header on one line, cut with an ellipsis when it is wider than its column."""
    return [text if len(text) <= width else text[:width - 1] + "…"]


def _wrap(text: str, width: int) -> list:
    """Wraps at spaces, keeping the leading indentation; long words are cut with "…"."""
    indent = text[:len(text) - len(text.lstrip(" "))]
    words = [w if len(w) <= width else w[:width - 1] + "…" for w in text.split()]
    lines, current = [], indent
    for word in words:
        if not current.strip():  # nothing but the indentation yet
            current = current + word if len(current) + len(word) <= width else word
        elif len(current) + 1 + len(word) <= width:
            current = f"{current} {word}"
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


# --- the totals ------------------------------------------------------------------------------
def _totals(model) -> list:
    trainable = _params(model.trainable_weights)
    frozen = _params(model.non_trainable_weights)
    optimizer = getattr(model, "optimizer", None)
    optimizer_built = bool(getattr(model, "compiled", False) and optimizer is not None
                           and getattr(optimizer, "built", False))
    opt = _params(optimizer.variables) if optimizer_built else (0, 0)
    total = (trainable[0] + frozen[0] + opt[0], trainable[1] + frozen[1] + opt[1])
    lines = [f" Total params: {total[0]:,} ({_format_bytes(total[1])})",
             f" Trainable params: {trainable[0]:,} ({_format_bytes(trainable[1])})",
             f" Non-trainable params: {frozen[0]:,} ({_format_bytes(frozen[1])})"]
    if optimizer_built:
        lines.append(f" Optimizer params: {opt[0]:,} ({_format_bytes(opt[1])})")
    return lines


def _params(weights) -> tuple[int, int]:
    unique = list({id(w): w for w in weights}.values())
    count = sum(int(np.prod(tuple(w.shape))) for w in unique)
    size = sum(int(np.prod(tuple(w.shape))) * w.dtype.size for w in unique)
    return count, size


def _format_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if count < 1024 or unit == "TB":
            return f"{count:.2f} {unit}"
        count /= 1024
    return f"{count:.2f} TB"

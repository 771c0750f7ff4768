"""``keras.utils.plot_model`` / ``model_to_dot``: a model's layer graph, drawn by Graphviz.

Needs the optional ``pydot`` package and the Graphviz ``dot`` program.  The graph is read
from the model's ``layers`` and each layer's ``_inbound_nodes`` (the symbolic calls that
built a functional model); a model without such links (a Sequential) is drawn as a chain.
"""

from __future__ import annotations

import os

_INSTALL_PYDOT = ("You must install pydot (`pip install pydot`) for `plot_model` / "
                  "`model_to_dot` to work.")
_INSTALL_GRAPHVIZ = ("You must install graphviz (see instructions at "
                     "https://graphviz.gitlab.io/download/, e.g. `apt-get install graphviz` "
                     "or `brew install graphviz`) for `plot_model` to work.")


def _pydot():
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def check_pydot() -> bool:
    """Whether pydot can be imported."""
    return _pydot() is not None


def check_graphviz() -> bool:
    """Whether pydot and the Graphviz programs are both available."""
    pydot = _pydot()
    if pydot is None:
        return False
    try:
        pydot.Dot.create(pydot.Dot())  # renders an empty graph: runs `dot`
    except (OSError, getattr(pydot, "PydotException", OSError)):
        return False
    return True


def _is_model(layer) -> bool:
    return isinstance(getattr(layer, "layers", None), (list, tuple))


def _shape_text(tensors) -> str:
    if tensors is None:
        return "?"
    if isinstance(tensors, dict):
        return ", ".join(f"{k}: {_shape_text(v)}" for k, v in tensors.items())
    if isinstance(tensors, (list, tuple)):
        return ", ".join(_shape_text(t) for t in tensors)
    return str(getattr(tensors, "shape", "?"))


def _safe(layer, attribute: str):
    """``layer.input`` / ``layer.output``, else read from its first symbolic call."""
    try:
        return getattr(layer, attribute)
    except (AttributeError, ValueError):
        pass
    nodes = getattr(layer, "_inbound_nodes", None)
    if not nodes:
        return None
    if attribute == "output":
        return getattr(nodes[0], "outputs", None)
    tensors = getattr(nodes[0], "input_tensors", None) or None
    return tensors[0] if tensors and len(tensors) == 1 else tensors


def _activation_name(layer) -> str:
    activation = layer.activation
    name = getattr(activation, "name", None) or getattr(activation, "__name__", None)
    return name or str(activation)


def _cell(text: str, color: str = "white", font_color: str | None = None,
          colspan: int | None = None) -> str:
    span = f' colspan="{colspan}"' if colspan else ""
    font = f' color="{font_color}"' if font_color else ""
    return f'<td bgcolor="{color}"{span}><font point-size="14"{font}>{text}</font></td>'


def _layer_label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
                 show_trainable) -> str:
    """An HTML-like Graphviz label: the layer's name/class, then the requested facts."""
    class_name = type(layer).__name__
    cols = []
    if show_shapes:
        if class_name != "InputLayer":
            cols.append(_cell(f"Input shape: <b>{_shape_text(_safe(layer, 'input'))}</b>"))
        cols.append(_cell(f"Output shape: <b>{_shape_text(_safe(layer, 'output'))}</b>"))
    if show_dtype:
        output = _safe(layer, "output")
        dtype = getattr(output, "dtype", None) if output is not None else None
        cols.append(_cell(f"Output dtype: <b>{dtype or '?'}</b>"))
    if show_trainable and getattr(layer, "weights", None):
        if layer.trainable:
            cols.append(_cell("<b>Trainable</b>", "forestgreen", "white"))
        else:
            cols.append(_cell("<b>Non-trainable</b>", "firebrick", "white"))
    colspan = max(1, len(cols))
    title = f"<b>{layer.name}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    rows = [f'<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" '
            f'color="white">{title}</font></td></tr>']
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        rows.append(f"<tr>{_cell(f'Activation: <b>{_activation_name(layer)}</b>', colspan=colspan)}"
                    "</tr>")
    if cols:
        rows.append(f"<tr>{''.join(cols)}</tr>")
    return ('<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
            + "".join(rows) + "</table>>")


def _edges(layers) -> list:
    """(source, destination) layer pairs among ``layers``, from their inbound nodes."""
    members = {id(layer) for layer in layers}
    pairs = []
    for layer in layers:
        for node in getattr(layer, "_inbound_nodes", None) or ():
            for tensor in getattr(node, "input_tensors", ()):
                history = getattr(tensor, "_keras_history", None)
                source = history[0] if history else None
                if source is not None and id(source) in members and source is not layer:
                    if (source, layer) not in pairs:
                        pairs.append((source, layer))
    if not pairs:  # no symbolic links (a Sequential model): a chain
        pairs = list(zip(layers[:-1], layers[1:]))
    return pairs


def _entry(layer):
    """The layer an edge into ``layer`` lands on, when nested models are expanded."""
    while _is_model(layer) and layer.layers:
        inner = [sub for sub in layer.layers if type(sub).__name__ != "InputLayer"]
        layer = (inner or layer.layers)[0]
    return layer


def _exit(layer):
    while _is_model(layer) and layer.layers:
        layer = layer.layers[-1]
    return layer


def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB",
                 expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False,
                 splines: str = "ortho", **kwargs):
    """Converts a Keras model to a ``pydot.Dot`` graph (a ``pydot.Cluster`` if ``subgraph``).

    Arguments are those of ``plot_model``; ``subgraph`` returns a cluster for nesting.
    """
    pydot = _pydot()
    if pydot is None:
        raise ImportError(_INSTALL_PYDOT)
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if not getattr(model, "built", True):
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    label_options = (show_shapes, show_dtype, show_layer_names, show_layer_activations,
                     show_trainable)
    layers = list(getattr(model, "layers", None) or [])
    if not layers:  # a subclassed model: one box
        dot.add_node(_make_node(pydot, model, label_options))
        return dot
    for layer in layers:
        if expand_nested and _is_model(layer):
            dot.add_subgraph(model_to_dot(layer, show_shapes, show_dtype, show_layer_names,
                                          rankdir, expand_nested, dpi, subgraph=True,
                                          show_layer_activations=show_layer_activations,
                                          show_trainable=show_trainable))
        else:
            dot.add_node(_make_node(pydot, layer, label_options))
    for source, destination in _edges(layers):
        if expand_nested:
            source, destination = _exit(source), _entry(destination)
        src_id, dst_id = str(id(source)), str(id(destination))
        if not dot.get_edge(src_id, dst_id):
            edge = pydot.Edge(src_id, dst_id)
            edge.set("penwidth", "2")
            dot.add_edge(edge)
    return dot


def _make_node(pydot, layer, label_options):
    node = pydot.Node(str(id(layer)), label=_layer_label(layer, *label_options))
    node.set("fontname", "Helvetica")
    node.set("border", "0")
    node.set("margin", "0")
    return node


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False,
               splines: str = "ortho", **kwargs):
    """Draws a Keras model's layer graph to an image file (needs pydot and Graphviz).

    Args:
        model: the model (its ``layers`` and their inbound nodes give the graph).
        to_file: the image file; its extension (png, svg, pdf...) picks the format.
        show_shapes: show each layer's input and output shapes.
        show_dtype: show each layer's output dtype.
        show_layer_names: show layer names.
        rankdir: ``"TB"`` (vertical) or ``"LR"`` (horizontal).
        expand_nested: draw nested models as clusters of their layers.
        dpi: image resolution.
        show_layer_activations: show the activation of layers that have one.
        show_trainable: mark layers trainable or not.
        splines: how Graphviz draws edges (``"ortho"``, ``"curved"``, ``"line"``...).

    Returns:
        The image for display in a notebook when IPython is installed
        (``IPython.display.Image``, or ``SVG`` for an SVG file), otherwise None.

    Example:
    >>> plot_model(model, "model.png", show_shapes=True)  # doctest: +SKIP
    """
    if not check_pydot():
        raise ImportError(_INSTALL_PYDOT)
    if not check_graphviz():
        raise ImportError(_INSTALL_GRAPHVIZ)
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines, **kwargs)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    try:
        from IPython import display
    except ImportError:
        return None
    if extension == "svg":
        return display.SVG(filename=to_file)
    if extension in ("png", "jpg", "jpeg", "gif"):
        return display.Image(filename=to_file)
    return None

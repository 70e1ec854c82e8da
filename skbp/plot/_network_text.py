"""What a network drawing writes: unit names, the optimizer, numbers, title."""

from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline

from ._network_layout import TITLE_FONT, default_unit_names


def _input_names(estimator, net):
    """The names of the network's inputs when it was fitted on named columns.

    In a pipeline the network's inputs are what the steps before it output.
    """
    if isinstance(estimator, Pipeline) and len(estimator) > 1:
        if hasattr(estimator, "feature_names_in_"):
            try:
                return list(estimator[:-1].get_feature_names_out())
            except (AttributeError, TypeError, ValueError):
                pass  # a step that cannot name its outputs
    names = getattr(net, "feature_names_in_", None)
    return None if names is None else list(names)


def _output_names(net, n_outputs):
    """A classifier's class labels; a binary one's output is its positive class."""
    if not is_classifier(net) or not hasattr(net, "classes_"):
        return None
    classes = list(net.classes_)
    if len(classes) == n_outputs:
        return [str(c) for c in classes]
    if n_outputs == 1 and len(classes) == 2:
        return [str(classes[1])]
    return None


def estimator_unit_names(estimator, net, layer_units):
    """Unit names of a fitted network: its feature names and class labels.

    Units without such names keep Mazur's ``i1``, ``h1``, ``o1``, ...
    """
    names = default_unit_names(layer_units)
    inputs = _input_names(estimator, net)
    if inputs is not None and len(inputs) == layer_units[0]:
        names[0] = [str(name) for name in inputs]
    outputs = _output_names(net, layer_units[-1])
    if outputs is not None:
        names[-1] = outputs
    return names


def optimizer_settings(net):
    """The solver's settings as the user set them, for a traced step's title.

    Adam's step size changes every step (its bias correction), so the title
    names ``learning_rate_init`` and the betas rather than that step size.
    """
    solver = getattr(net, "solver", None)
    if solver not in ("sgd", "adam"):
        return None
    settings = [f"learning_rate_init={net.learning_rate_init:g}"]
    if solver == "adam":
        settings += [
            f"beta_1={net.beta_1:g}",
            f"beta_2={net.beta_2:g}",
            f"epsilon={net.epsilon:g}",
        ]
    else:
        if net.learning_rate != "constant":
            settings.append(f"learning_rate={net.learning_rate!r}")
        if net.learning_rate == "invscaling":
            settings.append(f"power_t={net.power_t:g}")
        if net.momentum:
            settings.append(f"momentum={net.momentum:g}")
            if net.nesterovs_momentum:
                settings.append("nesterovs_momentum=True")
    if getattr(net, "alpha", 0):
        settings.append(f"alpha={net.alpha:g}")
    return ("Adam: " if solver == "adam" else "SGD: ") + ", ".join(settings)


def card_texts(values, fmt, last):
    """Net input, output, dropout factor and δ of every unit of layers 1 ... L."""
    cards = {}
    for (layer, unit), (net, out, delta, mask) in values.items():
        lines = [f"net = {net:{fmt}}", f"out = {out:{fmt}}"]
        if mask is not None and layer != last:
            # What the next layer received: out · m (0: dropped).
            lines.append(f"m = {mask:{fmt}}")
        lines.append(f"δ = {delta:{fmt}}")
        cards[layer, unit] = "\n".join(lines)
    return cards


def _wrap(line, sizer, width):
    """Break a title line after its commas where it is wider than ``width``."""
    pieces = line.split(", ")
    lines = [pieces[0]]
    for piece in pieces[1:]:
        longer = f"{lines[-1]}, {piece}"
        if sizer.size(longer, TITLE_FONT)[0] <= width:
            lines[-1] = longer
        else:
            lines[-1] += ","
            lines.append(piece)
    return lines


def bias_texts(values_of, bias_mode, intercepts, fmt):
    """The layers fed by a drawn bias unit, with its label: ``"b1 = 0.35"``.

    Only a shared, fixed bias is labelled at its unit; other intercepts are
    labelled on their edges.
    """
    layers = sorted({key[0] for key in values_of if key[1] is None})
    return {
        layer: (
            f"b{layer} = {intercepts[layer - 1][0]:{fmt}}"
            if bias_mode[layer] == "shared"
            else None
        )
        for layer in layers
    }


def title_text(
    numbers, sample, optimizer, small, top_edges, max_labeled_units, n_candidates,
    n_drawn, sizer, width,
):  # fmt: skip
    """What the figure shows that the picture alone does not say.

    A traced step: what the edges and units are labelled with, for which
    sample, and how the optimizer was set. A large network: which edges are
    drawn, and that a trace's numbers are not written. Lines wider than
    ``width`` (points) break after a comma.
    """
    lines = []
    if numbers is not None and small:
        which = (
            "the only sample"
            if numbers.n_samples == 1
            else f"sample {sample} of {numbers.n_samples}"
        )
        units = "net, out, dropout mask m, δ" if numbers.has_masks else "net, out, δ"
        lines.append(f"edges: w → w⁺ and ∂E/∂w; units: {units} of {which}")
        lines.append(
            optimizer or f"the optimizer's step size: {numbers.learning_rate:g}"
        )
    if not small:
        if n_drawn < n_candidates:
            lines.append(
                f"the {top_edges} strongest incoming edges (by |w|) of each "
                f"unit: {n_drawn:,} of {n_candidates:,} weights and intercepts"
            )
        if numbers is not None:
            lines.append(
                "weights before the step; its numbers are written when no "
                f"layer has more than max_labeled_units={max_labeled_units} units"
            )
    return "\n".join(part for line in lines for part in _wrap(line, sizer, width))

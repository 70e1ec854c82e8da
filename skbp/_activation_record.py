"""The record of an activation: the one place that describes a unit.

Each activation of :mod:`skbp._activations` is an :class:`Activation` in its
``REGISTRY``; this module holds only the record's definition, so that the
activations' module keeps the functions and their records side by side.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Activation:
    """One activation: everything skbp knows about it, in one record.

    Every list of activation names in skbp is read from these records
    (``REGISTRY``): the parameters' valid values and their documentation,
    ``skbp compare``'s choices, the ONNX operators, the displays' colour
    ranges and the target-scale advice. Adding an activation is adding its
    functions and record to :mod:`skbp._activations`, and its tests.

    Parameters
    ----------
    name : str
        The table key, as ``hidden_activations_`` and ``out_activation_``
        hold it.
    forward : callable
        ``forward(z)`` overwrites the net input ``z`` with the output and
        returns it.
    derivative : callable
        ``derivative(out, delta, scratch=None)`` multiplies ``delta`` in
        place by f'(net), written from the unit's output ``out``.
    formula : str
        The output as a function of the net input x, as the parameter
        documentation writes it.
    output_formula : str
        The output as :meth:`skbp.StepTrace.explain` writes and computes it:
        a Python expression in ``net`` (the unit's net input) and, for a
        unit of the whole layer, ``nets`` (every unit's) inside ``sum``:
        ``"1 / (1 + exp(-net))"`` (``skbp._expressions.parse`` lists the
        functions).
    derivative_formula : str
        f'(net) as ``derivative`` computes it, from the output: an
        expression in ``out`` (``"out * (1 - out)"``). A unit whose
        derivative mixes the layer's units gives ∂E/∂net itself instead,
        in ``out``, ``g`` (the unit's ∂E/∂out) and, inside ``sum``, ``outs``
        and ``gs``: softmax's ``"out * (g - sum(gs * outs))"``.
    aliases : tuple of str, default=()
        Other names the parameters take for it.
    forms : dict of str to callable, default={}
        Its exact formulations, when it has several: ``forward`` runs the
        one ``_kernels`` chose for the CPU and dtype (``_kernels.FORMS``
        names the same forms, since it cannot import them).
    output_form : str or None, default=None
        The form (a key of ``forms``) the output layer runs whatever the
        CPU, where ``forward``'s choice would lose what the output is used
        for; None: ``forward``. Logistic outputs are probabilities whose
        logarithm ``predict_log_proba`` and the log-loss take: the exp form
        is accurate relative to each output down to the smallest normal
        number, the tanh form to an ulp of 1 only (it rounds outputs below
        about 1e-17 to 0).
    hidden : bool, default=False
        Whether ``activation`` takes it for hidden layers.
    output_of : tuple of str, default=()
        The estimators whose ``out_activation`` takes it, ``"classifier"``
        or ``"regressor"`` (the exp output comes with ``loss="poisson"``
        alone).
    init_factor : float, default=6.0
        Glorot's factor for the initial weights' bound
        sqrt(factor / (fan_in + fan_out)): scikit-learn's 2 for logistic
        units, 6 for any other.
    output_range : tuple of (float or None), default=(None, None)
        The lowest and highest output, None at an unbounded end. A range
        bounded at both ends fixes the unit's colour scale in the displays;
        the target-scale advice checks targets against it.
    target_scaler : str or None, default=None
        The transformer the target-scale advice suggests for a target out
        of the output unit's reach; None: no advice (not an output unit, or
        the exp output, whose reach grows exponentially).
    onnx_op : str or None, default=None
        The ONNX operator; None: no node (the identity).
    onnx_attrs : dict, default={}
        The operator's attributes.
    onnx_float32_only : bool, default=False
        onnxruntime runs ``onnx_op`` in float32 only: a float64 graph spells
        the unit out in elementary operators, with the builder
        :mod:`skbp.onnx` keeps under the unit's name.
    net_ceiling : callable or None, default=None
        ``net_ceiling(dtype)``: the largest net input ``forward`` keeps,
        larger ones being clipped so that the output stays finite; the ONNX
        graph clips there too.
    sklearn_name : str or None, default=None
        Its name in scikit-learn's MLP (its ``ACTIVATIONS`` table); None when
        scikit-learn's MLP has no such unit.
    """

    name: str
    forward: Callable
    derivative: Callable
    formula: str
    output_formula: str
    derivative_formula: str
    aliases: tuple = ()
    forms: Mapping = field(default_factory=dict)
    output_form: str | None = None
    hidden: bool = False
    output_of: tuple = ()
    init_factor: float = 6.0
    output_range: tuple = (None, None)
    target_scaler: str | None = None
    onnx_op: str | None = None
    onnx_attrs: Mapping = field(default_factory=dict)
    onnx_float32_only: bool = False
    net_ceiling: Callable | None = None
    sklearn_name: str | None = None

    @property
    def output_forward(self):
        """The function the output layer runs: ``forms[output_form]`` or ``forward``."""
        return (
            self.forward if self.output_form is None else self.forms[self.output_form]
        )

    @property
    def bounded(self):
        """The output range when both its ends are finite, else None."""
        low, high = self.output_range
        return None if low is None or high is None else self.output_range

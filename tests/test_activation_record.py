"""The activations' records, against independent references, and their consumers.

Each record (``skbp._activations.REGISTRY``) is checked against what it
claims: scikit-learn's functions and Glorot bounds where scikit-learn has
the unit, the unit's own limits for its output range. Then every place that
lists activations -- the parameters and their documentation, ``skbp
compare``, the ONNX exporter, the displays, the target-scale advice -- is
checked to cover exactly the registry's names, so that a new record a
consumer misses fails here.
"""

import argparse
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.neural_network import _base as sklearn_base
from sklearn.utils._param_validation import InvalidParameterError, StrOptions

from skbp import BackpropClassifier, BackpropRegressor, _kernels, _messages
from skbp._activations import (
    ACTIVATIONS,
    ALIASES,
    DERIVATIVES,
    HIDDEN_ACTIVATION_NAMES,
    OUT_ACTIVATION_NAMES,
    REGISTRY,
    canonical_name,
    init_bound,
)
from skbp.cli import command, engine

NAMES = list(REGISTRY)
HIDDEN = [name for name, unit in REGISTRY.items() if unit.hidden]
WITH_SKLEARN_NAME = [name for name, unit in REGISTRY.items() if unit.sklearn_name]


def _sklearn_options(cls, parameter):
    for constraint in cls._parameter_constraints[parameter]:
        if isinstance(constraint, StrOptions):
            return set(constraint.options)
    raise AssertionError(f"{cls.__name__}.{parameter} takes no strings")


def _listed(doc, parameter):
    """The names a numpydoc type ``{"a", "b"}`` lists for ``parameter``."""
    found = re.search(rf"^\s*{parameter} : \{{(.*?)\}}", doc, re.M | re.S)
    return tuple(name.strip(' "\\\n') for name in found.group(1).split(","))


# ---------------------------------------------------------------------------
# Each record against independent references


def test_every_name_has_one_record_and_each_alias_names_a_record():
    assert all(name == unit.name for name, unit in REGISTRY.items())
    aliases = [alias for unit in REGISTRY.values() for alias in unit.aliases]
    assert len(set(aliases)) == len(aliases)
    assert not set(aliases) & set(REGISTRY)
    assert ALIASES == {"sigmoid": "logistic"}
    assert set(ACTIVATIONS) == set(DERIVATIVES) == set(REGISTRY)
    for name, unit in REGISTRY.items():
        assert ACTIVATIONS[name] is unit.forward
        assert DERIVATIVES[name] is unit.derivative


@pytest.mark.parametrize("name", WITH_SKLEARN_NAME)
def test_a_unit_scikit_learn_has_computes_scikit_learns_function(name):
    unit = REGISTRY[name]
    if unit.sklearn_name not in sklearn_base.ACTIVATIONS:
        pytest.skip(f"this scikit-learn has no {unit.sklearn_name!r} activation")
    z = np.random.default_rng(0).normal(scale=4, size=(7, 3))
    out = unit.forward(z.copy())
    theirs = z.copy()
    # In place, as skbp's; some scikit-learn releases return None.
    sklearn_base.ACTIVATIONS[unit.sklearn_name](theirs)
    # To the forms' accuracy (tests/test_kernels.py): two ulp of the output
    # range, whichever form this CPU runs (the tanh form on AVX-512).
    np.testing.assert_allclose(out, theirs, rtol=1e-14, atol=2 * np.finfo(z.dtype).eps)
    if unit.sklearn_name in sklearn_base.DERIVATIVES:
        g = np.random.default_rng(1).normal(size=z.shape)
        ours, theirs = g.copy(), g.copy()
        unit.derivative(out, ours)
        sklearn_base.DERIVATIVES[unit.sklearn_name](out, theirs)
        # Equal up to rounding: skbp forms δ - δ·out·out, scikit-learn
        # δ·(1 - out²).
        np.testing.assert_allclose(ours, theirs, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_the_hidden_units_with_a_sklearn_name_are_those_sklearn_mlps_take(Estimator):
    ours = {REGISTRY[name].sklearn_name for name in HIDDEN} - {None}
    assert ours == _sklearn_options(Estimator, "activation")


def _sklearn_initial_weights(activation, fan_in, fan_out):
    mlp = MLPClassifier(activation=activation)
    mlp._random_state = np.random.RandomState(0)
    return mlp._init_coef(fan_in, fan_out, np.float64)


@pytest.mark.parametrize("name", [*HIDDEN, *ALIASES, None])
def test_init_bound_draws_scikit_learns_glorot_weights(name):
    # scikit-learn's factor: 2 for its logistic units, 6 for any other; a
    # unit it lacks (or no unit) gets the 6 of its relu.
    unit = None if name is None else REGISTRY[canonical_name(name)]
    sklearn_name = unit.sklearn_name if unit and unit.sklearn_name else "relu"
    for fan_in, fan_out in [(2, 2), (3, 5), (64, 1)]:
        coef, intercept = _sklearn_initial_weights(sklearn_name, fan_in, fan_out)
        bound = init_bound(name, fan_in, fan_out)
        rng = np.random.RandomState(0)
        np.testing.assert_array_equal(coef, rng.uniform(-bound, bound, coef.shape))
        np.testing.assert_array_equal(intercept, rng.uniform(-bound, bound, fan_out))


@pytest.mark.parametrize("name", NAMES)
def test_the_output_range_is_what_the_unit_reaches(name):
    # The ends it reaches at extreme net inputs, and nothing beyond them.
    unit = REGISTRY[name]
    low, high = unit.output_range
    z = np.linspace(-60.0, 60.0, 2001)
    if name == "softmax":
        z = np.column_stack([z, np.zeros_like(z)])
    out = unit.forward(z.copy())
    if low is None:
        assert out.min() < -0.5  # and unbounded: keeps falling with z
        assert unit.forward(np.array([[-1e4, 0.0]]))[0, 0] < out.min()
    else:
        assert out.min() >= low
        assert out.min() == pytest.approx(low, abs=1e-12)
    if high is None:
        assert out.max() > 50
    else:
        assert out.max() <= high
        assert out.max() == pytest.approx(high, abs=1e-12)
    assert unit.bounded == (None if None in (low, high) else (low, high))


def test_the_forms_are_those_the_kernel_choice_table_knows():
    # _kernels names them (it is imported before the functions exist).
    assert {
        name: tuple(unit.forms) for name, unit in REGISTRY.items() if unit.forms
    } == _kernels.FORMS


@pytest.mark.parametrize(
    "name", [name for name, unit in REGISTRY.items() if unit.net_ceiling]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_net_ceiling_is_where_the_forward_pass_clips(name, dtype):
    # What the ONNX graph clips at must be what the forward pass does.
    unit = REGISTRY[name]
    ceiling = dtype(unit.net_ceiling(np.dtype(dtype)))
    top = unit.forward(np.array([[np.finfo(dtype).max]], dtype=dtype))
    assert np.isfinite(top).all()
    assert top[0, 0] == unit.forward(np.array([[ceiling]], dtype=dtype))[0, 0]
    below = np.nextafter(ceiling, dtype(0))
    assert unit.forward(np.array([[below]], dtype=dtype))[0, 0] < top[0, 0]


def test_the_tests_have_an_independent_reference_for_every_record():
    # A new record fails here until the tests that check units against
    # their own formulas know it.
    import network_reference
    import test_activations
    import test_gradients

    assert set(test_activations.REFERENCE) == set(REGISTRY)
    assert set(test_gradients.ACT) == set(REGISTRY)
    assert set(test_gradients.HIDDEN) == set(HIDDEN)
    assert set(network_reference.HIDDEN) == set(HIDDEN)
    assert set(network_reference.UNITS) == set(HIDDEN_ACTIVATION_NAMES)


# ---------------------------------------------------------------------------
# Every consumer covers exactly the registry's names


@pytest.mark.parametrize("Estimator", [BackpropClassifier, BackpropRegressor])
def test_the_activation_parameter_takes_the_hidden_names_only(Estimator):
    for name in [*REGISTRY, *ALIASES]:
        est = Estimator(activation=name)
        if canonical_name(name) in HIDDEN:
            est._validate_params()
        else:
            with pytest.raises(InvalidParameterError):
                est._validate_params()
    assert _listed(Estimator.__doc__, "activation") == HIDDEN_ACTIVATION_NAMES


@pytest.mark.parametrize(
    ("Estimator", "kind"),
    [(BackpropClassifier, "classifier"), (BackpropRegressor, "regressor")],
)
def test_out_activation_takes_the_records_that_name_the_estimator(Estimator, kind):
    takes = {
        name
        for unit in REGISTRY.values()
        if kind in unit.output_of
        for name in (unit.name, *unit.aliases)
    }
    assert set(OUT_ACTIVATION_NAMES[kind]) == takes
    for name in [*REGISTRY, *ALIASES]:
        est = Estimator(out_activation=name)
        if name in takes:
            est._validate_params()
        else:
            with pytest.raises(InvalidParameterError):
                est._validate_params()
    assert set(_listed(Estimator.__doc__, "out_activation")) == takes


def test_the_documentation_gives_every_hidden_units_formula():
    doc = BackpropClassifier.__doc__
    entry = doc[doc.index("activation : ") : doc.index("solver : ")]
    entry = " ".join(entry.split())
    for name in HIDDEN:
        assert f'``"{name}"``' in entry
        assert " ".join(REGISTRY[name].formula.split()) in entry
    for name in HIDDEN:
        if REGISTRY[name].sklearn_name is None:
            assert re.search(rf'has no [^.]*``"{name}"``[^.]* units', entry)


def test_skbp_compare_offers_the_hidden_names_and_knows_what_sklearn_lacks():
    assert command.ACTIVATIONS == HIDDEN_ACTIVATION_NAMES
    for name in [*REGISTRY, *ALIASES]:
        if canonical_name(name) in HIDDEN:
            assert command._activation(name) == name
        else:
            with pytest.raises(argparse.ArgumentTypeError):
                command._activation(name)
    for name in HIDDEN:
        lacks = engine.sklearn_lacks(name)
        assert (lacks is None) == (REGISTRY[name].sklearn_name is not None)
        assert (name in command.SKBP_ONLY_ACTIVATIONS) == (lacks is not None)
    assert set(engine.SKLEARN_ACTIVATIONS) == _sklearn_options(
        MLPClassifier, "activation"
    )


def test_every_output_unit_gets_the_advice_its_record_gives():
    for name, unit in REGISTRY.items():
        low, high = unit.output_range
        if unit.target_scaler is None:
            # Targets far beyond any reach: still no advice.
            far = np.linspace(-1e6 if low is None else low, 1e6, 50)
            assert _messages.target_scale_advice(far.reshape(-1, 1), name) == ""
            continue
        lo = -1.0 if low is None else low
        hi = 1.0 if high is None else high
        inside = np.linspace(lo, hi, 50).reshape(-1, 1)
        assert _messages.target_scale_advice(inside, name) == ""
        below = np.linspace(lo - 1e4, hi, 50).reshape(-1, 1)
        above = np.linspace(lo, hi + 1e4, 50).reshape(-1, 1)
        for y in (below, above):
            advice = _messages.target_scale_advice(y, name)
            assert f"transformer={unit.target_scaler})" in advice


def test_the_onnx_exporter_spells_out_exactly_the_float32_only_operators():
    pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("skbp.onnx")
    spelled = {name for name, unit in REGISTRY.items() if unit.onnx_float32_only}
    assert set(onnx._SPELLED_OUT) == spelled
    assert set(onnx._HIDDEN_UNITS) == set(HIDDEN)


@pytest.mark.parametrize("name", HIDDEN)
def test_the_display_draws_bounded_units_on_their_range(name):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from skbp.plot import HiddenUnitsDisplay

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] - X[:, 1]
    net = BackpropRegressor(
        hidden_layer_sizes=(3,), activation=name, max_iter=5, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X, y)
    disp = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=9)
    try:
        images = [disp.images_[1, k] for k in range(3)]
        # Unbounded units: the range of the layer's outputs over the grid.
        expected = REGISTRY[name].bounded or (
            min(image.get_array().min() for image in images),
            max(image.get_array().max() for image in images),
        )
        for image in images:
            np.testing.assert_allclose(image.get_clim(), expected)
    finally:
        plt.close("all")

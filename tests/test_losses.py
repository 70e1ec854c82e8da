"""Loss values and output error signals against independent references.

Values are checked against scikit-learn's metrics (rescaled to skbp's
convention: a mean over samples of a *sum* over outputs), error signals
against finite differences of closed-form per-sample losses.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, xlogy
from scipy.special import softmax as scipy_softmax
from sklearn.metrics import log_loss, mean_poisson_deviance, mean_squared_error

from skbp._losses import (
    LOSSES,
    binary_log_loss,
    categorical_log_loss,
    get_loss,
    poisson,
    squared_error,
)

VALUES = {
    "squared_error": squared_error,
    "binary_log_loss": binary_log_loss,
    "log_loss": categorical_log_loss,
    "poisson": poisson,
}


def _problem(kind, rng, n, k):
    """Targets and predictions for a loss, away from clipping."""
    if kind == "squared_error":
        return rng.normal(size=(n, k)), rng.normal(size=(n, k))
    if kind == "binary_log_loss":
        return (
            rng.integers(0, 2, size=(n, k)).astype(float),
            rng.uniform(0.01, 0.99, size=(n, k)),
        )
    if kind == "log_loss":
        k = max(k, 2)
        y = np.eye(k)[rng.integers(0, k, size=n)]
        return y, rng.dirichlet(np.ones(k), size=n).clip(1e-6)
    if kind == "poisson":
        return rng.poisson(2.0, size=(n, k)).astype(float), rng.uniform(
            0.05, 6, size=(n, k)
        )
    raise ValueError(kind)


def _sklearn_reference(kind, y, out, w):
    """The loss, computed by scikit-learn's metrics."""
    k = y.shape[1]
    if kind == "squared_error":
        return mean_squared_error(y, out, sample_weight=w) * k / 2
    if kind == "binary_log_loss":
        return sum(
            log_loss(y[:, j], out[:, j], labels=[0, 1], sample_weight=w)
            for j in range(k)
        )
    if kind == "log_loss":
        return log_loss(
            y.argmax(axis=1),
            out / out.sum(axis=1, keepdims=True),
            labels=np.arange(k),
            sample_weight=w,
        )
    if kind == "poisson":
        return sum(
            mean_poisson_deviance(y[:, j], out[:, j], sample_weight=w) / 2
            for j in range(k)
        )
    raise ValueError(kind)


problem_sizes = st.tuples(
    st.integers(0, 2**32 - 1), st.integers(1, 12), st.integers(1, 4), st.booleans()
)


@pytest.mark.parametrize("kind", list(VALUES))
@settings(max_examples=30, deadline=None)
@given(size=problem_sizes)
def test_loss_value_equals_sklearn_metric(kind, size):
    seed, n, k, weighted = size
    rng = np.random.default_rng(seed)
    y, out = _problem(kind, rng, n, k)
    if kind == "log_loss":
        out /= out.sum(axis=1, keepdims=True)
    w = rng.uniform(0.1, 3.0, size=n) if weighted else None
    value = VALUES[kind](y, out, w)
    assert isinstance(value, float)
    expected = _sklearn_reference(kind, y, out, w)
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_squared_error_is_summed_over_outputs_not_averaged():
    # One sample, two outputs, errors 1 and 3: E = (1 + 9) / 2.
    y = np.array([[0.0, 0.0]])
    out = np.array([[1.0, -3.0]])
    assert squared_error(y, out) == 5.0


def test_squared_error_of_worked_example():
    # The classic two-output worked example (targets 0.01, 0.99).
    out = np.array([[0.75136507, 0.772928465]])
    y = np.array([[0.01, 0.99]])
    expected = 0.5 * (0.01 - 0.75136507) ** 2 + 0.5 * (0.99 - 0.772928465) ** 2
    assert squared_error(y, out) == pytest.approx(expected, rel=1e-15)


def test_get_loss_picks_binary_form_for_logistic_and_categorical_for_softmax():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=(5, 3)).astype(float)
    p = rng.uniform(0.05, 0.95, size=(5, 3))
    binary = get_loss("log_loss", "logistic")
    assert binary.value(y, p) == pytest.approx(
        _sklearn_reference("binary_log_loss", y, p, None), rel=1e-12
    )
    y1 = np.eye(3)[[0, 2, 1, 1, 0]]
    p1 = p / p.sum(axis=1, keepdims=True)
    categorical = get_loss("log_loss", "softmax")
    assert categorical.value(y1, p1) == pytest.approx(
        _sklearn_reference("log_loss", y1, p1, None), rel=1e-12
    )


def test_log_loss_supports_only_its_canonical_outputs():
    assert get_loss("log_loss", "logistic").supports("logistic")
    assert get_loss("log_loss", "softmax").supports("softmax")
    for act in ("identity", "tanh", "relu", "exp"):
        assert not get_loss("log_loss", act).supports(act)
    assert not get_loss("poisson", "identity").supports("identity")
    for act in ("identity", "logistic", "tanh", "relu", "softmax", "exp"):
        assert get_loss("squared_error", act).supports(act)


# ---------------------------------------------------------------------------
# Sample weights


@pytest.mark.parametrize("kind", list(VALUES))
@settings(max_examples=30, deadline=None)
@given(size=problem_sizes)
def test_weighted_loss_is_weighted_mean_of_per_sample_losses(kind, size):
    seed, n, k, _ = size
    rng = np.random.default_rng(seed)
    y, out = _problem(kind, rng, n, k)
    w = rng.uniform(0.0, 3.0, size=n)
    w[0] = 1.0  # never all zero
    f = VALUES[kind]
    per_sample = np.array([f(y[i : i + 1], out[i : i + 1]) for i in range(n)])
    expected = float(np.sum(w * per_sample) / np.sum(w))
    assert f(y, out, w) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    # Rescaling all weights does not change the weighted mean.
    assert f(y, out, 7.5 * w) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("kind", list(VALUES))
def test_integer_weights_equal_repeating_samples(kind):
    rng = np.random.default_rng(1)
    y, out = _problem(kind, rng, 6, 2)
    w = np.array([0, 1, 2, 3, 1, 0], dtype=float)
    repeat = np.repeat(np.arange(6), w.astype(int))
    f = VALUES[kind]
    assert f(y, out, w) == pytest.approx(f(y[repeat], out[repeat]), rel=1e-13)


def test_unit_weights_equal_no_weights():
    rng = np.random.default_rng(2)
    for kind, f in VALUES.items():
        y, out = _problem(kind, rng, 7, 3)
        assert f(y, out, np.ones(7)) == pytest.approx(f(y, out), rel=1e-14)


@pytest.mark.parametrize("kind", list(VALUES))
def test_all_zero_weights_give_zero_loss_without_warning(kind):
    rng = np.random.default_rng(3)
    y, out = _problem(kind, rng, 4, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = VALUES[kind](y, out, np.zeros(4))
    assert value == 0.0


@pytest.mark.parametrize("kind", list(VALUES))
def test_nan_weights_give_a_nan_loss_not_zero(kind):
    # A NaN total weight read as "no weight" made the loss 0.0, so training
    # kept the NaN weights it stepped to (a NaN class_weight did so).
    rng = np.random.default_rng(3)
    y, out = _problem(kind, rng, 4, 2)
    with np.errstate(invalid="ignore"):
        value = VALUES[kind](y, out, np.array([np.nan, 1.0, 1.0, 1.0]))
    assert np.isnan(value)


# ---------------------------------------------------------------------------
# Saturated probabilities


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_log_loss_of_saturated_probabilities_is_finite_without_warning(
    dtype,
):
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=dtype)
    out = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = binary_log_loss(y, out)
    assert np.isfinite(value)
    # Three confidently wrong and three confidently right probabilities over
    # three samples, clipped to [eps, 1 - eps].
    eps = float(np.finfo(dtype).eps)
    assert value == pytest.approx(-np.log(eps) - np.log1p(-eps), rel=1e-6)
    # scikit-learn clips at the same eps.
    expected = _sklearn_reference(
        "binary_log_loss", y.astype(float), out.astype(dtype), None
    )
    assert value == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_categorical_log_loss_of_saturated_probabilities_is_finite_without_warning(
    dtype,
):
    y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=dtype)
    out = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 1]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = categorical_log_loss(y, out)
    eps = float(np.finfo(dtype).eps)
    assert np.isfinite(value)
    assert value == pytest.approx((-np.log(eps) + 2 * -np.log1p(-eps)) / 3, rel=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_poisson_of_zero_mean_is_finite_without_warning(dtype):
    y = np.array([[0.0], [2.0], [0.0]], dtype=dtype)
    out = np.array([[0.0], [0.0], [np.finfo(dtype).max / 4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = poisson(y, out)
        zero_target_zero_mean = poisson(y[:1], out[:1])
    assert np.isfinite(value)
    assert value > 0
    # The deviance of y = 0 at mu = 0 is 0 (up to the clip at the tiniest mean).
    assert zero_target_zero_mean == pytest.approx(0.0, abs=1e-30)


# ---------------------------------------------------------------------------
# Output error signal δ = ∂E_n/∂net


def _reference_activation(name, net):
    return {
        "identity": lambda z: z,
        "logistic": expit,
        "tanh": np.tanh,
        "relu": lambda z: np.maximum(z, 0.0),
        "softmax": lambda z: scipy_softmax(z, axis=1),
        "exp": np.exp,
    }[name](net)


def _reference_per_sample_loss(kind, y, out):
    """Closed-form E_n for each row, summed over outputs."""
    if kind == "squared_error":
        return 0.5 * np.sum((y - out) ** 2, axis=1)
    if kind == "binary_log_loss":
        return -np.sum(xlogy(y, out) + xlogy(1 - y, 1 - out), axis=1)
    if kind == "log_loss":
        return -np.sum(xlogy(y, out), axis=1)
    if kind == "poisson":
        return np.sum(xlogy(y, y) - xlogy(y, out) - y + out, axis=1)
    raise ValueError(kind)


PAIRS = [
    ("squared_error", "identity"),
    ("squared_error", "logistic"),
    ("squared_error", "tanh"),
    ("squared_error", "relu"),
    ("squared_error", "softmax"),
    ("squared_error", "exp"),
    ("binary_log_loss", "logistic"),
    ("log_loss", "softmax"),
    ("poisson", "exp"),
]


def _targets(kind, activation, rng, n, k):
    if kind == "binary_log_loss":
        return rng.integers(0, 2, size=(n, k)).astype(float)
    if kind == "log_loss" or activation == "softmax":
        return np.eye(k)[rng.integers(0, k, size=n)]
    if kind == "poisson":
        return rng.poisson(1.5, size=(n, k)).astype(float)
    return rng.normal(size=(n, k))


@pytest.mark.parametrize(("kind", "activation"), PAIRS)
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), k=st.integers(2, 4))
def test_output_delta_equals_numerical_derivative_of_per_sample_loss(
    kind, activation, seed, n, k
):
    rng = np.random.default_rng(seed)
    net = rng.normal(scale=1.5, size=(n, k))
    if activation == "relu":
        net = np.where(np.abs(net) < 0.05, 0.5, net)  # away from the kink
    y = _targets(kind, activation, rng, n, k)
    out = _reference_activation(activation, net)
    y_before, out_before = y.copy(), out.copy()

    delta = np.full_like(out, np.nan)
    LOSSES[kind].output_delta(y, out, activation, delta)

    h = 1e-4
    expected = np.empty_like(net)
    for idx in np.ndindex(net.shape):
        row = idx[0]
        values = []
        for step in (2 * h, h, -h, -2 * h):
            shifted = net[row : row + 1].copy()
            shifted[0, idx[1]] += step
            out_row = _reference_activation(activation, shifted)
            values.append(
                _reference_per_sample_loss(kind, y[row : row + 1], out_row)[0]
            )
        expected[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (
            12 * h
        )
    # The differences are of a row's whole loss: a large output in the row
    # (exp units reach 1e4) brings rounding of ~eps * loss / h to its small
    # entries, hence an absolute tolerance that scales with the largest one.
    atol = 1e-9 * max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(delta, expected, rtol=1e-7, atol=atol)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(out, out_before)


def test_per_sample_reference_agrees_with_loss_value():
    # Ties the closed forms used for the finite differences to the values.
    rng = np.random.default_rng(4)
    for kind, f in VALUES.items():
        y, out = _problem(kind, rng, 5, 3)
        if kind == "log_loss":
            out /= out.sum(axis=1, keepdims=True)
        expected = float(np.mean(_reference_per_sample_loss(kind, y, out)))
        assert f(y, out) == pytest.approx(expected, rel=1e-13)

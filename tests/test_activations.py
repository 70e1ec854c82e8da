"""Activations and their derivatives against independent references.

References: ``scipy.special.expit`` / ``scipy.special.softmax``,
``numpy.logaddexp``, Python's ``math`` module, and central finite differences
of those references.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import expit
from scipy.special import softmax as scipy_softmax

from skbp._activations import (
    ACTIVATIONS,
    ALIASES,
    DERIVATIVES,
    canonical_name,
    exp,
    leaky_relu,
    logistic,
    softmax,
    softplus,
    tanh,
)

ELEMENTWISE = [
    "logistic",
    "tanh",
    "relu",
    "leaky_relu",
    "softplus",
    "identity",
    "exp",
]
ALL = [*ELEMENTWISE, "softmax"]

# Independent references, evaluated in float64.
REFERENCE = {
    "logistic": expit,
    "tanh": np.vectorize(math.tanh, otypes=[np.float64]),
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softplus": lambda z: np.logaddexp(0, z),
    "identity": lambda z: np.array(z, dtype=np.float64),
    "exp": np.vectorize(math.exp, otypes=[np.float64]),
    "softmax": lambda z: scipy_softmax(z, axis=1),
}


def _matrices(low, high, max_side=5):
    return arrays(
        np.float64,
        st.tuples(st.integers(1, max_side), st.integers(1, max_side)),
        elements=st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


def _apply(name, z):
    """Apply skbp's activation to a copy (it works in place)."""
    return ACTIVATIONS[name](z.copy())


def _fd_jacobian_transpose_product(name, z, g, h):
    """(J^T g) of the reference activation at z, by 5-point central differences.

    For elementwise activations this is g * f'(z); for softmax it is the
    gradient of sum(g * softmax(z)) with respect to z.
    """
    f = REFERENCE[name]
    result = np.empty_like(z)
    for idx in np.ndindex(z.shape):
        values = []
        for step in (2 * h, h, -h, -2 * h):
            zp = z.copy()
            zp[idx] += step
            values.append(float(np.sum(g * f(zp))))
        result[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (
            12 * h
        )
    return result


# ---------------------------------------------------------------------------
# Values


@settings(max_examples=200, deadline=None)
@given(_matrices(-30.0, 30.0, max_side=8))
def test_logistic_equals_scipy_expit_within_1e15_for_moderate_inputs(z):
    np.testing.assert_allclose(_apply("logistic", z), expit(z), rtol=0, atol=1e-15)


def test_logistic_equals_scipy_expit_on_a_dense_grid():
    z = np.linspace(-30, 30, 200_001)
    np.testing.assert_allclose(_apply("logistic", z), expit(z), rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "identity"])
@settings(max_examples=50, deadline=None)
@given(z=_matrices(-50.0, 50.0))
def test_elementwise_activation_equals_reference(name, z):
    np.testing.assert_allclose(_apply(name, z), REFERENCE[name](z), rtol=1e-15, atol=0)


@settings(max_examples=50, deadline=None)
@given(z=_matrices(-50.0, 50.0))
def test_tanh_equals_math_tanh_within_two_ulp_of_one(z):
    # Whichever formulation runs here (tests/test_kernels.py checks each).
    np.testing.assert_allclose(
        _apply("tanh", z), REFERENCE["tanh"](z), rtol=0, atol=2 * np.finfo(float).eps
    )


@settings(max_examples=100, deadline=None)
@given(z=_matrices(-800.0, 800.0))
def test_softplus_equals_logaddexp(z):
    np.testing.assert_allclose(
        _apply("softplus", z), REFERENCE["softplus"](z), rtol=4e-16, atol=0
    )


def test_softplus_equals_logaddexp_on_a_dense_grid():
    # Relative accuracy also where the output is tiny (very negative z),
    # down to the smallest normal number (subnormal outputs have fewer bits).
    z = np.linspace(-700, 60, 400_001)
    np.testing.assert_allclose(
        _apply("softplus", z), REFERENCE["softplus"](z), rtol=4e-16, atol=0
    )


@settings(max_examples=50, deadline=None)
@given(z=_matrices(-700.0, 700.0))
def test_exp_equals_math_exp_within_the_float64_range(z):
    np.testing.assert_allclose(_apply("exp", z), REFERENCE["exp"](z), rtol=1e-15)


@settings(max_examples=100, deadline=None)
@given(z=_matrices(-500.0, 500.0, max_side=6))
def test_softmax_equals_scipy_softmax(z):
    np.testing.assert_allclose(
        _apply("softmax", z), scipy_softmax(z, axis=1), rtol=1e-13, atol=1e-300
    )


@settings(max_examples=100, deadline=None)
@given(z=_matrices(-1e6, 1e6, max_side=8))
def test_softmax_rows_sum_to_one_and_lie_in_unit_interval(z):
    out = _apply("softmax", z)
    assert np.all(out >= 0)
    assert np.all(out <= 1)
    np.testing.assert_allclose(
        out.sum(axis=1), 1.0, rtol=0, atol=8 * z.shape[1] * 1e-16
    )


def test_softmax_is_invariant_to_adding_a_constant_to_a_row():
    rng = np.random.default_rng(0)
    # Multiples of 1/8: adding the shifts below is exact.
    z = rng.integers(-40, 40, size=(4, 5)) / 8
    shifted = z + np.array([[1000.0], [-1000.0], [0.5], [1e5]])
    np.testing.assert_allclose(
        _apply("softmax", shifted), scipy_softmax(z, axis=1), rtol=1e-12
    )


@pytest.mark.parametrize("name", ALL)
def test_activation_overwrites_and_returns_its_argument(name):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(3, 4))
    expected = REFERENCE[name](z)
    buffer = z.copy()
    result = ACTIVATIONS[name](buffer)
    assert result is buffer
    np.testing.assert_allclose(buffer, expected, rtol=1e-14)


def test_sigmoid_is_an_alias_of_logistic():
    assert ALIASES == {"sigmoid": "logistic"}
    assert canonical_name("sigmoid") == "logistic"
    for name in ALL:
        assert canonical_name(name) == name
    assert set(ACTIVATIONS) == set(DERIVATIVES) == set(ALL)


# ---------------------------------------------------------------------------
# Derivatives, written from the output


def _away_from_relu_kink(z):
    # Keep |z| >= 0.05 so that a central difference never crosses the kink.
    return np.where(np.abs(z) < 0.05, np.copysign(0.5, z), z)


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=30, deadline=None)
@given(
    z=_matrices(-8.0, 8.0, max_side=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_derivative_from_output_equals_numerical_derivative(name, z, seed):
    if name in ("relu", "leaky_relu"):
        z = _away_from_relu_kink(z)
    g = np.random.default_rng(seed).uniform(-1, 1, size=z.shape)
    out = _apply(name, z)
    out_before = out.copy()
    delta = g.copy()
    DERIVATIVES[name](out, delta)
    expected = _fd_jacobian_transpose_product(name, z, g, h=1e-3)
    np.testing.assert_allclose(delta, expected, rtol=1e-7, atol=1e-9)
    # The output is read, not written.
    np.testing.assert_array_equal(out, out_before)


@pytest.mark.parametrize(
    ("name", "closed_form"),
    [
        ("logistic", lambda z: expit(z) * expit(-z)),
        ("tanh", lambda z: 1 / np.cosh(z) ** 2),
        ("relu", lambda z: (z > 0).astype(float)),
        ("leaky_relu", lambda z: np.where(z > 0, 1.0, 0.01)),
        ("softplus", expit),
        ("identity", np.ones_like),
        ("exp", np.exp),
    ],
)
def test_elementwise_derivative_equals_closed_form_derivative(name, closed_form):
    z = np.linspace(-15, 15, 3001).reshape(-1, 1)
    z = z[z != 0].reshape(-1, 1)  # relu'(0) is a convention, not a fact
    g = np.cos(7 * z)  # arbitrary incoming error signal
    delta = g.copy()
    DERIVATIVES[name](_apply(name, z), delta)
    np.testing.assert_allclose(delta, g * closed_form(z), rtol=1e-9, atol=1e-15)


def test_softplus_derivative_keeps_relative_accuracy_for_tiny_outputs():
    # out ≈ exp(z) here; 1 - exp(-out) would cancel to a few digits.
    z = np.linspace(-700, 5, 20_001)
    delta = np.ones_like(z)
    DERIVATIVES["softplus"](_apply("softplus", z), delta)
    np.testing.assert_allclose(delta, expit(z), rtol=1e-14, atol=0)


def test_softmax_derivative_equals_explicit_jacobian_product():
    rng = np.random.default_rng(2)
    z = rng.normal(scale=3, size=(6, 4))
    g = rng.normal(size=(6, 4))
    s = scipy_softmax(z, axis=1)
    expected = np.stack(
        [(np.diag(si) - np.outer(si, si)).T @ gi for si, gi in zip(s, g)]
    )
    delta = g.copy()
    DERIVATIVES["softmax"](_apply("softmax", z), delta)
    np.testing.assert_allclose(delta, expected, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------
# Overflow safety and dtypes

DTYPES = [np.float32, np.float64]


def _extremes(dtype):
    """Finite extreme values of ``dtype`` (no inf, no nan)."""
    info = np.finfo(dtype)
    big = 1e300 if dtype == np.float64 else 1e38
    return np.array(
        [info.max, -info.max, big, -big, 1e4, -1e4, info.tiny, -info.tiny, 0.0],
        dtype=dtype,
    )


def _at_extremes(activation, dtype):
    """The extremes and the activation of a copy, which must not warn."""
    z = _extremes(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = activation(z.copy())
    assert out.dtype == dtype
    return z, out


@pytest.mark.parametrize("dtype", DTYPES)
def test_logistic_saturates_at_extremes_without_warning(dtype):
    _, out = _at_extremes(logistic, dtype)
    assert np.all(np.isfinite(out))
    # 0 or a subnormal number, depending on the formulation in use.
    tiny = np.finfo(dtype).tiny
    np.testing.assert_allclose(out[:6], [1, 0, 1, 0, 1, 0], rtol=0, atol=tiny)
    np.testing.assert_array_equal(out[6:], [0.5, 0.5, 0.5])


@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_saturates_at_extremes_without_warning(dtype):
    _, out = _at_extremes(tanh, dtype)
    np.testing.assert_array_equal(out[:6], [1, -1, 1, -1, 1, -1])
    assert np.all(np.abs(out[6:]) <= np.finfo(dtype).tiny)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softplus_of_extremes_is_finite_without_warning(dtype):
    z, out = _at_extremes(softplus, dtype)
    assert np.all(np.isfinite(out))
    # Huge net inputs pass through, huge negative ones give 0.
    np.testing.assert_array_equal(out[[0, 2, 4]], z[[0, 2, 4]])
    np.testing.assert_array_equal(out[[1, 3, 5]], 0)
    np.testing.assert_allclose(out[6:], np.log(2), rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_leaky_relu_of_extremes_is_finite_without_warning(dtype):
    z, out = _at_extremes(leaky_relu, dtype)
    assert np.all(np.isfinite(out))
    positive = z > 0
    np.testing.assert_array_equal(out[positive], z[positive])
    np.testing.assert_array_equal(out[~positive], z[~positive] * dtype(0.01))


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_of_extremes_is_finite_without_warning(dtype):
    _, out = _at_extremes(exp, dtype)
    assert np.all(np.isfinite(out))
    big = out[[0, 2, 4]]
    # Huge net inputs give a huge (but finite) mean, tiny ones give 0.
    assert np.all(big > np.finfo(dtype).max / 10)
    np.testing.assert_array_equal(out[[1, 3, 5]], 0)
    np.testing.assert_array_equal(out[6:], 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_of_huge_but_not_range_spanning_rows_is_finite_without_warning(
    dtype,
):
    big = 1e300 if dtype == np.float64 else 1e38
    z = np.array(
        [[big, -big, 0.0], [-big, -big, -big], [big, big, 1.0], [-big, 3.0, -big]],
        dtype=dtype,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = softmax(z.copy())
    assert out.dtype == dtype
    np.testing.assert_allclose(
        out,
        [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0], [0, 1, 0]],
        rtol=1e-6,
        atol=0,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_of_rows_spanning_the_whole_float_range_is_finite_without_warning(
    dtype,
):
    # max - (-max) is not representable: the max-subtraction must not overflow.
    m = np.finfo(dtype).max
    z = np.array([[m, -m], [-m, m], [-m, 0.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = softmax(z.copy())
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, [[1, 0], [0, 1], [0, 1]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["logistic", "tanh", "exp", "leaky_relu", "softplus"])
def test_derivative_at_extreme_outputs_is_finite_without_warning(name, dtype):
    z = _extremes(dtype).reshape(-1, 1)
    delta = np.ones_like(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _apply(name, z)
        DERIVATIVES[name](out, delta)
    assert np.all(np.isfinite(delta))
    if name in ("logistic", "tanh"):
        # Saturated units pass (next to) no error back.
        assert np.all(np.abs(delta[:6]) <= np.finfo(dtype).tiny)


@pytest.mark.parametrize("name", ALL)
def test_float32_activation_stays_float32_and_matches_float64(name):
    rng = np.random.default_rng(3)
    z64 = rng.normal(scale=4, size=(5, 3))
    z32 = z64.astype(np.float32)
    out32 = ACTIVATIONS[name](z32.copy())
    assert out32.dtype == np.float32
    reference = REFERENCE[name](z32.astype(np.float64))
    np.testing.assert_allclose(out32, reference, rtol=2e-6, atol=3e-7)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ALL)
def test_derivative_keeps_dtype_of_delta(name, dtype):
    rng = np.random.default_rng(4)
    z = rng.normal(size=(5, 3)).astype(dtype)
    out = ACTIVATIONS[name](z.copy())
    g = rng.normal(size=(5, 3)).astype(dtype)
    delta = g.copy()
    DERIVATIVES[name](out, delta)
    assert out.dtype == dtype
    assert delta.dtype == dtype
    # And the float32 result is the float64 one, rounded.
    out64 = out.astype(np.float64)
    delta64 = g.astype(np.float64)
    DERIVATIVES[name](out64, delta64)
    np.testing.assert_allclose(delta, delta64, rtol=1e-5, atol=1e-6)

"""clip_grad_norm: global gradient-norm clipping for the stochastic solvers."""

import math
import warnings

import numpy as np
import pytest
from network_reference import squared_error_gradients
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skbp import BackpropClassifier, BackpropRegressor, _training
from skbp.exceptions import TargetScaleWarning

rng = np.random.RandomState(0)
X = rng.standard_normal((60, 4))
y_reg = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.standard_normal(60)
y_clf = np.arange(60) % 3


def _quiet(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", TargetScaleWarning)
        return fit(*args, **kwargs)


def _weights(est):
    return est.coefs_ + est.intercepts_


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_default_is_none_in_both_estimators(Est):
    assert Est().clip_grad_norm is None
    assert "clip_grad_norm" in Est().get_params()


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_a_threshold_never_reached_changes_no_bit(Est, solver):
    y = y_clf if Est is BackpropClassifier else y_reg
    params = dict(hidden_layer_sizes=(5,), solver=solver, max_iter=8, batch_size=16)
    plain = _quiet(Est(**params, random_state=0).fit, X, y)
    never = _quiet(Est(**params, random_state=0, clip_grad_norm=1e300).fit, X, y)
    for a, b in zip(_weights(plain), _weights(never), strict=True):
        np.testing.assert_array_equal(a, b)
    assert plain.loss_curve_ == never.loss_curve_
    assert "clipped" not in plain.history_
    assert never.history_["clipped"].tolist() == [0] * never.n_iter_
    history = never.history_.drop(columns=["clipped", "seconds"])
    assert history.equals(plain.history_.drop(columns="seconds"))


def _sgd(**params):
    return BackpropRegressor(
        **{
            "hidden_layer_sizes": (3,),
            "activation": "tanh",
            "solver": "sgd",
            "momentum": 0,
            "learning_rate_init": 0.1,
            "random_state": 0,
            **params,
        }
    )


def _packed(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


def _initial(seed=1, hidden=3):
    r = np.random.RandomState(seed)
    coefs = [r.uniform(-1, 1, (4, hidden)), r.uniform(-1, 1, (hidden, 1))]
    return coefs, [r.uniform(-1, 1, hidden), r.uniform(-1, 1, 1)]


@pytest.mark.parametrize("alpha", [0.0, 30.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_a_clipped_step_is_eta_times_the_penalised_gradient_rescaled(
    fit_intercept, alpha
):
    # The reference is numpy's: the gradient of the loss *with* the L2
    # penalty (intercepts, when trained, in the same vector), its norm, the
    # rescaled gradient and the SGD step, from the weights the net starts at.
    coefs, intercepts = _initial()
    g_coefs, g_intercepts = squared_error_gradients(
        X, y_reg, coefs, intercepts, ["tanh"], alpha
    )
    g = _packed(g_coefs + (g_intercepts if fit_intercept else []))
    norm = np.linalg.norm(g)
    if alpha:
        # The penalty's share of the norm is large enough to tell the two
        # conventions (penalty inside or outside the clipped norm) apart.
        without = squared_error_gradients(X, y_reg, coefs, intercepts, ["tanh"])
        plain = _packed(without[0] + (without[1] if fit_intercept else []))
        assert abs(np.linalg.norm(plain) / norm - 1) > 0.05
    c = norm / 4
    net = _sgd(
        fit_intercept=fit_intercept,
        alpha=alpha,
        clip_grad_norm=c,
        coefs_init=coefs,
        intercepts_init=intercepts,
    )
    updates = net.trace_step(X, y_reg).updates
    clipped = g * (c / norm)
    trained = len(g)
    start = _packed(coefs + intercepts)
    expected = start.copy()
    expected[:trained] -= 0.1 * clipped
    np.testing.assert_allclose(_packed(_weights(net)), expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(updates["old_weight"], start[:trained])
    np.testing.assert_allclose(updates["gradient"], clipped, rtol=0, atol=1e-12)
    history = net.history_
    assert history["clipped"].tolist() == [1]
    # The recorded norms are those of the gradient as computed, before
    # clipping.
    assert history["grad_norm_1"].iloc[0] == pytest.approx(
        np.linalg.norm(g_coefs[0]), rel=1e-12
    )


def _overflowing_float32_case():
    """Targets near 1e19 and saturated tanh units, in float32.

    The gradient's norm is ~3e19, whose square passes float32's largest
    value (3.4e38), while the loss (half the mean squared error) stays
    finite. Returns the initial weights, X and y, and the gradients in
    float64 (numpy from the formulas) from the float32 weights.
    """
    coefs, intercepts = _initial(hidden=8)
    X32 = (20 * np.sign(np.random.RandomState(2).randn(2, 4))).astype(np.float32)
    y32 = np.array([1e19, 1e19], dtype=np.float32)
    g_coefs, g_intercepts = squared_error_gradients(
        X32.astype(float),
        y32.astype(float),
        [w.astype(np.float32).astype(float) for w in coefs],
        [b.astype(np.float32).astype(float) for b in intercepts],
        ["tanh"],
    )
    return coefs, intercepts, X32, y32, g_coefs, g_intercepts


def test_a_float32_gradient_whose_squared_norm_overflows_is_clipped_not_zeroed():
    # Before: the norm came out infinite, the step was scaled by 0 and the
    # weights did not move.
    coefs, intercepts, X32, y32, g_coefs, g_intercepts = _overflowing_float32_case()
    net = _sgd(
        hidden_layer_sizes=(8,),
        clip_grad_norm=1.0,
        coefs_init=coefs,
        intercepts_init=intercepts,
    )
    trace = net.trace_step(X32, y32)
    assert np.isfinite(trace.loss)
    start32 = _packed([np.float32(w) for w in coefs + intercepts])
    g = _packed(g_coefs + g_intercepts)
    assert np.linalg.norm(g) > np.sqrt(np.finfo(np.float32).max)
    expected = start32 - 0.1 * g / np.linalg.norm(g)
    got = _packed(_weights(net))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert np.linalg.norm(got.astype(float) - start32) == pytest.approx(0.1, rel=1e-5)
    assert net.history_["clipped"].tolist() == [1]


@pytest.mark.parametrize("step", ["trace_step", "partial_fit", "fit"])
@pytest.mark.parametrize("clip", [None, 1.0])
def test_history_records_a_float32_gradient_norm_past_the_square_root_of_max(
    step, clip
):
    # The same ~3e19 gradient: the recorded per-layer norms are its norms
    # computed in float64, not the infinity a float32 dot product gives.
    coefs, intercepts, X32, y32, g_coefs, _ = _overflowing_float32_case()
    net = _sgd(
        hidden_layer_sizes=(8,),
        clip_grad_norm=clip,
        coefs_init=coefs,
        intercepts_init=intercepts,
        batch_size=2,
        max_iter=1,
        shuffle=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _quiet(getattr(net, step), X32, y32)
    expected = [np.linalg.norm(g) for g in g_coefs]
    assert expected[0] > np.sqrt(np.finfo(np.float32).max)
    got = net.history_.loc[0, ["grad_norm_1", "grad_norm_2"]].to_numpy(float)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


@pytest.mark.parametrize(
    "values, dtype",
    [
        ([1e19, 1e19, -1e19, 1e19], np.float32),  # norm 2e19: square overflows
        ([3e38, -3e38, 1.0], np.float32),  # norm past float32's range
        ([1e-30, 1e-30, -1e-30, 1e-30], np.float32),  # squares underflow
        ([1e155, -1e155, 1e155, 1e155], np.float64),
        ([1e-170, 1e-170, 1e-170, -1e-170], np.float64),
        ([3.0, 4.0], np.float32),
    ],
)
def test_clip_gradient_scales_to_the_norm_without_overflow_or_underflow(values, dtype):
    g = np.array(values, dtype=dtype)
    # math.hypot computes the norm of Python floats without overflow.
    norm = math.hypot(*map(float, g))
    c = norm / 8
    expected = [float(v) * (c / norm) for v in g]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _training.clip_gradient(g, c) is True
    assert g.dtype == dtype
    np.testing.assert_allclose(g, expected, rtol=4 * np.finfo(dtype).eps)
    # Not clipped when within the threshold.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _training.clip_gradient(g, 2 * c) is False


@pytest.mark.parametrize("step", ["trace_step", "partial_fit"])
def test_trace_step_and_partial_fit_clip_the_penalised_gradient(step):
    # Both take one full-batch step; the reference is numpy's penalised
    # gradient, rescaled to the threshold, from the weights the net starts at.
    coefs, intercepts = _initial()
    alpha = 1.0
    g_coefs, g_intercepts = squared_error_gradients(
        X, y_reg, coefs, intercepts, ["tanh"], alpha
    )
    g = _packed(g_coefs + g_intercepts)
    c = np.linalg.norm(g) / 3
    net = _sgd(
        clip_grad_norm=c,
        alpha=alpha,
        batch_size=len(X),
        shuffle=False,
        coefs_init=coefs,
        intercepts_init=intercepts,
    )
    getattr(net, step)(X, y_reg)
    expected = _packed(coefs + intercepts) - 0.1 * g * (c / np.linalg.norm(g))
    np.testing.assert_allclose(_packed(_weights(net)), expected, rtol=0, atol=1e-12)
    assert net.history_["clipped"].tolist() == [1]


def test_history_counts_the_clipped_batches_of_each_epoch():
    net = _quiet(_sgd(clip_grad_norm=1e-6, batch_size=10, max_iter=3).fit, X, y_reg)
    assert net.history_["clipped"].tolist() == [6, 6, 6]


@pytest.mark.parametrize("value", [0, 0.0, -1.0, "a", np.inf * 0])
@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_invalid_values_are_rejected_before_any_change(Est, value):
    y = y_clf if Est is BackpropClassifier else y_reg
    est = _quiet(Est(solver="sgd", max_iter=2, random_state=0).fit, X, y)
    before = [w.copy() for w in _weights(est)]
    n_iter = est.n_iter_
    est.set_params(clip_grad_norm=value)
    for method in (est.fit, est.partial_fit, est.trace_step):
        with pytest.raises(InvalidParameterError, match="clip_grad_norm"):
            method(X, y)
    for a, b in zip(_weights(est), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert est.n_iter_ == n_iter


def test_clipping_tames_a_diverging_run():
    params = dict(
        hidden_layer_sizes=(8,),
        activation="relu",
        solver="sgd",
        learning_rate_init=1.0,
        max_iter=50,
        random_state=0,
    )
    y = y_reg * 1e3
    with pytest.warns(ConvergenceWarning, match="diverged"):
        BackpropRegressor(**params).fit(X, y)
    est = _quiet(BackpropRegressor(**params, clip_grad_norm=1.0).fit, X, y)
    assert all(np.isfinite(w).all() for w in _weights(est))
    assert np.isfinite(est.loss_curve_).all()
    assert est.loss_ < est.loss_curve_[0] / 100
    assert est.history_["clipped"].sum() > 0


def test_lbfgs_refuses_it():
    # As it refuses dropout (tests/test_parameter_rules.py has both rules).
    est = BackpropRegressor(hidden_layer_sizes=(3,), solver="lbfgs", clip_grad_norm=1)
    with pytest.raises(ValueError, match="clip_grad_norm needs a stochastic solver"):
        est.fit(X, y_reg)
    assert not hasattr(est, "coefs_")


def test_to_sklearn_warns_it_is_not_carried_and_from_sklearn_leaves_it_none():
    net = _quiet(
        BackpropRegressor(
            solver="sgd", max_iter=2, clip_grad_norm=1.0, random_state=0
        ).fit,
        X,
        y_reg,
    )
    # The weights convert (clipping acted in training only); scikit-learn's
    # model would train on without it.
    with pytest.warns(UserWarning, match=r"clip_grad_norm=1\.0"):
        mlp = net.to_sklearn()
    # scikit-learn's expit and the logistic form this CPU runs agree to two
    # ulp of the units' range (the same weights, not always the same last
    # bits): a prediction near 0 may differ by ~1e-16, not relatively.
    np.testing.assert_allclose(mlp.predict(X), net.predict(X), rtol=1e-13, atol=1e-14)
    assert BackpropRegressor.from_sklearn(mlp).clip_grad_norm is None


def test_a_model_saved_before_the_parameter_existed_loads_with_its_default():
    # The state of a model pickled before clip_grad_norm was added.
    est = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], [0, 1, 1, 0])
    state = est.__getstate__()
    del state["clip_grad_norm"]
    loaded = BackpropClassifier.__new__(BackpropClassifier)
    loaded.__setstate__(state)
    assert loaded.clip_grad_norm is None
    assert loaded.get_params() == est.get_params()
    np.testing.assert_array_equal(
        loaded.predict_proba([[0.5, 0.5]]), est.predict_proba([[0.5, 0.5]])
    )

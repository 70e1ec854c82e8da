"""clip_grad_norm: global gradient-norm clipping for the stochastic solvers."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skbp import BackpropClassifier, BackpropRegressor

rng = np.random.RandomState(0)
X = rng.standard_normal((60, 4))
y_reg = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.standard_normal(60)
y_clf = np.arange(60) % 3


def _quiet(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
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
        hidden_layer_sizes=(3,),
        activation="tanh",
        solver="sgd",
        momentum=0,
        learning_rate_init=0.1,
        random_state=0,
        **params,
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_a_clipped_step_moves_by_eta_times_the_rescaled_gradient(fit_intercept):
    unclipped = _sgd(fit_intercept=fit_intercept).trace_step(X, y_reg).updates
    g = unclipped["gradient"].to_numpy()
    trained = np.ones(len(g), dtype=bool)
    if not fit_intercept:
        trained = (unclipped["kind"] == "coef").to_numpy()
    norm = np.linalg.norm(g[trained])
    c = norm / 4
    net = _sgd(fit_intercept=fit_intercept, clip_grad_norm=c)
    updates = net.trace_step(X, y_reg).updates
    np.testing.assert_array_equal(updates["old_weight"], unclipped["old_weight"])
    change = (updates["new_weight"] - updates["old_weight"]).to_numpy()
    np.testing.assert_allclose(
        change[trained], -0.1 * g[trained] * (c / norm), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        updates["gradient"].to_numpy()[trained],
        g[trained] * (c / norm),
        rtol=0,
        atol=1e-12,
    )
    history = net.history_
    assert history["clipped"].tolist() == [1]
    # The recorded norms are those of the gradient as computed.
    assert history["grad_norm_1"].iloc[0] == pytest.approx(
        np.linalg.norm(unclipped.query("layer == 1 and kind == 'coef'")["gradient"]),
        rel=1e-12,
    )


def test_partial_fit_clips_as_trace_step_does():
    c = 0.05
    traced = _sgd(clip_grad_norm=c)
    traced.trace_step(X, y_reg)
    fitted = _sgd(clip_grad_norm=c, batch_size=len(X), shuffle=False)
    fitted.partial_fit(X, y_reg)
    for a, b in zip(_weights(traced), _weights(fitted), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    assert fitted.history_["clipped"].tolist() == [1]


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


def test_lbfgs_ignores_it():
    params = dict(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=20, random_state=0)
    plain = _quiet(BackpropRegressor(**params).fit, X, y_reg)
    clipped = _quiet(BackpropRegressor(**params, clip_grad_norm=1e-9).fit, X, y_reg)
    for a, b in zip(_weights(plain), _weights(clipped), strict=True):
        np.testing.assert_array_equal(a, b)


def test_to_sklearn_refuses_it_and_from_sklearn_leaves_it_none():
    net = _quiet(
        BackpropRegressor(solver="sgd", max_iter=2, clip_grad_norm=1.0).fit, X, y_reg
    )
    with pytest.raises(ValueError, match=r"clip_grad_norm=1\.0 cannot be converted"):
        net.to_sklearn()
    mlp = net.set_params(clip_grad_norm=None).to_sklearn()
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

"""trace_step without traps: the classes of an unfitted classifier, and
models whose early-stopping setting differs from the one they were fitted
with (by set_params), traced or trained on with partial_fit."""

import copy
import inspect

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor
from skbp.worked_examples import mazur_network

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PARAMS = dict(hidden_layer_sizes=(4,), solver="sgd", random_state=0)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def weights(est):
    return est.coefs_ + est.intercepts_


def assert_same_weights(a, b):
    for p, q in zip(weights(a), weights(b), strict=True):
        np.testing.assert_array_equal(p, q)


def two_class_batch(X, y):
    """Ten samples of iris's classes 0 and 1 only (class 2 is missing)."""
    rows = np.r_[0:5, 50:55]
    return X[rows], y[rows]


# ----------------------------------------------------------------------------
# The classes of an unfitted classifier


def test_classes_give_one_output_per_class_when_the_batch_lacks_some(iris):
    X, y = two_class_batch(*iris)
    net = BackpropClassifier(**PARAMS)
    trace = net.trace_step(X, y, classes=[0, 1, 2])
    assert net.n_outputs_ == 3
    np.testing.assert_array_equal(net.classes_, [0, 1, 2])
    assert net.out_activation_ == "softmax"
    assert net.coefs_[-1].shape == (4, 3)
    assert trace.forward.query("layer == 2")["unit"].nunique() == 3
    np.testing.assert_allclose(net.predict_proba(X).sum(axis=1), 1)
    assert net.predict_proba(X).shape == (10, 3)


def test_trace_with_classes_equals_a_partial_fit_step(iris):
    X, y = two_class_batch(*iris)
    traced = BackpropClassifier(**PARAMS)
    trace = traced.trace_step(X, y, classes=[0, 1, 2])
    stepped = BackpropClassifier(**PARAMS, batch_size=len(X), shuffle=False)
    stepped.partial_fit(X, y, classes=[0, 1, 2])
    assert_same_weights(traced, stepped)
    assert traced.loss_curve_ == stepped.loss_curve_ == [trace.loss]
    new = trace.updates.query("kind == 'coef' and layer == 2")["new_weight"]
    np.testing.assert_array_equal(new.to_numpy().reshape(4, 3), stepped.coefs_[1])


def test_single_class_batch_without_classes_is_refused_and_nothing_is_set(iris):
    X, y = iris
    net = BackpropClassifier(**PARAMS)
    with pytest.raises(ValueError, match=r"only the class 0\. Pass classes="):
        net.trace_step(X[:5], y[:5])
    assert not hasattr(net, "classes_") and not hasattr(net, "coefs_")
    # With the classes the same batch is traced.
    net.trace_step(X[:5], y[:5], classes=[0, 1, 2])
    assert net.n_outputs_ == 3


def test_single_string_class_is_named_in_the_error(iris):
    X, _ = iris
    with pytest.raises(ValueError, match="only the class 'spam'"):
        BackpropClassifier(**PARAMS).trace_step(X[:3], ["spam"] * 3)


def test_without_classes_the_batch_labels_are_the_classes(iris):
    # The documented rule: an unfitted classifier traced without classes
    # learns the classes the batch holds (as partial_fit cannot know more).
    X, y = two_class_batch(*iris)
    net = BackpropClassifier(**PARAMS)
    net.trace_step(X, y)
    np.testing.assert_array_equal(net.classes_, [0, 1])
    assert net.n_outputs_ == 1 and net.out_activation_ == "logistic"


def test_fitted_classifier_keeps_its_classes_and_checks_given_ones(iris):
    X, y = iris
    net = BackpropClassifier(**PARAMS, max_iter=3).fit(X, y)
    net.trace_step(X[:5], y[:5])  # one class in the batch: fine once fitted
    assert net.n_outputs_ == 3
    net.trace_step(X[:5], y[:5], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="classes"):
        net.trace_step(X[:5], y[:5], classes=[0, 1])


def test_labels_outside_the_given_classes_are_refused(iris):
    X, y = iris
    net = BackpropClassifier(**PARAMS)
    with pytest.raises(ValueError, match="classes not in"):
        net.trace_step(X[45:55], y[45:55], classes=[0, 2])
    assert not hasattr(net, "coefs_") and not hasattr(net, "classes_")


def test_multilabel_batch_needs_no_classes():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(6, 3), np.array([[1, 0, 1], [0, 1, 0]] * 3)
    net = BackpropClassifier(**PARAMS)
    net.trace_step(X, Y)
    assert net.n_outputs_ == 3 and net.out_activation_ == "logistic"


def test_regressor_signature_is_unchanged():
    params = list(inspect.signature(BackpropRegressor.trace_step).parameters)
    assert params == ["self", "X", "y", "sample_weight"]
    params = list(inspect.signature(BackpropClassifier.trace_step).parameters)
    assert params == ["self", "X", "y", "sample_weight", "classes"]


# ----------------------------------------------------------------------------
# Early stopping


@pytest.fixture(scope="module")
def early_stopped(iris):
    """A classifier fitted with early stopping (best_loss_ is None)."""
    X, y = iris
    net = BackpropClassifier(**PARAMS, early_stopping=True, max_iter=20)
    net.fit(X, y)
    assert net.best_loss_ is None and net.validation_scores_
    return net


def test_trace_step_on_model_with_early_stopping_on_is_one_plain_step(
    iris, early_stopped
):
    X, y = iris
    traced = copy.deepcopy(early_stopped)
    scores = list(traced.validation_scores_)
    n_epochs = len(traced.loss_curve_)
    trace = traced.trace_step(X, y)
    # The same step by partial_fit, which needs early stopping off.
    stepped = copy.deepcopy(early_stopped)
    stepped.set_params(early_stopping=False, batch_size=len(X), shuffle=False)
    stepped.partial_fit(X, y)
    assert_same_weights(traced, stepped)
    assert traced.loss_curve_[-1] == stepped.loss_curve_[-1] == trace.loss
    assert len(traced.loss_curve_) == n_epochs + 1
    # Nothing held out, nothing validated.
    assert traced.validation_scores_ == scores
    assert np.isnan(traced.history_["validation_score"].iloc[-1])


def test_unfitted_model_with_early_stopping_on_can_be_traced(iris):
    X, y = iris
    net = BackpropClassifier(**PARAMS, early_stopping=True)
    trace = net.trace_step(X, y)
    reference = BackpropClassifier(**PARAMS).trace_step(X, y)
    assert trace.loss == reference.loss
    assert net.best_loss_ == trace.loss


@pytest.mark.parametrize("method", ["trace_step", "partial_fit"])
def test_early_stopping_switched_off_after_fit(iris, early_stopped, method):
    # Used to fail with "unsupported operand type(s) for -: 'NoneType' and
    # 'float'": best_loss_ stays None after a fit with early stopping.
    X, y = iris
    net = copy.deepcopy(early_stopped).set_params(early_stopping=False)
    before = list(net.loss_curve_)
    getattr(net, method)(X, y)
    assert net.loss_curve_[:-1] == before
    # The no-improvement rule now follows the training loss, from the
    # lowest loss seen so far.
    assert net.best_loss_ == min(net.loss_curve_)
    assert net._no_improvement_count == int(net.loss_curve_[-1] > min(before) - net.tol)
    getattr(net, method)(X, y)
    assert net.best_loss_ == min(net.loss_curve_)


def test_warm_start_fit_after_switching_early_stopping_either_way(iris, early_stopped):
    X, y = iris
    net = copy.deepcopy(early_stopped).set_params(
        early_stopping=False, warm_start=True, max_iter=3
    )
    net.fit(X, y)
    assert net.best_loss_ == min(net.loss_curve_)
    net.set_params(early_stopping=True).fit(X, y)
    plain = BackpropClassifier(**PARAMS, max_iter=3).fit(X, y)
    plain.set_params(early_stopping=True, warm_start=True).fit(X, y)
    assert len(plain.validation_scores_) == plain.n_iter_
    assert plain.best_validation_score_ == max(plain.validation_scores_)


def test_partial_fit_still_refuses_early_stopping(iris, early_stopped):
    X, y = iris
    net = copy.deepcopy(early_stopped)
    with pytest.raises(ValueError, match="partial_fit does not support early_stop"):
        net.partial_fit(X, y)
    assert_same_weights(net, early_stopped)


def test_lbfgs_model_switched_to_sgd_trains_on_with_partial_fit():
    X, y = load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X), (y - y.mean()) / y.std()
    net = BackpropRegressor(hidden_layer_sizes=(4,), solver="lbfgs", random_state=0)
    net.set_params(max_iter=20).fit(X, y)
    assert not hasattr(net, "loss_curve_")
    net.set_params(solver="sgd").partial_fit(X, y)
    assert len(net.loss_curve_) == 1 and net.best_loss_ == net.loss_curve_[0]
    assert len(net.history_) == 1


def test_trace_step_counts_one_epoch_as_partial_fit_does(iris):
    X, y = iris
    a = BackpropClassifier(**PARAMS, max_iter=5).fit(X, y)
    b = clone(a).fit(X, y)
    a.trace_step(X, y)
    b.partial_fit(X, y)
    assert a.n_iter_ == b.n_iter_ == 1
    assert a.t_ == b.t_


def test_a_float32_step_keeps_float32_in_its_tables():
    # Matt Mazur's network, traced on float32 input: the tables hold the
    # step's own float32 numbers (they were widened to float64).
    net, X, y = mazur_network()
    W = [np.asarray(w, dtype=np.float64) for w in net.coefs_init]
    b = [np.asarray(v, dtype=np.float64) for v in net.intercepts_init]
    X = X.astype(np.float32)
    trace = net.trace_step(X, y.astype(np.float32))
    assert net.coefs_[0].dtype == np.float32
    for table, columns in (
        (trace.forward, ["net_input", "output"]),
        (trace.backward, ["delta"]),
        (trace.updates, ["old_weight", "gradient", "new_weight"]),
    ):
        for column in columns:
            assert table[column].dtype == np.float32, column
    old = np.concatenate([w.astype(np.float32).ravel() for w in W])
    np.testing.assert_array_equal(trace.updates["old_weight"].to_numpy(), old)
    new = np.concatenate([c.ravel() for c in net.coefs_])
    np.testing.assert_array_equal(trace.updates["new_weight"].to_numpy(), new)
    # Layer 1's net inputs, X·W + b computed by numpy in float32.
    hidden = X @ W[0].astype(np.float32) + b[0].astype(np.float32)
    np.testing.assert_allclose(
        trace.forward.query("layer == 1")["net_input"].to_numpy(),
        hidden.ravel(),
        rtol=1e-7,
    )


def test_an_epoch_of_one_batch_records_the_loss_trace_step_reports():
    # partial_fit's epoch loss was Σ loss·n / n, which differs from the batch's
    # loss in the last bit here; trace_step promises the model partial_fit
    # leaves, loss_curve_ included.
    X = np.random.RandomState(0).randn(7, 3)
    y = np.array([0, 1, 2, 0, 1, 2, 1])
    params = dict(PARAMS, hidden_layer_sizes=(4, 3), alpha=0.3, momentum=0)
    traced = BackpropClassifier(**params)
    trace = traced.trace_step(X, y)
    # The log-loss and L2 term of the initial weights, computed here.
    old = trace.updates["old_weight"].to_numpy()
    coefs, start = [], 0
    for shape in [c.shape for c in traced.coefs_]:
        coefs.append(old[start : start + shape[0] * shape[1]].reshape(shape))
        start += shape[0] * shape[1]
    intercepts = [old[start : start + 4], old[start + 4 : start + 7], old[start + 7 :]]
    a = X
    for c, b in zip(coefs[:-1], intercepts[:-1]):
        a = 1 / (1 + np.exp(-(a @ c + b)))
    z = a @ coefs[-1] + intercepts[-1]
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    expected = -log_p[np.arange(7), y].mean()
    expected += 0.3 * sum((c**2).sum() for c in coefs) / (2 * 7)
    assert trace.loss == pytest.approx(expected, rel=1e-14)
    assert trace.loss * 7 / 7 != trace.loss  # the case the old sum rounded
    stepped = BackpropClassifier(**params, batch_size=7, shuffle=False)
    stepped.partial_fit(X, y, classes=[0, 1, 2])
    fitted = BackpropClassifier(**params, batch_size=7, shuffle=False, max_iter=1)
    fitted.fit(X, y)
    assert traced.loss_curve_ == stepped.loss_curve_ == [trace.loss]
    assert fitted.loss_curve_ == [trace.loss]
    assert traced.history_["loss"].tolist() == stepped.history_["loss"].tolist()

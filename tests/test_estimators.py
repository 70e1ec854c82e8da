"""Behaviour of BackpropClassifier and BackpropRegressor as estimators."""

import inspect
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from _sklearn_features import needs_sklearn
from network_reference import squared_error_gradients
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring, roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor
from skbp._base import DOCS_URL

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


def _all_params(est):
    return est.coefs_ + est.intercepts_


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize(
    "ours, theirs, data",
    [
        (BackpropClassifier, MLPClassifier, "iris"),
        (BackpropRegressor, MLPRegressor, "diabetes"),
    ],
)
def test_same_weights_as_sklearn_mlp_with_same_random_state(
    solver, ours, theirs, data, request
):
    # Same Glorot draws, shuffles and update arithmetic: MLPClassifier's
    # fitted weights, number for number (float64).
    X, y = request.getfixturevalue(data)
    params = dict(
        hidden_layer_sizes=(8, 5),
        activation="logistic",
        solver=solver,
        random_state=0,
        max_iter=30,
        batch_size=16,
        learning_rate_init=0.05,
    )
    a, b = theirs(**params).fit(X, y), ours(**params).fit(X, y)
    assert a.n_iter_ == b.n_iter_
    for p, q in zip(_all_params(a), _all_params(b)):
        np.testing.assert_allclose(q, p, rtol=0, atol=1e-6)


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_float32_stays_float32(Est, solver, iris):
    X, y = iris
    est = Est(hidden_layer_sizes=(4,), solver=solver, max_iter=5, random_state=0)
    est.fit(X.astype(np.float32), y)
    assert all(p.dtype == np.float32 for p in _all_params(est))
    # float32 input is predicted in float32; float64 input in float64, as
    # scikit-learn's MLP does (test_prediction_dtype.py).
    predict = est.predict_proba if hasattr(est, "predict_proba") else est.predict
    assert predict(X[:5].astype(np.float32)).dtype == np.float32
    assert predict(X[:5]).dtype == np.float64


def test_sigmoid_is_another_name_for_logistic(iris):
    X, y = iris
    a = BackpropClassifier(activation="sigmoid", max_iter=10, random_state=1).fit(X, y)
    b = BackpropClassifier(activation="logistic", max_iter=10, random_state=1).fit(X, y)
    for p, q in zip(_all_params(a), _all_params(b)):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize(
    "y, expected",
    [
        (np.array([0, 1] * 10), "logistic"),
        (np.array([0, 1, 2, 3] * 5), "softmax"),
        (
            make_multilabel_classification(20, n_classes=3, random_state=0)[1],
            "logistic",
        ),
    ],
)
def test_classifier_output_activation_follows_target_type(y, expected):
    X = np.random.RandomState(0).randn(len(y), 3)
    est = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)
    assert est.out_activation_ == expected


def test_regressor_output_activation_defaults_and_overrides(diabetes):
    X, y = diabetes
    assert BackpropRegressor(max_iter=2).fit(X, y).out_activation_ == "identity"
    est = BackpropRegressor(max_iter=2, out_activation="sigmoid").fit(X, y > 0)
    assert est.out_activation_ == "logistic"
    assert np.all((est.predict(X) > 0) & (est.predict(X) < 1))
    est = BackpropRegressor(loss="poisson", max_iter=2).fit(X, np.exp(y))
    assert est.out_activation_ == "exp"


def test_poisson_rejects_negative_targets(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="negative"):
        BackpropRegressor(loss="poisson").fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(out_activation="softmax"), "softmax' needs at least 2 outputs"),
        (dict(activation="softsign"), "activation"),
        (dict(hidden_layer_sizes=(3, 0)), "hidden_layer_sizes"),
        (dict(loss="hinge"), "loss"),
    ],
)
def test_invalid_parameters_are_rejected_clearly(params, match):
    X, y = np.random.RandomState(0).randn(10, 2), np.array([0, 1] * 5)
    with pytest.raises(ValueError, match=match):
        BackpropClassifier(**params).fit(X, y)


def test_coefs_init_shape_error_names_layer_and_both_shapes():
    X, y = np.ones((4, 3)), np.array([0.0, 1, 1, 0])
    est = BackpropRegressor(
        hidden_layer_sizes=(4,), coefs_init=[np.zeros((3, 4)), np.zeros((5, 1))]
    )
    with pytest.raises(ValueError, match=r"coefs_init\[1\].*\(5, 1\).*\(4, 1\)"):
        est.fit(X, y)
    est.set_params(coefs_init=[np.zeros((3, 4))])
    with pytest.raises(ValueError, match="expected 2 arrays"):
        est.fit(X, y)
    est.set_params(coefs_init=None, intercepts_init=[np.zeros(4), np.zeros(2)])
    with pytest.raises(ValueError, match=r"intercepts_init\[1\].*\(2,\).*\(1,\)"):
        est.fit(X, y)
    est.set_params(intercepts_init=[np.zeros(4), np.array([np.nan])])
    with pytest.raises(ValueError, match="NaN"):
        est.fit(X, y)


def test_initial_weights_are_used_and_never_modified():
    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 3), rng.randn(20)
    coefs = [rng.randn(3, 4), rng.randn(4, 1)]
    intercepts = [rng.randn(4), rng.randn(1)]
    saved = [a.copy() for a in coefs + intercepts]
    est = BackpropRegressor(
        hidden_layer_sizes=(4,),
        solver="sgd",
        max_iter=1,
        learning_rate_init=1e-12,
        coefs_init=coefs,
        intercepts_init=intercepts,
    ).fit(X, y)
    for given, kept in zip(coefs + intercepts, saved):
        np.testing.assert_array_equal(given, kept)
    for fitted, given in zip(_all_params(est), saved):
        np.testing.assert_allclose(fitted, given, atol=1e-9)
        assert fitted is not given


@pytest.mark.parametrize("intercepts_init", [None, [np.full(3, 0.35), np.full(1, 0.6)]])
def test_fit_intercept_false_holds_intercepts_at_their_initial_value(intercepts_init):
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 2), rng.randn(30)
    est = BackpropRegressor(
        hidden_layer_sizes=(3,),
        fit_intercept=False,
        intercepts_init=intercepts_init,
        max_iter=20,
        random_state=0,
    ).fit(X, y)
    expected = intercepts_init or [np.zeros(3), np.zeros(1)]
    for b, e in zip(est.intercepts_, expected):
        np.testing.assert_array_equal(b, e)
    assert est.n_iter_ == 20


class _ReferenceOptimizer:
    """SGD with Nesterov momentum or Adam over the packed vector, in numpy.

    Parameters not trained have no state: theirs is zero whenever they
    start being trained (``mask`` says which are trained at each step).
    """

    def __init__(self, solver, size, lr=0.1):
        self.solver, self.lr, self.t = solver, lr, 0
        self.m, self.v = np.zeros(size), np.zeros(size)

    def step(self, p, g, mask):
        self.m[~mask], self.v[~mask], g = 0.0, 0.0, np.where(mask, g, 0.0)
        if self.solver == "sgd":
            self.m = 0.9 * self.m - self.lr * g
            return p + np.where(mask, 0.9 * self.m - self.lr * g, 0.0)
        self.t += 1
        lr_t = self.lr * np.sqrt(1 - 0.999**self.t) / (1 - 0.9**self.t)
        self.m = 0.9 * self.m + 0.1 * g
        self.v = 0.999 * self.v + 0.001 * g**2
        return p - np.where(mask, lr_t * self.m / (np.sqrt(self.v) + 1e-8), 0.0)


@pytest.mark.parametrize("call", ["partial_fit", "trace_step"])
@pytest.mark.parametrize("before, after", [(True, False), (False, True)])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_fit_intercept_switched_after_fit_trains_the_new_parameters(
    solver, before, after, call
):
    # The optimizer's state belongs to the trained vector, weights first:
    # switching fit_intercept keeps the weights' momentum or moments and
    # starts the intercepts' at zero (before: a broadcasting ValueError).
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 3), rng.randn(30)
    shapes = [(3, 4), (4, 1), (4,), (1,)]
    W1, W2, b1, b2 = (rng.uniform(-0.5, 0.5, s) for s in shapes)
    alpha, lr = 1e-2, 0.1
    est = BackpropRegressor(
        hidden_layer_sizes=(4,),
        activation="tanh",
        solver=solver,
        alpha=alpha,
        learning_rate_init=lr,
        batch_size=30,
        shuffle=False,
        max_iter=3,
        n_iter_no_change=10,
        fit_intercept=before,
        coefs_init=[W1, W2],
        intercepts_init=[b1, b2],
        random_state=0,
    ).fit(X, y)
    assert est.n_iter_ == 3
    est.set_params(fit_intercept=after)
    getattr(est, call)(X, y)

    sizes = [a.size for a in (W1, W2, b1, b2)]
    p = np.concatenate([W1.ravel(), W2.ravel(), b1, b2])
    reference = _ReferenceOptimizer(solver, p.size, lr)
    for fit_intercept in [before] * 3 + [after]:
        mask = np.arange(p.size) < (p.size if fit_intercept else sum(sizes[:2]))
        parts = np.split(p, np.cumsum(sizes)[:-1])
        W1_, W2_, b1_, b2_ = (a.reshape(s) for a, s in zip(parts, shapes))
        coef_grads, intercept_grads = squared_error_gradients(
            X, y, [W1_, W2_], [b1_, b2_], ["tanh"], alpha
        )
        g = np.concatenate([a.ravel() for a in coef_grads + intercept_grads])
        p = reference.step(p, g, mask)
    got = np.concatenate([a.ravel() for a in _all_params(est)])
    np.testing.assert_allclose(got, p, rtol=1e-12, atol=1e-14)


def test_rejected_fit_leaves_fitted_model_as_it_was(iris):
    X, y = iris
    est = BackpropClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    est.fit(X, y)
    before = {
        k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(est).items()
    }
    weights = [p.copy() for p in _all_params(est)]
    est.set_params(coefs_init=[np.zeros((4, 5)), np.zeros((5, 3))])
    with pytest.raises(ValueError, match="coefs_init"):
        est.fit(X[:, :2], y)
    assert set(vars(est)) == set(before)
    assert est.n_features_in_ == 4
    for p, q in zip(_all_params(est), weights):
        np.testing.assert_array_equal(p, q)
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :3], y)
    for p, q in zip(_all_params(est), weights):
        np.testing.assert_array_equal(p, q)


def test_grid_written_for_mlpclassifier_works_unchanged(iris):
    X, y = iris
    grid = {
        "mlp__hidden_layer_sizes": [(5,), (10,)],
        "mlp__alpha": [1e-4, 1e-2],
        "mlp__learning_rate_init": [0.01],
        "mlp__max_iter": [50],
        "mlp__random_state": [0],
    }
    results = {}
    for Est in (MLPClassifier, BackpropClassifier):
        pipe = make_pipeline(StandardScaler(), Est())
        pipe.steps[-1] = ("mlp", pipe.steps[-1][1])
        search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
        results[Est] = search.cv_results_["params"]
    assert results[MLPClassifier] == results[BackpropClassifier]


def test_pandas_input_keeps_feature_names(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    est = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=3).fit(
        frame, pd.Series(y)
    )
    assert list(est.feature_names_in_) == ["sl", "sw", "pl", "pw"]
    with pytest.warns(UserWarning, match="feature names"):
        est.predict(X)


def test_predict_proba_rows_sum_to_one_and_log_proba_matches(iris):
    X, y = iris
    est = BackpropClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    proba = est.fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba))
    np.testing.assert_array_equal(est.classes_[proba.argmax(axis=1)], est.predict(X))


def test_binary_predict_proba_is_logistic_output_and_its_complement():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 2), np.array(["no", "yes"] * 20)
    est = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=5).fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (40, 2)
    np.testing.assert_allclose(proba[:, 0], 1 - proba[:, 1])
    assert set(est.predict(X)) <= {"no", "yes"}


def _logistic_outputs(est, X):
    """The network's outputs, written out: logistic hidden and output units."""
    a = X
    for W, b in zip(est.coefs_, est.intercepts_):
        a = expit(a @ W + b)
    return a


def test_multiclass_logistic_outputs_are_scaled_to_probabilities(iris):
    # One logistic unit per class gave rows summing to 0.8 .. 1.7:
    # roc_auc_ovr refused them and log_loss warned. They are scaled as
    # OneVsRestClassifier scales its binary classifiers' probabilities.
    X, y = iris
    est = BackpropClassifier(
        hidden_layer_sizes=(5,), out_activation="logistic", max_iter=30, random_state=0
    ).fit(X, y)
    out = _logistic_outputs(est, X)
    assert np.abs(out.sum(axis=1) - 1).max() > 0.1
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba, out / out.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba), rtol=1e-12)
    np.testing.assert_array_equal(est.predict(X), est.classes_[out.argmax(axis=1)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score = roc_auc_score(y, proba, multi_class="ovr")
    assert check_scoring(est, scoring="roc_auc_ovr")(est, X, y) == score


def test_multiclass_logistic_outputs_all_zero_give_uniform_probabilities(iris):
    X, y = iris
    est = BackpropClassifier(
        hidden_layer_sizes=(5,), out_activation="logistic", max_iter=5, random_state=0
    ).fit(X, y)
    est.intercepts_[-1][:] = -1e4  # every output unit's logistic is 0.0
    assert not _logistic_outputs(est, X[:3]).any()
    np.testing.assert_array_equal(est.predict_proba(X[:3]), np.full((3, 3), 1 / 3))
    np.testing.assert_array_equal(est.predict(X[:3]), est.classes_[[0, 0, 0]])


def test_multilabel_logistic_outputs_stay_each_labels_probability():
    X, Y = make_multilabel_classification(40, n_classes=3, random_state=0)
    est = BackpropClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    est.fit(X, Y)
    np.testing.assert_allclose(
        est.predict_proba(X), _logistic_outputs(est, X), rtol=1e-12
    )


def test_trace_step_then_estimator_is_fitted_as_after_partial_fit(iris):
    X, y = iris
    params = dict(
        hidden_layer_sizes=(4,), solver="sgd", batch_size=len(X), random_state=0
    )
    a = BackpropClassifier(**params)
    trace = a.trace_step(X, y)
    b = BackpropClassifier(**params, shuffle=False).partial_fit(X, y, classes=[0, 1, 2])
    for p, q in zip(_all_params(a), _all_params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-12)
    assert a.loss_curve_ == b.loss_curve_ == [trace.loss]
    assert a.n_iter_ == 1 and a.t_ == len(X)
    new = trace.updates.query("kind == 'coef' and layer == 1")["new_weight"]
    np.testing.assert_allclose(new.to_numpy().reshape(4, 4), a.coefs_[0])


def test_trace_step_needs_a_stochastic_solver(iris):
    X, y = iris
    with pytest.raises(ValueError, match="stochastic solver"):
        BackpropClassifier(solver="lbfgs").trace_step(X, y)


def test_sample_weight_equals_repeating_samples_for_full_batch_sgd(diabetes):
    X, y = diabetes
    X, y = X[:60], y[:60]
    w = np.random.RandomState(0).randint(0, 4, len(y))
    params = dict(hidden_layer_sizes=(5,), solver="sgd", max_iter=20, random_state=0)
    a = BackpropRegressor(batch_size=len(y), **params).fit(X, y, sample_weight=w)
    X_rep, y_rep = np.repeat(X, w, axis=0), np.repeat(y, w)
    b = BackpropRegressor(batch_size=len(y_rep), **params).fit(X_rep, y_rep)
    for p, q in zip(_all_params(a), _all_params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)


def test_max_iter_reached_warns_like_sklearn(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning, match="Maximum iterations"):
            BackpropClassifier(max_iter=2).fit(X, y)


def test_clone_keeps_init_arrays_equal_but_estimator_copies_them():
    coefs = [np.ones((2, 2)), np.ones((2, 1))]
    est = BackpropRegressor(hidden_layer_sizes=(2,), coefs_init=coefs)
    assert clone(est).get_params()["coefs_init"] is not None


def test_predict_in_chunks_equals_one_forward_pass(monkeypatch, iris):
    from skbp import _network

    X, y = iris
    model = BackpropClassifier(hidden_layer_sizes=(8,), random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    whole = model.predict_proba(X)
    # 150 rows in chunks of 7: 21 full chunks and a last one of 3 rows.
    monkeypatch.setattr(_network, "PREDICT_CHUNK", 7)
    np.testing.assert_array_equal(model.predict_proba(X), whole)
    manual = _network.forward(
        X,
        model.coefs_,
        model.intercepts_,
        "logistic",
        "softmax",
        [np.empty((150, 8)), np.empty((150, 3))],
    )[-1]
    np.testing.assert_allclose(whole, manual, rtol=1e-12)


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_html_repr_links_to_the_estimators_own_page_in_skbp_docs(Est):
    page = f"{DOCS_URL}generated/skbp.{Est.__name__}.html"
    assert page.startswith("https://skbp.readthedocs.io/")
    for est in (
        Est(),
        Est(hidden_layer_sizes=(3,), max_iter=2).fit([[0.0], [1.0]], [0, 1]),
    ):
        links = re.findall(r'href="([^"]*)"', est._repr_html_())
        assert page in links
        # Parameter links are text fragments of the same page.
        assert all(link.split("#")[0] == page for link in links)
        assert not any("scikit-learn.org" in link for link in links)


def _docstring_section(doc, title, next_title):
    body = inspect.cleandoc(doc).split(f"\n{title}\n{'-' * len(title)}\n")[1]
    return body.split(f"\n\n{next_title}\n")[0]


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_docstring_lists_every_parameter_and_attribute_in_line(Est):
    # The shared sections are inserted at import into a docstring whose
    # indentation Python 3.13 strips (and older Pythons keep): either way
    # every entry starts at the section's indentation and its description
    # is indented below it, which is how numpydoc, help() and scikit-learn's
    # HTML repr read them.
    fitted = Est(hidden_layer_sizes=(2,), max_iter=1, solver="sgd")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted.fit([[0.0], [1.0], [2.0]], [0, 1, 0])
    for title, next_title, expected in [
        ("Parameters", "Attributes", set(Est().get_params())),
        ("Attributes", "See Also", {a for a in vars(fitted) if a.endswith("_")}),
    ]:
        section = _docstring_section(Est.__doc__, title, next_title)
        entry = re.compile(r"\w+ : \S")
        names = re.findall(r"^(\w+) : ", section, re.M)
        assert len(names) == len(set(names))
        assert expected <= set(names), title
        for line in section.splitlines():
            assert not line or entry.match(line) or line.startswith("    "), line


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_trace_step_docstring_has_the_shared_description_in_line(Est):
    doc = inspect.cleandoc(Est.trace_step.__doc__)
    assert "\n\nThe whole of ``X`` is one batch: one forward pass" in doc
    assert "\nand one optimizer update from the current weights" in doc
    section = _docstring_section(Est.trace_step.__doc__, "Parameters", "Returns")
    assert re.findall(r"^(\w+) : ", section, re.M)[:2] == ["X", "y"]


@needs_sklearn("1.8", "scikit-learn's HTML repr shows each parameter's documentation")
@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_html_parameter_table_documents_every_parameter(Est):
    # scikit-learn's HTML repr shows each parameter's docstring entry as the
    # tooltip of its row; a parameter missing from the docstring gets none.
    html = Est(dropout=0.3, activation=("relu",), clip_grad_norm=1.0)._repr_html_()
    described = re.findall(
        r'<span class="param-doc-description"[^>]*>\s*(\w+): ([^<]*)<br>', html
    )
    types = dict(described)
    assert set(types) == set(Est().get_params())
    assert types["dropout"].startswith("float or array-like of shape")
    assert "list of them" in types["activation"]
    assert types["clip_grad_norm"] == "float, default=None"


def _set_by_hand(est, out_activation):
    """The attributes scikit-learn's test_fit assigns to build its worked
    example's network without fitting it."""
    est.coefs_ = [
        np.array([[0.1, 0.2], [0.3, 0.1], [0.5, 0.0]]),
        np.array([[0.1], [0.2]]),
    ]
    est.intercepts_ = [np.array([0.1, 0.1]), np.array([1.0])]
    est.n_outputs_, est.n_features_in_, est.n_layers_ = 1, 3, 3
    est.out_activation_ = out_activation
    est.n_iter_, est.t_ = 0, 0
    est.best_loss_, est.loss_curve_ = np.inf, []
    est._no_improvement_count = 0
    return est


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_weights_set_by_hand_compute_with_activation(kind):
    # scikit-learn's test_fit assigns coefs_ and intercepts_ to a new MLP and
    # trains them on with partial_fit: weights never fitted have no recorded
    # units, so they compute with the ones activation names. The reference
    # is scikit-learn's MLP given the same weights.
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    X_ = np.array([[0.6, 0.8, 0.7], [0.1, -0.4, 0.9]])
    classify = kind == "classifier"
    target = np.array([0, 1]) if classify else np.array([0.5, -0.2])
    params = dict(
        hidden_layer_sizes=2,
        activation="tanh",
        solver="sgd",
        learning_rate_init=0.1,
        momentum=0,
        alpha=0.1,
    )
    out = "logistic" if classify else "identity"
    Ours, Theirs = (
        (BackpropClassifier, MLPClassifier)
        if classify
        else (BackpropRegressor, MLPRegressor)
    )
    ours, theirs = (_set_by_hand(E(**params), out) for E in (Ours, Theirs))
    fit_kw = dict(classes=[0, 1]) if classify else {}
    if not classify:
        np.testing.assert_allclose(ours.predict(X_), theirs.predict(X_), atol=1e-15)
    ours.partial_fit(X_, target, **fit_kw)
    theirs.partial_fit(X_, target, **fit_kw)
    assert ours.hidden_activations_ == ("tanh",)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    method = "predict_proba" if classify else "predict"
    np.testing.assert_allclose(
        getattr(ours, method)(X_), getattr(theirs, method)(X_), rtol=1e-13
    )


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_parameter_names_are_the_signatures_also_of_a_subclass(Est):
    # The names are read once per class: a subclass with parameters of its
    # own gets its own, in get_params and clone, and the base class keeps its.
    class Small(Est):
        def __init__(self, hidden_layer_sizes=(3,), extra=1):
            super().__init__(hidden_layer_sizes=hidden_layer_sizes)
            self.extra = extra

    expected = sorted(set(inspect.signature(Est.__init__).parameters) - {"self"})
    assert sorted(Est().get_params()) == expected
    assert sorted(Small().get_params()) == ["extra", "hidden_layer_sizes"]
    assert sorted(Est().get_params()) == expected
    assert clone(Small(extra=7)).get_params() == {
        "extra": 7,
        "hidden_layer_sizes": (3,),
    }

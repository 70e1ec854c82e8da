"""ONNX export: onnxruntime reproduces predict and predict_proba."""

import warnings

import numpy as np
import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")

from sklearn.ensemble import VotingClassifier, VotingRegressor  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import skbp.onnx  # noqa: E402
from skbp import BackpropClassifier, BackpropRegressor  # noqa: E402
from skbp._activations import REGISTRY  # noqa: E402
from skbp.exceptions import TargetScaleWarning  # noqa: E402

# Every hidden unit, from the activations' records: a new one is exported
# and checked against onnxruntime without a change here.
ACTIVATIONS = [name for name, unit in REGISTRY.items() if unit.hidden]
DTYPES = [np.float32, np.float64]
# |onnxruntime - skbp|: a few units in the last place of the dtype.
TOL = {np.float32: 1e-5, np.float64: 1e-10}

# (task, out_activation): every output unit skbp allows for the task.
CLASSIFIER_CASES = [
    ("binary", "logistic"),
    ("multiclass", "softmax"),
    ("multiclass", "logistic"),
    ("multilabel", "logistic"),
    ("multilabel", "softmax"),
]
REGRESSOR_CASES = [
    *[(1, out) for out in ("identity", "logistic", "tanh", "relu", "exp")],
    *[(3, out) for out in ("identity", "logistic", "tanh", "relu", "softmax", "exp")],
]


def _data(task, dtype, labels="int", n=60, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features)).astype(dtype)
    score = X @ rng.normal(size=(n_features, 3))
    if task == "binary":
        y = (score[:, 0] > 0).astype(int)
    elif task == "multiclass":
        y = score.argmax(axis=1)
    else:
        return X, (score > 0).astype(int)
    if labels == "str":
        y = np.array(["ant", "bee", "cat"])[y]
    return X, y


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Targets outside a bounded output's range are the point of some
        # of these tests.
        warnings.simplefilter("ignore", TargetScaleWarning)
        return estimator.fit(X, y)


def _classifier(activation="tanh", out_activation=None, fit_intercept=True, **kw):
    params = dict(
        hidden_layer_sizes=(6, 5),
        activation=activation,
        out_activation=out_activation,
        fit_intercept=fit_intercept,
        learning_rate_init=0.05,
        max_iter=20,
        random_state=0,
    )
    return BackpropClassifier(**{**params, **kw})


def _intercepts(fit_intercept, layer_units, seed=1):
    """Fixed, non-zero intercepts without fit_intercept: the graph adds them."""
    if fit_intercept:
        return None
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.5, size=n) for n in layer_units[1:]]


def _session(onx):
    options = ort.SessionOptions()
    # skl2onnx's VotingClassifier graph leaves an unused initializer, which
    # onnxruntime reports on stderr.
    options.log_severity_level = 3
    return ort.InferenceSession(
        onx.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def _run(onx, X):
    session = _session(onx)
    return session.run(None, {session.get_inputs()[0].name: X})


def _fitted_classifier(task, out, activation, fit_intercept, dtype, labels="int"):
    X, y = _data(task, dtype, labels)
    n_outputs = 1 if task == "binary" else 3
    clf = _classifier(
        activation,
        out,
        fit_intercept,
        intercepts_init=_intercepts(fit_intercept, [4, 6, 5, n_outputs]),
    )
    return _fit(clf, X, y), X


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize(("task", "out"), CLASSIFIER_CASES, ids="-".join)
def test_classifier_matches(task, out, activation, fit_intercept, dtype):
    clf, X = _fitted_classifier(task, out, activation, fit_intercept, dtype)
    assert clf.out_activation_ == out
    onx = skbp.onnx.to_onnx(clf, X, options={"zipmap": False})
    label, proba = _run(onx, X)

    expected = clf.predict_proba(X)
    assert proba.dtype == dtype
    np.testing.assert_allclose(proba, expected, rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_array_equal(label, clf.predict(X))
    if task != "multilabel":
        # A meaningful check only when the labels vary.
        assert len(np.unique(label)) > 1


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize(("n_outputs", "out"), REGRESSOR_CASES, ids=str)
def test_regressor_matches(n_outputs, out, activation, fit_intercept, dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4)).astype(dtype)
    y = np.abs(X @ rng.normal(size=(4, n_outputs))).astype(dtype)
    if n_outputs == 1:
        y = y.ravel()
    params = (
        {"loss": "poisson"} if out == "exp" else {"out_activation": out}
    )  # exp is the Poisson loss's own output
    reg = BackpropRegressor(
        hidden_layer_sizes=(6, 5),
        activation=activation,
        fit_intercept=fit_intercept,
        intercepts_init=_intercepts(fit_intercept, [4, 6, 5, n_outputs]),
        learning_rate_init=0.05,
        max_iter=20,
        random_state=0,
        **params,
    )
    reg = _fit(reg, X, y)
    assert reg.out_activation_ == out
    (pred,) = _run(skbp.onnx.to_onnx(reg, X), X)

    assert pred.dtype == dtype
    assert pred.shape == (len(X), n_outputs)
    expected = reg.predict(X).reshape(len(X), n_outputs)
    np.testing.assert_allclose(pred, expected, rtol=TOL[dtype], atol=TOL[dtype])


def test_the_cases_export_every_output_unit():
    # Every record but the hidden-only ones: the units out_activation takes,
    # and exp, which comes with loss="poisson".
    outputs = {n for n, unit in REGISTRY.items() if unit.output_of or not unit.hidden}
    assert {out for _, out in CLASSIFIER_CASES + REGRESSOR_CASES} == outputs


# One activation per hidden layer; "sigmoid" is the alias of "logistic".
PER_LAYER = [
    ("relu", "tanh"),
    ("softplus", "logistic"),
    ("tanh", "leaky_relu"),
    ("leaky_relu", "identity", "sigmoid"),
    ("logistic", "softplus", "relu"),
]
# The ONNX operator of each hidden unit in a float32 graph.
FLOAT32_OPS = {
    "identity": None,
    "logistic": "Sigmoid",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "leaky_relu": "LeakyRelu",
    "softplus": "Softplus",
}
UNIT_OPS = {"Sigmoid", "Tanh", "Relu", "LeakyRelu", "Softplus", "Softmax", "Exp"}


def _sizes(activation):
    return (6, 5, 4)[: len(activation)]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("activation", PER_LAYER, ids="-".join)
@pytest.mark.parametrize(("task", "out"), CLASSIFIER_CASES[:3], ids="-".join)
def test_per_layer_activation_classifier_matches(task, out, activation, dtype):
    X, y = _data(task, dtype)
    clf = _fit(
        _classifier(
            activation, out, hidden_layer_sizes=_sizes(activation), max_iter=40
        ),
        X,
        y,
    )
    label, proba = _run(skbp.onnx.to_onnx(clf, X, options={"zipmap": False}), X)

    assert proba.dtype == dtype
    np.testing.assert_allclose(
        proba, clf.predict_proba(X), rtol=TOL[dtype], atol=TOL[dtype]
    )
    np.testing.assert_array_equal(label, clf.predict(X))
    assert len(np.unique(label)) > 1


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("activation", PER_LAYER, ids="-".join)
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_per_layer_activation_regressor_matches(n_outputs, activation, dtype):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 4)).astype(dtype)
    y = (np.sin(X @ rng.normal(size=(4, n_outputs)))).astype(dtype)
    reg = BackpropRegressor(
        hidden_layer_sizes=_sizes(activation),
        activation=list(activation),
        learning_rate_init=0.05,
        max_iter=40,
        random_state=0,
    )
    reg = _fit(reg, X, y.ravel() if n_outputs == 1 else y)
    (pred,) = _run(skbp.onnx.to_onnx(reg, X), X)

    assert pred.dtype == dtype
    expected = reg.predict(X).reshape(len(X), n_outputs)
    np.testing.assert_allclose(pred, expected, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("activation", PER_LAYER, ids="-".join)
def test_per_layer_activation_graph_has_each_layers_operator(activation):
    # Matching predict could hide a wrong unit whose outputs happen to agree
    # (relu and identity on positive net inputs): the graph itself must
    # apply each layer's operator, in layer order, then the output's.
    X, y = _data("multiclass", np.float32)
    clf = _fit(_classifier(activation, hidden_layer_sizes=_sizes(activation)), X, y)
    onx = skbp.onnx.to_onnx(clf, X, options={"zipmap": False})
    ops = [node.op_type for node in onx.graph.node if node.op_type in UNIT_OPS]
    expected = [FLOAT32_OPS[a] for a in activation if FLOAT32_OPS[a] is not None]
    assert ops == [*expected, "Softmax"]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("dropout", [0.3, (0.5, 0.0)], ids=["all", "first"])
def test_model_fitted_with_dropout_exports_its_deterministic_predict(dropout, dtype):
    X, y = _data("multiclass", dtype)
    clf = _fit(_classifier("relu", dropout=dropout, solver="sgd"), X, y)
    label, proba = _run(skbp.onnx.to_onnx(clf, X, options={"zipmap": False}), X)
    np.testing.assert_allclose(
        proba, clf.predict_proba(X), rtol=TOL[dtype], atol=TOL[dtype]
    )
    np.testing.assert_array_equal(label, clf.predict(X))

    target = (X[:, 0] - 2 * X[:, 1]).astype(dtype)
    reg = BackpropRegressor(
        hidden_layer_sizes=(6, 5),
        activation=("tanh", "relu"),
        dropout=dropout,
        learning_rate_init=0.05,
        max_iter=20,
        random_state=0,
    )
    reg = _fit(reg, X, target)
    (pred,) = _run(skbp.onnx.to_onnx(reg, X), X)
    np.testing.assert_allclose(
        pred.ravel(), reg.predict(X), rtol=TOL[dtype], atol=TOL[dtype]
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("zipmap", [True, "columns"], ids=["zipmap", "columns"])
@pytest.mark.parametrize(
    ("task", "labels"),
    [
        ("binary", "int"),
        ("binary", "str"),
        ("multiclass", "int"),
        ("multiclass", "str"),
        # Multilabel targets are indicator matrices: the labels are 0..n-1.
        ("multilabel", "int"),
    ],
    ids="-".join,
)
def test_zipmap(task, labels, zipmap, dtype):
    out = {"binary": "logistic", "multiclass": "softmax"}.get(task, "logistic")
    clf, X = _fitted_classifier(task, out, "tanh", True, dtype, labels)
    onx = skbp.onnx.to_onnx(clf, X, options={"zipmap": zipmap})
    label, *proba = _run(onx, X)

    np.testing.assert_array_equal(label, clf.predict(X))
    expected = clf.predict_proba(X)
    if zipmap is True:
        # A list of {class: probability} dicts; onnxruntime's ZipMap holds
        # float32 values, so float64 probabilities are rounded to float32.
        (proba,) = proba
        assert isinstance(proba, list)
        assert [list(row) for row in proba] == [list(clf.classes_)] * len(X)
        proba = np.array([list(row.values()) for row in proba])
        tol = 1e-5 if dtype == np.float32 else 1e-7
    else:
        proba = np.column_stack(proba)
        tol = TOL[dtype]
    np.testing.assert_allclose(proba, expected, rtol=tol, atol=tol)


def test_nocl_gives_class_indices():
    clf, X = _fitted_classifier(
        "multiclass", "softmax", "relu", True, np.float32, "str"
    )
    onx = skbp.onnx.to_onnx(clf, X, options={"zipmap": False, "nocl": True})
    label, _ = _run(onx, X)
    assert label.dtype == np.int64
    np.testing.assert_array_equal(clf.classes_[label], clf.predict(X))


def test_output_class_labels():
    clf, X = _fitted_classifier(
        "multiclass", "softmax", "relu", True, np.float32, "str"
    )
    options = {"zipmap": False, "output_class_labels": True}
    label, _, classes = _run(skbp.onnx.to_onnx(clf, X, options=options), X)
    np.testing.assert_array_equal(classes, clf.classes_)
    np.testing.assert_array_equal(label, clf.predict(X))


@pytest.mark.parametrize(
    "labels",
    [np.array([-3, 7]), np.array([False, True]), np.array([1.0, 2.0])],
    ids=["negative-int", "bool", "whole-float"],
)
def test_label_types(labels):
    X, y = _data("binary", np.float32)
    clf = _fit(_classifier(), X, labels[y])
    label, _ = _run(skbp.onnx.to_onnx(clf, X, options={"zipmap": False}), X)
    # ONNX labels are int64; the values are predict's.
    assert label.dtype == np.int64
    np.testing.assert_array_equal(label, clf.predict(X).astype(np.int64))


def test_sigmoid_alias_and_squared_error_loss():
    X, y = _data("multiclass", np.float32)
    clf = _fit(_classifier("sigmoid", loss="squared_error"), X, y)
    label, proba = _run(skbp.onnx.to_onnx(clf, X, options={"zipmap": False}), X)
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(label, clf.predict(X))


def test_exp_output_clipped_as_skbp_clips():
    # Net inputs far beyond log(max): skbp clips them before exp, and so
    # must the graph, else onnxruntime returns inf.
    X = np.array([[1.0], [50.0], [200.0]], dtype=np.float32)
    reg = _fit(
        BackpropRegressor(loss="poisson", hidden_layer_sizes=(1,), max_iter=1),
        X,
        [1.0, 2.0, 3.0],
    )
    reg.coefs_ = [np.ones((1, 1), np.float32), np.ones((1, 1), np.float32)]
    reg.intercepts_ = [np.zeros(1, np.float32), np.zeros(1, np.float32)]
    reg.set_params(activation="relu")
    (pred,) = _run(skbp.onnx.to_onnx(reg, X), X)
    expected = reg.predict(X)
    assert np.isfinite(pred).all()
    np.testing.assert_allclose(pred.ravel(), expected, rtol=1e-6)


def test_integer_input_is_cast():
    X, y = _data("multiclass", np.float32)
    Xi = np.round(X * 3).astype(np.int64)
    clf = _fit(_classifier(), Xi.astype(np.float32), y)
    label, proba = _run(skbp.onnx.to_onnx(clf, Xi, options={"zipmap": False}), Xi)
    np.testing.assert_array_equal(label, clf.predict(Xi))
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba, clf.predict_proba(Xi), atol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_pipeline_with_skl2onnx_own_functions(dtype):
    X, y = _data("multiclass", dtype, "str")
    X = X * 10 + 3
    clf = _fit(make_pipeline(StandardScaler(), _classifier()), X, y)
    onx = skl2onnx.to_onnx(clf, X, options={BackpropClassifier: {"zipmap": False}})
    label, proba = _run(onx, X)
    np.testing.assert_array_equal(label, clf.predict(X))
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=TOL[dtype])

    Y = np.column_stack([X[:, 0] - X[:, 1], X[:, 2]])
    reg = make_pipeline(
        StandardScaler(),
        BackpropRegressor(hidden_layer_sizes=(5,), max_iter=20, random_state=0),
    )
    reg = _fit(reg, X, Y)
    tensor = skl2onnx.common.data_types.guess_data_type(X[:1])[0][1].__class__
    onx = skl2onnx.convert_sklearn(reg, initial_types=[("X", tensor([None, 4]))])
    (pred,) = _run(onx, X)
    np.testing.assert_allclose(pred, reg.predict(X), rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("opset", [9, None], ids=["opset9", "latest"])
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_multiclass_logistic_outputs_are_scaled_as_predict_proba_scales_them(
    dtype, opset
):
    # predict_proba scales one logistic unit per class to sum to 1 (uniform
    # where every unit is 0); the graph does the same, also in opset 9.
    clf, X = _fitted_classifier("multiclass", "logistic", "tanh", True, dtype)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=TOL[dtype])
    options = {"zipmap": False}
    label, onnx_proba = _run(
        skbp.onnx.to_onnx(clf, X, target_opset=opset, options=options), X
    )
    np.testing.assert_allclose(onnx_proba, proba, rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_array_equal(label, clf.predict(X))

    clf.intercepts_[-1][:] = -1e4  # every logistic output is 0.0
    label, onnx_proba = _run(
        skbp.onnx.to_onnx(clf, X, target_opset=opset, options=options), X
    )
    np.testing.assert_array_equal(onnx_proba, np.full((len(X), 3), dtype(1 / 3)))
    np.testing.assert_array_equal(onnx_proba, clf.predict_proba(X))
    np.testing.assert_array_equal(label, clf.predict(X))


def test_inside_ensembles():
    X, y = _data("multiclass", np.float32)
    voting = VotingClassifier(
        [("skbp", _classifier()), ("linear", LogisticRegression())],
        voting="soft",
        # skl2onnx converts VotingClassifier only without flattening.
        flatten_transform=False,
    )
    voting = _fit(voting, X, y)
    label, proba = _run(skl2onnx.to_onnx(voting, X, options={"zipmap": False}), X)
    np.testing.assert_array_equal(label, voting.predict(X))
    np.testing.assert_allclose(proba, voting.predict_proba(X), atol=1e-5)

    regressors = [
        ("skbp", BackpropRegressor(hidden_layer_sizes=(5,), max_iter=20)),
        ("linear", LinearRegression()),
    ]
    voting = _fit(VotingRegressor(regressors), X, X[:, 0] - X[:, 1])
    (pred,) = _run(skl2onnx.to_onnx(voting, X), X)
    np.testing.assert_allclose(pred.ravel(), voting.predict(X), rtol=1e-5, atol=1e-5)


def test_errors_name_the_problem():
    X, y = _data("multiclass", np.float32)
    with pytest.raises(NotFittedError):
        skbp.onnx.to_onnx(_classifier(), X)

    clf = _fit(_classifier(), X, y)
    with pytest.raises(ValueError, match="n_features_in_=4"):
        skbp.onnx.to_onnx(clf, X[:, :3])
    with pytest.raises(ValueError, match="target_opset=8"):
        skbp.onnx.to_onnx(clf, X, target_opset=8)
    StringTensorType = skl2onnx.common.data_types.StringTensorType
    with pytest.raises(ValueError, match="float32 or float64"):
        skl2onnx.convert_sklearn(
            clf, initial_types=[("X", StringTensorType([None, 4]))]
        )

    # The export computes with the fitted units, as predict does, whatever
    # activation is set to later (test_fitted_activations checks the
    # numbers); fitted units ONNX lacks are named by layer.
    clf.hidden_activations_ = ("relu", "softsign")
    with pytest.raises(
        ValueError,
        match=r"hidden_activations_=\('relu', 'softsign'\) cannot be converted "
        r"to ONNX \(hidden layer 2 has 'softsign'\)",
    ):
        skbp.onnx.to_onnx(clf, X)
    clf.hidden_activations_ = ("tanh", "tanh")
    clf.out_activation_ = "softsign"
    with pytest.raises(ValueError, match="out_activation='softsign'"):
        skbp.onnx.to_onnx(clf, X)

    one_class = _fit(_classifier(), X, np.zeros(len(X), dtype=int))
    with pytest.raises(ValueError, match=r"classes_=\[0\]: .* single class"):
        skbp.onnx.to_onnx(one_class, X)

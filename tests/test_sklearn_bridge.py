"""from_sklearn / to_sklearn: scikit-learn's fitted MLPs as skbp networks and back.

A converted model holds the same parameters, weights, label state, training
records and optimizer state, so it predicts as the original does and trains
on as the original would. Predictions across the libraries agree exactly
where both compute the same arithmetic (ReLU, tanh and identity units) and to
a few units in the last place where skbp computes logistic and softmax units
with formulations of its own; round trips within one library are exact.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from _sklearn_features import MLP_REGRESSOR_LOSS, sklearn_has
from sklearn.datasets import (
    load_diabetes,
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor, check_gradients

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# The few ulp by which skbp's logistic and softmax units may differ from
# scikit-learn's expit and softmax.
PROBA_ATOL = 1e-14

SOLVERS = {
    "sgd": dict(solver="sgd", momentum=0.9, learning_rate_init=0.05),
    "adam": dict(solver="adam", learning_rate_init=0.05),
    "lbfgs": dict(solver="lbfgs"),
}

# State that means the same in both libraries and must survive a conversion.
RECORDS = (
    "n_layers_",
    "n_outputs_",
    "out_activation_",
    "n_features_in_",
    "n_iter_",
    "t_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
)


def data(name):
    if name == "binary":
        X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    elif name == "multiclass":
        X, y = load_iris(return_X_y=True)
    elif name == "multilabel":
        X, y = make_multilabel_classification(
            n_samples=80, n_features=5, n_classes=3, random_state=0
        )
    elif name in ("single", "multi"):
        X, y = load_diabetes(return_X_y=True)
        X, y = X[:120], (y[:120] - y.mean()) / y.std()
        if name == "multi":
            y = np.column_stack([y, -y, y**2])
    return StandardScaler().fit_transform(X), y


def weights(est):
    return est.coefs_ + est.intercepts_


def assert_same_weights(a, b):
    assert len(weights(a)) == len(weights(b))
    for p, q in zip(weights(a), weights(b)):
        np.testing.assert_array_equal(p, q)
        assert p.dtype == q.dtype and p.flags.c_contiguous


def assert_same_records(a, b):
    for name in RECORDS:
        assert hasattr(a, name) == hasattr(b, name), name
        if hasattr(a, name):
            np.testing.assert_equal(getattr(a, name), getattr(b, name), err_msg=name)


def fit_mlp(name, solver, **params):
    X, y = data(name)
    Mlp = MLPRegressor if name in ("single", "multi") else MLPClassifier
    mlp = Mlp(hidden_layer_sizes=(5, 4), max_iter=15, random_state=0)
    return mlp.set_params(**SOLVERS[solver], **params).fit(X, y), X, y


# ----------------------------------------------------------------------------
# from_sklearn


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("name", ["binary", "multiclass", "multilabel"])
def test_classifier_from_sklearn_predicts_as_the_mlp(name, solver):
    mlp, X, _ = fit_mlp(name, solver, activation="logistic")
    net = BackpropClassifier.from_sklearn(mlp)
    assert_same_weights(net, mlp)
    assert_same_records(net, mlp)
    np.testing.assert_array_equal(net.classes_, mlp.classes_)
    np.testing.assert_array_equal(net.predict(X), mlp.predict(X))
    np.testing.assert_allclose(
        net.predict_proba(X), mlp.predict_proba(X), rtol=0, atol=PROBA_ATOL
    )


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("name", ["single", "multi"])
def test_regressor_from_sklearn_predicts_exactly_as_the_mlp(name, solver):
    # ReLU hidden units and identity outputs: the same arithmetic, bit for bit.
    mlp, X, _ = fit_mlp(name, solver)
    net = BackpropRegressor.from_sklearn(mlp)
    assert_same_weights(net, mlp)
    assert_same_records(net, mlp)
    np.testing.assert_array_equal(net.predict(X), mlp.predict(X))


def test_from_sklearn_copies_the_mlps_own_parameter_values():
    # skbp's default hidden unit is the logistic, scikit-learn's is ReLU:
    # the MLP's value, not skbp's default, must come over.
    mlp, _, _ = fit_mlp("multiclass", "sgd", alpha=0.01, batch_size=16, tol=1e-3)
    net = BackpropClassifier.from_sklearn(mlp)
    assert mlp.activation == "relu" and net.activation == "relu"
    ours = net.get_params()
    for name, value in mlp.get_params().items():
        assert ours[name] == value, name
    # skbp's own parameters keep their defaults.
    assert net.loss == "log_loss" and net.out_activation is None
    assert net.fit_intercept and net.coefs_init is None


@MLP_REGRESSOR_LOSS
def test_from_sklearn_copies_regressor_loss():
    X, y = data("single")
    mlp = MLPRegressor(
        hidden_layer_sizes=(4,), loss="poisson", max_iter=20, random_state=0
    ).fit(X, np.exp(y))
    net = BackpropRegressor.from_sklearn(mlp)
    assert net.loss == "poisson" and net.out_activation_ == "exp"
    np.testing.assert_array_equal(net.predict(X), mlp.predict(X))
    assert net.to_sklearn().loss == "poisson"


@pytest.mark.skipif(
    sklearn_has("1.7"),
    reason="scikit-learn before 1.7 only: its MLPRegressor takes loss= from 1.7",
)
def test_to_sklearn_refuses_poisson_where_mlpregressor_has_no_loss_parameter():
    X, y = data("single")
    net = BackpropRegressor(hidden_layer_sizes=(4,), loss="poisson", max_iter=5)
    net.fit(X, np.exp(y))
    with pytest.raises(ValueError) as excinfo:
        net.to_sklearn()
    assert str(excinfo.value) == (
        "loss='poisson' cannot be converted: scikit-learn's MLPRegressor "
        "trains with 'squared_error' only."
    )


def test_from_sklearn_shares_no_array_with_the_mlp():
    mlp, X, y = fit_mlp("multiclass", "adam")
    saved = copy.deepcopy(mlp)
    net = BackpropClassifier.from_sklearn(mlp)
    net.partial_fit(X, y)
    net.classes_[0] = 7
    assert_same_weights(mlp, saved)
    assert_same_records(mlp, saved)
    np.testing.assert_array_equal(mlp.classes_, [0, 1, 2])
    np.testing.assert_array_equal(mlp._optimizer.ms[0], saved._optimizer.ms[0])


def test_from_sklearn_keeps_early_stopping_records_and_feature_names():
    X, y = data("multiclass")
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    mlp = MLPClassifier(
        hidden_layer_sizes=(5,), early_stopping=True, max_iter=20, random_state=0
    ).fit(frame, y)
    net = BackpropClassifier.from_sklearn(mlp)
    assert net.early_stopping
    assert net.validation_scores_ == mlp.validation_scores_
    assert net.best_validation_score_ == mlp.best_validation_score_
    assert net.best_loss_ is None
    np.testing.assert_array_equal(net.feature_names_in_, ["a", "b", "c", "d"])
    np.testing.assert_array_equal(net.predict(frame), mlp.predict(frame))
    history = net.history_
    assert history["loss"].tolist() == mlp.loss_curve_
    assert history["validation_score"].tolist() == mlp.validation_scores_
    # scikit-learn does not record these.
    assert history["learning_rate"].isna().all()


def test_float32_mlp_stays_float32():
    X, y = data("multiclass")
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=10, random_state=0)
    mlp.fit(X.astype(np.float32), y)
    net = BackpropClassifier.from_sklearn(mlp)
    assert all(p.dtype == np.float32 for p in weights(net))
    assert net._optimizer.ms[0].dtype == np.float32
    np.testing.assert_array_equal(net.predict(X), mlp.predict(X))


# ----------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "name", ["binary", "multiclass", "multilabel", "single", "multi"]
)
def test_sklearn_skbp_sklearn_round_trip_is_exact(name, solver):
    mlp, X, _ = fit_mlp(name, solver, activation="logistic")
    Net = BackpropRegressor if name in ("single", "multi") else BackpropClassifier
    back = Net.from_sklearn(mlp).to_sklearn()
    assert type(back) is type(mlp)
    assert back.get_params() == mlp.get_params()
    assert_same_weights(back, mlp)
    assert_same_records(back, mlp)
    np.testing.assert_array_equal(back.predict(X), mlp.predict(X))
    if hasattr(mlp, "predict_proba"):
        np.testing.assert_array_equal(back.predict_proba(X), mlp.predict_proba(X))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "name", ["binary", "multiclass", "multilabel", "single", "multi"]
)
def test_skbp_sklearn_skbp_round_trip_is_exact(name, solver):
    X, y = data(name)
    Net = BackpropRegressor if name in ("single", "multi") else BackpropClassifier
    net = Net(hidden_layer_sizes=(5, 4), max_iter=15, random_state=0)
    net.set_params(**SOLVERS[solver]).fit(X, y)
    mlp = net.to_sklearn()
    back = Net.from_sklearn(mlp)
    assert back.get_params() == net.get_params()
    assert_same_weights(back, net)
    assert_same_records(back, net)
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    if hasattr(net, "predict_proba"):
        np.testing.assert_array_equal(back.predict_proba(X), net.predict_proba(X))
        np.testing.assert_allclose(
            mlp.predict_proba(X), net.predict_proba(X), rtol=0, atol=PROBA_ATOL
        )


def test_to_sklearn_maps_sigmoid_to_logistic():
    X, y = data("binary")
    net = BackpropClassifier(hidden_layer_sizes=(3,), activation="sigmoid")
    mlp = net.set_params(max_iter=5, random_state=0).fit(X, y).to_sklearn()
    assert mlp.activation == "logistic"
    mlp.predict(X)


def test_to_sklearn_gives_separate_arrays_scikit_learn_can_train():
    # skbp's coefs_ are views of one parameter vector; scikit-learn's
    # optimizer updates each layer's array in place.
    X, y = data("multiclass")
    net = BackpropClassifier(hidden_layer_sizes=(4,), solver="sgd", random_state=0)
    net.set_params(max_iter=5).fit(X, y)
    mlp = net.to_sklearn()
    assert all(p.base is None for p in weights(mlp))
    before = [p.copy() for p in weights(net)]
    mlp.partial_fit(X, y)
    for p, q in zip(weights(net), before):
        np.testing.assert_array_equal(p, q)


# ----------------------------------------------------------------------------
# Optimizer state: training goes on as in the other library


def _largest_difference(a, b):
    return max(float(np.abs(p - q).max()) for p, q in zip(weights(a), weights(b)))


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd", momentum=0.9, nesterovs_momentum=True),
        dict(solver="sgd", momentum=0.9, nesterovs_momentum=False),
        dict(solver="sgd", momentum=0.5, learning_rate="invscaling"),
        dict(solver="adam"),
    ],
    ids=["nesterov", "momentum", "invscaling", "adam"],
)
@pytest.mark.parametrize("direction", ["from_sklearn", "to_sklearn"])
def test_partial_fit_after_conversion_moves_the_weights_as_the_original(
    direction, params
):
    X, y = data("multiclass")
    common = dict(
        hidden_layer_sizes=(6,),
        activation="tanh",
        learning_rate_init=0.05,
        max_iter=5,
        random_state=0,
        **params,
    )
    if direction == "from_sklearn":
        original = MLPClassifier(**common).fit(X, y)
        converted = BackpropClassifier.from_sklearn(original)
    else:
        original = BackpropClassifier(**common).fit(X, y)
        converted = original.to_sklearn()
    # The same conversion with the optimizer state dropped: a fresh
    # optimizer (zero momentum, Adam restarting its step count).
    forgetful = copy.deepcopy(converted)
    del forgetful._optimizer
    for est in (original, converted, forgetful):
        for _ in range(3):
            est.partial_fit(X, y)
    assert _largest_difference(converted, original) < 1e-12
    assert _largest_difference(forgetful, original) > 1e-4
    assert converted.t_ == original.t_
    np.testing.assert_allclose(converted.loss_curve_, original.loss_curve_, rtol=1e-12)


def test_adaptive_learning_rate_carries_over():
    X, y = data("multiclass")
    mlp = MLPClassifier(
        hidden_layer_sizes=(4,),
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.5,
        n_iter_no_change=1,
        tol=10.0,  # no epoch improves enough: the step size is divided by 5
        max_iter=3,
        random_state=0,
    ).fit(X, y)
    assert mlp._optimizer.learning_rate < 0.5
    net = BackpropClassifier.from_sklearn(mlp)
    assert net._optimizer.learning_rate == mlp._optimizer.learning_rate
    assert net.to_sklearn()._optimizer.learning_rate == mlp._optimizer.learning_rate


# ----------------------------------------------------------------------------
# skbp's tools on a converted model


def test_trace_step_on_converted_model_is_the_mlps_full_batch_step():
    mlp, X, y = fit_mlp("multiclass", "sgd", activation="tanh")
    net = BackpropClassifier.from_sklearn(mlp)
    trace = net.trace_step(X, y)
    mlp.set_params(batch_size=len(X), shuffle=False).partial_fit(X, y)
    assert _largest_difference(net, mlp) < 1e-12
    assert trace.loss == pytest.approx(mlp.loss_curve_[-1], rel=1e-12)
    new = trace.updates.query("kind == 'coef' and layer == 1")["new_weight"]
    np.testing.assert_array_equal(new.to_numpy().reshape(4, 5), net.coefs_[0])


def test_trace_step_on_converted_lbfgs_model():
    mlp, X, y = fit_mlp("single", "lbfgs")
    net = BackpropRegressor.from_sklearn(mlp).set_params(solver="sgd")
    trace = net.trace_step(X[:10], y[:10])
    assert net.n_iter_ == 1 and net.loss_curve_ == [trace.loss]


def test_check_gradients_on_converted_model():
    mlp, X, y = fit_mlp("multiclass", "adam", activation="tanh")
    net = BackpropClassifier.from_sklearn(mlp)
    assert check_gradients(net, X[:20], y[:20]).max_rel_error < 1e-6


def test_network_display_draws_a_converted_model_and_its_step():
    # matplotlib is an optional extra; skbp.plot itself must import.
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from skbp.plot import NetworkDisplay

    mlp, X, y = fit_mlp("multiclass", "sgd", hidden_layer_sizes=(3,))
    net = BackpropClassifier.from_sklearn(mlp)
    trace = net.trace_step(X[:4], y[:4])
    try:
        display = NetworkDisplay.from_estimator(net, trace)
        # One edge per weight and intercept of scikit-learn's model, drawn
        # with the weights before the step, its width proportional to |w|.
        expected = {}
        for layer, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_), start=1):
            for (j, k), w in np.ndenumerate(W):
                expected[layer, j, k] = abs(w)
            for k, w in enumerate(b):
                expected[layer, None, k] = abs(w)
        assert set(display.edges_) == set(expected)
        widths = {key: line.get_linewidth() for key, line in display.edges_.items()}
        largest_width, largest_weight = max(widths.values()), max(expected.values())
        for key, w in expected.items():
            assert widths[key] / largest_width == pytest.approx(
                w / largest_weight, rel=1e-12
            )
    finally:
        plt.close("all")


# ----------------------------------------------------------------------------
# What cannot be converted


@pytest.mark.parametrize(
    "Net, params, y_kind, parameter",
    [
        (BackpropClassifier, dict(fit_intercept=False), "multiclass", "fit_intercept"),
        (BackpropClassifier, dict(loss="squared_error"), "multiclass", "loss="),
        (
            BackpropClassifier,
            dict(out_activation="logistic"),
            "multiclass",
            "out_activation='logistic'",
        ),
        (
            BackpropClassifier,
            dict(activation="leaky_relu"),
            "multiclass",
            "activation='leaky_relu'",
        ),
        (
            BackpropClassifier,
            dict(activation="softplus"),
            "multiclass",
            "activation='softplus'",
        ),
        (BackpropRegressor, dict(fit_intercept=False), "single", "fit_intercept"),
        (
            BackpropRegressor,
            dict(activation="softplus"),
            "single",
            "activation='softplus'",
        ),
        (
            BackpropRegressor,
            dict(out_activation="logistic"),
            "single",
            "out_activation='logistic'",
        ),
        (
            BackpropRegressor,
            dict(out_activation="softmax"),
            "multi",
            "out_activation='softmax'",
        ),
    ],
)
def test_to_sklearn_names_the_parameter_scikit_learn_cannot_express(
    Net, params, y_kind, parameter
):
    X, y = data(y_kind)
    if params.get("out_activation") in ("logistic", "softmax") and Net is (
        BackpropRegressor
    ):
        y = (y > 0).astype(float)
    net = Net(hidden_layer_sizes=(3,), max_iter=3, random_state=0, **params)
    net.fit(X, y)
    with pytest.raises(ValueError, match=parameter) as excinfo:
        net.to_sklearn()
    assert "cannot be converted" in str(excinfo.value)


@pytest.mark.parametrize(
    "activation, expected",
    [
        (("tanh", "tanh"), "tanh"),
        (["relu", "relu"], "relu"),
        # "sigmoid" is "logistic" once aliases are resolved.
        (("sigmoid", "logistic"), "logistic"),
    ],
)
@pytest.mark.parametrize("name", ["multiclass", "multi"])
def test_per_layer_activation_naming_one_unit_converts_as_that_unit(
    name, activation, expected
):
    X, y = data(name)
    Net = BackpropRegressor if name == "multi" else BackpropClassifier
    net = Net(hidden_layer_sizes=(5, 4), activation=activation, **SOLVERS["adam"])
    net.set_params(max_iter=10, random_state=0).fit(X, y)
    mlp = net.to_sklearn()
    assert mlp.activation == expected
    assert_same_weights(mlp, net)
    # scikit-learn's own forward pass with its single activation: the same
    # numbers as skbp's per-layer one (to a few ulp for logistic units).
    if name == "multiclass":
        np.testing.assert_array_equal(mlp.predict(X), net.predict(X))
        np.testing.assert_allclose(
            mlp.predict_proba(X), net.predict_proba(X), rtol=0, atol=PROBA_ATOL
        )
    else:
        np.testing.assert_allclose(
            mlp.predict(X), net.predict(X), rtol=0, atol=PROBA_ATOL
        )
    # The same network as one name all along: the same MLP.
    single = copy.deepcopy(net).set_params(activation=expected)
    assert single.to_sklearn().get_params() == mlp.get_params()


def test_per_layer_activation_list_without_hidden_layers_converts():
    # No hidden layer, no hidden unit: the list names none, and the MLP
    # computes the same linear model.
    X, y = data("multiclass")
    net = BackpropClassifier(hidden_layer_sizes=(), activation=[], max_iter=5)
    net.set_params(random_state=0).fit(X, y)
    mlp = net.to_sklearn()
    assert mlp.activation == "identity"
    np.testing.assert_allclose(
        mlp.predict_proba(X), net.predict_proba(X), rtol=0, atol=PROBA_ATOL
    )


@pytest.mark.parametrize(
    "activation", [("relu", "tanh"), ["logistic", "identity"], ("tanh", "sigmoid")]
)
def test_mixed_per_layer_activation_is_refused(activation):
    X, y = data("multiclass")
    net = BackpropClassifier(
        hidden_layer_sizes=(5, 4), activation=activation, max_iter=3, random_state=0
    ).fit(X, y)
    with pytest.raises(ValueError) as excinfo:
        net.to_sklearn()
    message = str(excinfo.value)
    assert message.startswith(f"activation={activation!r} cannot be converted: ")
    assert "one activation for all hidden layers" in message
    assert "MLPClassifier" in message


# skbp's training settings scikit-learn's MLPs lack, as the warning names them.
TRAINING_ONLY = {
    "dropout": (dict(dropout=(0.0, 0.5)), "dropout=(0.0, 0.5)"),
    "clip_grad_norm": (dict(clip_grad_norm=0.5), "clip_grad_norm=0.5"),
    "class_weight": (dict(class_weight="balanced"), "class_weight='balanced'"),
    "label_smoothing": (dict(label_smoothing=0.1), "label_smoothing=0.1"),
    "weight_decay": (dict(weight_decay=0.01), "weight_decay=0.01"),
    "cosine": (dict(learning_rate="cosine"), "learning_rate='cosine'"),
    "restore_best": (
        dict(restore_best="loss", early_stopping=True, validation_fraction=0.3),
        "restore_best='loss'",
    ),
}


def _training_only_cases():
    cases = []
    for name in ("multiclass", "binary", "single", "multi"):
        kinds = list(TRAINING_ONLY)
        if name in ("single", "multi"):
            kinds.remove("class_weight")
            kinds.remove("label_smoothing")
        cases += [(name, (kind,)) for kind in kinds] + [(name, tuple(kinds))]
    return cases


@pytest.mark.parametrize(
    "name, settings",
    _training_only_cases(),
    ids=lambda v: "+".join(v) if isinstance(v, tuple) else v,
)
def test_model_trained_with_settings_sklearn_lacks_converts_with_a_warning(
    name, settings
):
    # Dropout, clipping, class weights and label smoothing act in training
    # only: the fitted weights are a plain MLP, which scikit-learn's computes
    # alike.
    X, y = data(name)
    Net = BackpropRegressor if name in ("single", "multi") else BackpropClassifier
    params = {}
    for kind in settings:
        params.update(TRAINING_ONLY[kind][0])
    net = Net(hidden_layer_sizes=(5, 4), activation="tanh", **params)
    net.set_params(max_iter=5, random_state=0, **SOLVERS["sgd"]).fit(X, y)
    with pytest.warns(UserWarning) as record:
        mlp = net.to_sklearn()
    assert len(record) == 1
    message = str(record[0].message)
    assert record[0].filename == __file__
    for kind in TRAINING_ONLY:
        assert (TRAINING_ONLY[kind][1] in message) == (kind in settings), kind
    assert type(mlp).__name__ in message
    assert "trained further" in message
    assert not set(TRAINING_ONLY) & set(mlp.get_params())
    # A schedule the MLP lacks becomes its constant rate.
    assert mlp.learning_rate == "constant"
    assert_same_weights(mlp, net)
    if Net is BackpropClassifier:
        np.testing.assert_array_equal(mlp.predict(X), net.predict(X))
        np.testing.assert_allclose(
            mlp.predict_proba(X), net.predict_proba(X), rtol=0, atol=PROBA_ATOL
        )
    else:
        # skbp's tanh may be another exact formulation than numpy's (see
        # skbp._kernels): a few ulp.
        np.testing.assert_allclose(
            mlp.predict(X), net.predict(X), rtol=0, atol=PROBA_ATOL
        )
    # scikit-learn's model trains on as a plain MLP (its partial_fit refuses
    # early stopping, which restore_best needs).
    if not mlp.early_stopping:
        mlp.partial_fit(X, y)


def test_settings_switched_off_convert_without_a_warning():
    X, y = data("multiclass")
    net = BackpropClassifier(
        hidden_layer_sizes=(5, 4), dropout=0.3, clip_grad_norm=1.0, **SOLVERS["sgd"]
    )
    net.set_params(
        max_iter=3,
        random_state=0,
        class_weight="balanced",
        label_smoothing=0.1,
        weight_decay=0.1,
        learning_rate="cosine",
    ).fit(X, y)
    net.set_params(
        dropout=(0.0, 0.0), clip_grad_norm=None, class_weight=None, label_smoothing=0
    )
    net.set_params(weight_decay=0.0, learning_rate="invscaling")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mlp = net.to_sklearn()
    np.testing.assert_array_equal(mlp.predict(X), net.predict(X))


@pytest.mark.parametrize("dropout", [0.0, (0.0, 0.0)], ids=["float", "per-layer"])
def test_no_dropout_converts(dropout):
    X, y = data("multiclass")
    net = BackpropClassifier(hidden_layer_sizes=(5, 4), dropout=dropout, max_iter=5)
    net.set_params(random_state=0, **SOLVERS["sgd"]).fit(X, y)
    mlp = net.to_sklearn()
    assert "dropout" not in mlp.get_params()
    assert_same_weights(mlp, net)
    np.testing.assert_array_equal(mlp.predict(X), net.predict(X))
    # And the MLP trains on as this network would: rate 0 is no dropout.
    for est in (net, mlp):
        est.partial_fit(X, y)
    assert _largest_difference(mlp, net) < 1e-12


def test_softmax_out_activation_of_a_multiclass_classifier_converts():
    # Explicitly the units MLPClassifier would pick: representable.
    X, y = data("multiclass")
    net = BackpropClassifier(hidden_layer_sizes=(3,), out_activation="softmax")
    mlp = net.set_params(max_iter=3, random_state=0).fit(X, y).to_sklearn()
    assert mlp.out_activation_ == "softmax"


def test_skbp_only_parameters_are_not_carried():
    X, y = data("multiclass")
    net = BackpropClassifier(
        hidden_layer_sizes=(2,),
        coefs_init=[np.zeros((4, 2)), np.zeros((2, 3))],
        class_weight="balanced",
        max_iter=3,
    ).fit(X, y)
    with pytest.warns(UserWarning, match="class_weight='balanced'"):
        params = net.to_sklearn().get_params()
    assert not {"coefs_init", "intercepts_init", "class_weight", "loss"} & set(params)


@pytest.mark.parametrize("Net", [BackpropClassifier, BackpropRegressor])
def test_unfitted_models_are_refused(Net):
    Mlp = MLPClassifier if Net is BackpropClassifier else MLPRegressor
    with pytest.raises(NotFittedError):
        Net.from_sklearn(Mlp())
    with pytest.raises(NotFittedError):
        Net().to_sklearn()


def test_wrong_types_are_refused_naming_the_accepted_type():
    X, y = data("multiclass")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        regressor = MLPRegressor(max_iter=2).fit(X, y)
        classifier = MLPClassifier(max_iter=2).fit(X, y)
    with pytest.raises(TypeError, match=r"MLPClassifier; got MLPRegressor"):
        BackpropClassifier.from_sklearn(regressor)
    with pytest.raises(TypeError, match=r"MLPRegressor; got MLPClassifier"):
        BackpropRegressor.from_sklearn(classifier)
    net = BackpropClassifier(max_iter=2).fit(X, y)
    with pytest.raises(TypeError, match=r"MLPClassifier; got BackpropClassifier"):
        BackpropClassifier.from_sklearn(net)

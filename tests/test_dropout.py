"""Dropout: inverted masks on the hidden units while training, and only then.

The references are independent of skbp: masked forward passes, losses and
backpropagated δ written here in numpy from the documented formulas, central
finite differences with the masks held fixed, the mean of many masks, and
scikit-learn's own fits for the default (no dropout).
"""

import pickle
import warnings

import numpy as np
import pytest
from network_reference import EPS, HIDDEN, TOL, UNITS, off_the_kinks, problem
from network_reference import forward as masked_forward
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from skbp import BackpropClassifier, BackpropRegressor, _network, check_gradients

fixed_length = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


def regressor(hidden=(5, 4), **params):
    return BackpropRegressor(hidden_layer_sizes=hidden, **params)


# ----------------------------------------------------------------------------
# Gradients with the masks held fixed.


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("dropout", [0.5, (0.3, 0.0), (0.0, 0.6)])
def test_gradient_with_masks_held_fixed_is_the_finite_difference(activation, dropout):
    X, y, coefs, intercepts = problem()
    net = regressor(
        activation=activation,
        dropout=dropout,
        alpha=0.1,
        coefs_init=coefs,
        intercepts_init=intercepts,
        random_state=0,
    )
    # Masks for all of X, chosen here; samples near a kink are left out.
    rng = np.random.default_rng(5)
    rates = (dropout,) * 2 if np.isscalar(dropout) else dropout
    masks = [
        None if p == 0 else (rng.random((len(X), u)) >= p) / (1 - p)
        for p, u in zip(rates, (5, 4))
    ]
    names = (activation, activation)
    nets, _ = masked_forward(X, coefs, intercepts, names, masks)
    keep = off_the_kinks(nets, names)
    assert keep.sum() >= 20
    masks = [None if m is None else m[keep] for m in masks]
    X, y = X[keep], y[keep]
    check = check_gradients(net, X, y, eps=EPS, masks=masks)
    assert check.table["backprop"].abs().max() > 1e-3
    assert check.max_rel_error < TOL, check
    # The loss differentiated is that of the masked network.
    _, outs = masked_forward(X, coefs, intercepts, names, masks)
    penalty = 0.1 * sum((W**2).sum() for W in coefs) / (2 * len(X))
    expected = 0.5 * ((y - outs[-1]) ** 2).sum(axis=1).mean() + penalty
    assert check.loss == pytest.approx(expected, rel=1e-12)
    for held, given in zip(check.masks, masks):
        if given is None:
            assert held is None
        else:
            np.testing.assert_array_equal(held, given)


@pytest.mark.parametrize(
    ("names", "dropout"),
    [(("relu", "tanh"), (0.5, 0.2)), (("softplus", "logistic"), 0.4)],
)
def test_classifier_with_per_layer_units_and_dropout(names, dropout):
    X, _, coefs, intercepts = problem(seed=4)
    y = np.array(["a", "b", "c"])[np.argmax(X, axis=1)]
    coefs[-1] = np.random.default_rng(4).normal(scale=0.5, size=(4, 3))
    intercepts[-1] = np.zeros(3)
    net = BackpropClassifier(
        hidden_layer_sizes=(5, 4),
        activation=names,
        dropout=dropout,
        coefs_init=coefs,
        intercepts_init=intercepts,
        random_state=1,
    )
    # The masks a training step would draw, then the samples away from the
    # relu kink with their masks.
    masks = check_gradients(net, X, y, eps=EPS).masks
    nets, _ = masked_forward(X, coefs, intercepts, names, masks)
    keep = off_the_kinks(nets, names)
    assert keep.sum() >= 20
    masks = [m[keep] for m in masks]
    check = check_gradients(net, X[keep], y[keep], eps=EPS, masks=masks)
    assert check.table["backprop"].abs().max() > 1e-3
    assert check.max_rel_error < TOL, check


def test_masks_drawn_by_check_gradients_are_those_of_the_next_trace_step():
    X, y, coefs, intercepts = problem(seed=2)
    net = regressor(
        activation="tanh",
        dropout=(0.5, 0.25),
        solver="sgd",
        coefs_init=coefs,
        intercepts_init=intercepts,
        random_state=3,
    )
    check = check_gradients(net, X, y)
    trace = net.trace_step(X, y)
    for a, b in zip(check.masks, trace.masks):
        np.testing.assert_array_equal(a, b)
    assert check.loss == pytest.approx(trace.loss, rel=1e-14)
    gradient = trace.updates["gradient"].to_numpy()
    np.testing.assert_allclose(check.table["backprop"], gradient, rtol=1e-12)
    # and a second step draws new masks
    assert not np.array_equal(net.trace_step(X, y).masks[0], trace.masks[0])


# ----------------------------------------------------------------------------
# Inverted scaling: the expected output is the one without dropout.


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_masks_are_zero_or_one_over_keep_and_average_one(p, dtype):
    n, units = 50_000, 4
    dropout = _network.Dropout([p], [3, units, 1], n, dtype, seed=0)
    dropout.start(0)
    dropout.draw(n)
    m = dropout.masks[0]
    assert m.dtype == dtype
    scale = dtype(1) / (dtype(1) - dtype(p))
    kept = m != 0
    np.testing.assert_allclose(m[kept], 1 / (1 - p), rtol=1e-6)
    # Each entry is an independent Bernoulli(1 - p) times 1/(1-p): mean 1,
    # variance p / (1 - p). Five standard errors.
    se = np.sqrt(p / (1 - p) / m.size)
    assert abs(m.mean() - 1) < 5 * se
    assert abs((~kept).mean() - p) < 5 * np.sqrt(p * (1 - p) / m.size)
    assert scale > 1


def test_expected_masked_activation_is_the_activation_without_dropout():
    # One sample repeated: every row has the same hidden outputs, so the
    # column means of out * mask over many rows estimate E[out * m] = out.
    _, _, coefs, intercepts = problem(seed=6, hidden=(6,), n_outputs=1)
    x = np.array([[0.3, -1.2, 0.8]])
    X = np.repeat(x, 40_000, axis=0)
    y = np.zeros(len(X))
    net = regressor(
        hidden=(6,),
        activation="logistic",
        dropout=0.5,
        solver="sgd",
        coefs_init=coefs,
        intercepts_init=intercepts,
        random_state=0,
    )
    trace = net.trace_step(X, y)
    out = UNITS["logistic"](x @ coefs[0] + intercepts[0])[0]
    hidden = trace.forward[trace.forward["layer"] == 1]
    np.testing.assert_allclose(
        hidden["output"].to_numpy().reshape(len(X), 6), np.tile(out, (len(X), 1))
    )
    passed_on = (hidden["output"] * hidden["mask"]).to_numpy().reshape(len(X), 6)
    se = out * np.sqrt(0.5 / 0.5 / len(X))
    assert (np.abs(passed_on.mean(axis=0) - out) < 5 * se).all()
    # The output layer read exactly the masked outputs.
    z = passed_on @ coefs[1] + intercepts[1]
    net_out = trace.forward[trace.forward["layer"] == 2]["net_input"].to_numpy()
    np.testing.assert_allclose(net_out, z.ravel(), rtol=1e-12)


# ----------------------------------------------------------------------------
# The traced step shows the masks it used.


def test_trace_tables_are_the_masked_step():
    X, y, coefs, intercepts = problem(seed=7, n=6)
    names = ("tanh", "softplus")
    net = regressor(
        activation=names,
        dropout=(0.5, 0.0),
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.1,
        alpha=0.0,
        coefs_init=coefs,
        intercepts_init=intercepts,
        random_state=0,
    )
    trace = net.trace_step(X, y)
    m1, m2 = trace.masks
    assert m2 is None and m1.shape == (6, 5)
    assert set(np.unique(m1)) <= {0.0, 2.0} and 0 < (m1 == 0).sum() < m1.size
    masks = [m1, None]
    nets, outs = masked_forward(X, coefs, intercepts, names, masks)
    f = trace.forward
    for layer, (z, out) in enumerate(zip(nets, outs), start=1):
        rows = f[f["layer"] == layer]
        np.testing.assert_allclose(rows["net_input"], z.ravel(), rtol=1e-12)
        np.testing.assert_allclose(rows["output"], out.ravel(), rtol=1e-12)
    np.testing.assert_array_equal(f[f["layer"] == 1]["mask"], m1.ravel())
    assert (f[f["layer"] > 1]["mask"] == 1.0).all()
    # δ of the output (identity units, squared error), then of hidden layer
    # 2 (softplus, no dropout) and hidden layer 1 (tanh, masked).
    d3 = outs[2] - y
    d2 = (d3 @ coefs[2].T) * UNITS["logistic"](nets[1])
    d1 = (d2 @ coefs[1].T) * m1 * (1 - outs[0] ** 2)
    b = trace.backward
    for layer, d in zip((1, 2, 3), (d1, d2, d3)):
        np.testing.assert_allclose(
            b[b["layer"] == layer]["delta"], d.ravel(), rtol=1e-10
        )
    # The first hidden layer's masked outputs feed the weights of layer 2.
    u = trace.updates
    grad2 = (outs[0] * m1).T @ d2 / len(X)
    rows = u[(u["layer"] == 2) & (u["kind"] == "coef")]
    np.testing.assert_allclose(rows["gradient"], grad2.ravel(), rtol=1e-10)
    np.testing.assert_allclose(net.coefs_[1], coefs[1] - 0.1 * grad2, rtol=1e-12)


def test_no_mask_column_without_dropout():
    X, y, coefs, intercepts = problem(n=3)
    trace = regressor(
        solver="sgd", coefs_init=coefs, intercepts_init=intercepts
    ).trace_step(X, y)
    assert "mask" not in trace.forward.columns and trace.masks is None


# ----------------------------------------------------------------------------
# Reproducible training, deterministic prediction.


def data(seed=0):
    return make_classification(
        n_samples=120, n_features=6, n_informative=4, random_state=seed
    )


@fixed_length
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_same_random_state_gives_bit_identical_fits(solver, early_stopping):
    X, y = data()
    params = dict(
        hidden_layer_sizes=(12, 8),
        dropout=(0.4, 0.2),
        solver=solver,
        max_iter=15,
        batch_size=16,
        early_stopping=early_stopping,
        learning_rate_init=0.05,
    )
    a = BackpropClassifier(random_state=3, **params).fit(X, y)
    b = BackpropClassifier(random_state=3, **params).fit(X, y)
    c = BackpropClassifier(random_state=np.random.RandomState(3), **params).fit(X, y)
    for net in (b, c):
        for u, v in zip(a.coefs_ + a.intercepts_, net.coefs_ + net.intercepts_):
            np.testing.assert_array_equal(u, v)
        assert a.loss_curve_ == net.loss_curve_
    other = BackpropClassifier(random_state=4, **params).fit(X, y)
    assert a.loss_curve_ != other.loss_curve_
    # The masks change the fit: without them it is another one.
    plain = BackpropClassifier(random_state=3, **{**params, "dropout": 0.0}).fit(X, y)
    assert a.loss_curve_ != plain.loss_curve_


@fixed_length
def test_partial_fit_sequences_are_reproducible_and_draw_new_masks_per_call():
    X, y = data(1)
    params = dict(hidden_layer_sizes=(10,), dropout=0.5, random_state=0, shuffle=False)
    a, b = BackpropClassifier(**params), BackpropClassifier(**params)
    for _ in range(3):
        a.partial_fit(X, y, classes=[0, 1])
        b.partial_fit(X, y, classes=[0, 1])
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert a.loss_curve_ == b.loss_curve_
    # An int random_state restarts the random stream at every call (as in
    # scikit-learn); the masks still differ from call to call.
    net = BackpropRegressor(**params, solver="sgd")
    traces = [net.trace_step(X[:5], y[:5]) for _ in range(2)]
    assert not np.array_equal(traces[0].masks[0], traces[1].masks[0])


@fixed_length
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_is_deterministic_and_ignores_dropout(dtype):
    X, y = data(2)
    X = X.astype(dtype)
    net = BackpropClassifier(
        hidden_layer_sizes=(16,), dropout=0.5, max_iter=10, random_state=0
    ).fit(X, y)
    assert net.coefs_[0].dtype == dtype
    proba = net.predict_proba(X)
    np.testing.assert_array_equal(proba, net.predict_proba(X))
    # The whole network, unmasked and unscaled.
    h = UNITS["logistic"](X.astype(np.float64) @ net.coefs_[0] + net.intercepts_[0])
    p1 = UNITS["logistic"](h @ net.coefs_[1] + net.intercepts_[1]).ravel()
    np.testing.assert_allclose(
        proba[:, 1], p1, rtol=1e-5 if dtype == np.float32 else 1e-12
    )
    # Changing dropout afterwards changes nothing at prediction.
    np.testing.assert_array_equal(proba, net.set_params(dropout=0.9).predict_proba(X))
    # A model with dropout pickles and predicts the same.
    np.testing.assert_array_equal(
        proba, pickle.loads(pickle.dumps(net)).predict_proba(X)
    )


@fixed_length
@pytest.mark.parametrize("dropout", [0, 0.0, (0.0,), [0.0], np.zeros(1), np.array(0.0)])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_no_dropout_gives_scikit_learns_numbers(dropout, solver):
    X, y = data(3)
    params = dict(
        hidden_layer_sizes=(6,),
        activation="logistic",
        solver=solver,
        random_state=0,
        max_iter=12,
        batch_size=32,
        learning_rate_init=0.05,
    )
    ours = BackpropClassifier(dropout=dropout, **params).fit(X, y)
    theirs = MLPClassifier(**params).fit(X, y)
    for u, v in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)
    default = BackpropClassifier(**params).fit(X, y)
    for u, v in zip(ours.coefs_, default.coefs_):
        np.testing.assert_array_equal(u, v)


# ----------------------------------------------------------------------------
# Validation: a clear error, and a fitted model left as it was.


@pytest.mark.parametrize(
    ("dropout", "error", "message"),
    [
        (1.0, ValueError, r"The 'dropout' parameter of BackpropClassifier must be"),
        (-0.1, ValueError, r"The 'dropout' parameter"),
        ("0.5", ValueError, r"The 'dropout' parameter"),
        ((0.5,), ValueError, r"gives 1 rate\(s\) but the network has 2 hidden layer"),
        ([0.1, 0.2, 0.3], ValueError, r"gives 3 rate\(s\)"),
        ((0.5, 1.0), ValueError, r"Each dropout rate must be in \[0, 1\)"),
        ((0.5, -0.2), ValueError, r"Each dropout rate must be in \[0, 1\)"),
        ((0.5, np.nan), ValueError, r"Each dropout rate must be in \[0, 1\)"),
        (np.array(1.0), ValueError, r"Each dropout rate must be in \[0, 1\)"),
        ([[0.1, 0.2]], ValueError, r"dropout must be a float or one float per"),
        (("a", "b"), ValueError, r"dropout must be a float or one float per"),
    ],
)
def test_bad_dropout_is_rejected_and_the_model_kept(dropout, error, message):
    X, y = data(4)
    net = BackpropClassifier(hidden_layer_sizes=(5, 4), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X, y)
    coefs = [c.copy() for c in net.coefs_]
    curve = list(net.loss_curve_)
    net.set_params(dropout=dropout)
    for call in (
        lambda: net.fit(X, y),
        lambda: net.partial_fit(X, y),
        lambda: net.trace_step(X[:4], y[:4]),
    ):
        with pytest.raises(error, match=message):
            call()
    for a, b in zip(coefs, net.coefs_):
        np.testing.assert_array_equal(a, b)
    assert net.loss_curve_ == curve


def test_lbfgs_refuses_dropout_clearly():
    X, y = data(5)
    net = BackpropClassifier(solver="lbfgs", dropout=0.2)
    with pytest.raises(ValueError, match=r"dropout needs a stochastic solver"):
        net.fit(X, y)
    assert not hasattr(net, "coefs_")
    # No dropout anywhere is fine, whatever the form.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clone(net).set_params(dropout=(0.0,), max_iter=5).fit(X, y)


@pytest.mark.parametrize(
    ("masks", "message"),
    [
        ([np.ones((4, 5))], r"masks must have one entry per hidden layer \(2\)"),
        ([np.ones((4, 5)), np.ones((4, 4))], r"masks\[1\] must be None"),
        (
            [np.ones((3, 5)), None],
            r"masks\[0\] .* must have shape \(4, 5\); got \(3, 5\)",
        ),
        ([None, None], r"masks\[0\] .* must have shape \(4, 5\); got None"),
        ([np.full((4, 5), np.inf), None], r"masks\[0\] contains NaN or infinity"),
    ],
)
def test_check_gradients_rejects_bad_masks(masks, message):
    X, y, coefs, intercepts = problem(n=4)
    net = regressor(dropout=(0.5, 0.0), coefs_init=coefs, intercepts_init=intercepts)
    with pytest.raises(ValueError, match=message):
        check_gradients(net, X, y, masks=masks)


def test_check_gradients_refuses_masks_without_dropout():
    X, y, coefs, intercepts = problem(n=4)
    net = regressor(coefs_init=coefs, intercepts_init=intercepts)
    with pytest.raises(ValueError, match="masks are only used with dropout"):
        check_gradients(net, X, y, masks=[np.ones((4, 5)), np.ones((4, 4))])


@fixed_length
def test_no_runtime_warning_escapes_with_dropout_and_huge_steps():
    X, y = data(6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        BackpropClassifier(
            hidden_layer_sizes=(8,),
            activation="relu",
            dropout=0.5,
            solver="sgd",
            learning_rate_init=1e6,
            max_iter=5,
            random_state=0,
        ).fit(X * 1e3, y)


@fixed_length
def test_a_model_saved_before_dropout_existed_loads_without_dropout():
    X, y = data(7)
    est = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    est.fit(X, y)
    # A copy: __getstate__ shares the arrays with the model.
    state = pickle.loads(pickle.dumps(est.__getstate__()))
    del state["dropout"]
    loaded = BackpropClassifier.__new__(BackpropClassifier)
    loaded.__setstate__(state)
    assert loaded.dropout == 0.0
    assert loaded.get_params() == est.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    # and it trains on exactly as the original does
    loaded.partial_fit(X, y)
    est.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.coefs_[0], est.coefs_[0])


@fixed_length
@pytest.mark.parametrize(
    "form", [np.array(0.3), np.float32(0.3), (0.3, 0.3), [0.3, 0.3]]
)
def test_every_form_of_one_rate_for_all_layers_is_the_float(form):
    X, y = data(8)
    params = dict(hidden_layer_sizes=(6, 5), max_iter=3, random_state=0)
    a = BackpropClassifier(dropout=0.3, **params).fit(X, y)
    b = BackpropClassifier(dropout=form, **params).fit(X, y)
    rate = float(np.float32(0.3)) if isinstance(form, np.float32) else 0.3
    if rate == 0.3:
        np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    else:  # a float32 rate is another number, hence other masks
        assert b._dropout_rates(2) == (rate, rate)

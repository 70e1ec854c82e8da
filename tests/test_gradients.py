"""Finite-difference checks of the hand-written backward pass.

The reference is an independent forward pass (scipy's expit and softmax,
closed-form losses) differentiated by 5-point central differences; the
analytic gradients are those ``_network.backprop`` leaves in the workspace
and those reported by the estimators' ``trace_step``.
"""

import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import expit, log_expit, log_softmax, xlogy
from scipy.special import softmax as scipy_softmax
from sklearn.metrics import log_loss

from skbp import BackpropClassifier, BackpropRegressor, _network
from skbp._losses import get_loss
from skbp.worked_examples import mazur_network

HIDDEN = ["logistic", "tanh", "relu", "leaky_relu", "softplus", "identity"]

# (the ``loss`` name given to get_loss, output activation)
OUTPUTS = [
    ("squared_error", "identity"),
    ("squared_error", "logistic"),
    ("squared_error", "softmax"),
    ("squared_error", "tanh"),
    ("log_loss", "logistic"),  # binary (per-output) cross-entropy
    ("log_loss", "softmax"),  # categorical cross-entropy
    ("poisson", "exp"),
]

ACT = {
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softplus": lambda z: np.logaddexp(0, z),
    "identity": lambda z: z,
    "softmax": lambda z: scipy_softmax(z, axis=1),
    "exp": np.exp,
}

# Stay this far from relu's kink: perturbations of 2h = 2e-5 cannot cross it.
RELU_MARGIN = 1e-2
H = 1e-5
RTOL = 1e-6


def _per_sample_loss(loss, out_activation, y, out, net):
    """E_n summed over outputs, from the closed forms.

    The cross-entropies are written in terms of the net input (log σ(z),
    log softmax(z)) so that the reference stays accurate when p is near 0 or
    1, where 1 - p or log p of a rounded p would lose digits.
    """
    if loss == "squared_error":
        return 0.5 * np.sum((y - out) ** 2, axis=1)
    if loss == "log_loss" and out_activation == "logistic":
        return -np.sum(y * log_expit(net) + (1 - y) * log_expit(-net), axis=1)
    if loss == "log_loss":
        return -np.sum(y * log_softmax(net, axis=1), axis=1)
    if loss == "poisson":
        return np.sum(xlogy(y, y) - xlogy(y, out) - y + out, axis=1)
    raise ValueError(loss)


def _reference_nets(X, coefs, intercepts, hidden, output):
    """Net inputs and final output of the network, computed independently."""
    nets, a = [], X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        z = a @ W + b
        nets.append(z)
        a = ACT[output if i == len(coefs) - 1 else hidden](z)
    return nets, a


def _reference_loss(X, y, coefs, intercepts, hidden, output, loss, alpha, w):
    """E = Σ w E_n / Σ w + α ‖W‖² / (2 Σ w)  (w = 1 when not weighted)."""
    nets, out = _reference_nets(X, coefs, intercepts, hidden, output)
    w = np.ones(X.shape[0]) if w is None else w
    per_sample = _per_sample_loss(loss, output, y, out, nets[-1])
    penalty = 0.5 * alpha * sum(float(np.sum(W**2)) for W in coefs)
    return (float(w @ per_sample) + penalty) / float(w.sum())


def _value_atol(X, coefs, intercepts, hidden, output, w):
    """Absolute tolerance of the loss value.

    skbp's logistic is accurate to ~eps in absolute terms (not relative), so
    -log(p) of a near-saturated probability carries an error of ~eps / p.
    """
    if output != "logistic":
        return 1e-14
    _, out = _reference_nets(X, coefs, intercepts, hidden, output)
    w = np.ones(X.shape[0]) if w is None else w
    near = np.maximum(np.minimum(out, 1 - out), 2.3e-16)
    return 1e-14 + 4e-16 * float(w @ np.sum(1 / near, axis=1)) / float(w.sum())


def _numerical_gradient(f, arrays, h=H):
    """5-point central differences of f() w.r.t. every entry of ``arrays``.

    The arrays are perturbed in place and restored.
    """
    grads = []
    for a in arrays:
        g = np.empty_like(a)
        for idx in np.ndindex(a.shape):
            orig = a[idx]
            values = []
            for step in (2 * h, h, -h, -2 * h):
                a[idx] = orig + step
                values.append(f())
            a[idx] = orig
            g[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
        grads.append(g)
    return grads


def _assert_gradients_close(analytic, numeric, names, loss_value):
    """Max-norm relative error below RTOL, over all parameters together.

    The tolerance has a floor at the rounding error of the finite
    differences (about eps * |E| / h), which only matters when the true
    gradient vanishes (e.g. every relu unit inactive).
    """
    scale = max(float(np.max(np.abs(g))) for g in [*analytic, *numeric])
    atol = max(RTOL * scale, 1e-10 * max(1.0, abs(loss_value)))
    for a, n, name in zip(analytic, numeric, names, strict=True):
        np.testing.assert_allclose(a, n, rtol=0, atol=atol, err_msg=name)


def _targets(loss, output, rng, n, k):
    if loss == "log_loss" and output == "logistic":
        return rng.integers(0, 2, size=(n, k)).astype(float)
    if loss == "log_loss" or output == "softmax":
        return np.eye(k)[rng.integers(0, k, size=n)]
    if loss == "poisson":
        return rng.poisson(1.5, size=(n, k)).astype(float)
    if output == "logistic":
        return rng.uniform(0, 1, size=(n, k))
    if output == "tanh":
        return rng.uniform(-1, 1, size=(n, k))
    return rng.normal(size=(n, k))


def _network_problem(rng, hidden_sizes, n, n_features, n_outputs, loss, output):
    units = [n_features, *hidden_sizes, n_outputs]
    coefs = [
        rng.normal(scale=1.2 / np.sqrt(fan_in), size=(fan_in, fan_out))
        for fan_in, fan_out in itertools.pairwise(units)
    ]
    intercepts = [rng.normal(scale=0.5, size=u) for u in units[1:]]
    X = rng.normal(size=(n, n_features))
    y = _targets(loss, output, rng, n, n_outputs)
    return units, X, y, coefs, intercepts


def _relu_margin(X, coefs, intercepts, hidden, output):
    nets, _ = _reference_nets(X, coefs, intercepts, hidden, output)
    relu_nets = nets[:-1] if hidden in ("relu", "leaky_relu") else []
    return min((float(np.min(np.abs(z))) for z in relu_nets), default=np.inf)


architectures = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**32 - 1),
        "hidden_sizes": st.lists(st.integers(1, 5), min_size=1, max_size=3),
        "n": st.integers(1, 6),
        "n_features": st.integers(1, 4),
        "n_outputs": st.integers(1, 3),
        "alpha": st.sampled_from([0.0, 1e-3, 0.7]),
        "weights": st.sampled_from(["none", "positive", "some_zero"]),
        "fit_intercept": st.booleans(),
    }
)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(("loss_name", "output"), OUTPUTS)
@settings(max_examples=12, deadline=None)
@given(arch=architectures)
def test_backprop_gradient_equals_finite_difference_gradient(
    hidden, loss_name, output, arch
):
    rng = np.random.default_rng(arch["seed"])
    n_outputs = arch["n_outputs"] + (output == "softmax")  # softmax needs >= 2
    n = arch["n"]
    units, X, y, coefs, intercepts = _network_problem(
        rng, arch["hidden_sizes"], n, arch["n_features"], n_outputs, loss_name, output
    )
    assume(_relu_margin(X, coefs, intercepts, hidden, output) > RELU_MARGIN)
    if loss_name == "log_loss":
        # Keep probabilities clear of the clipping at eps (|net| < 36), where
        # the loss value is flat but δ = out - y is not.
        nets, _ = _reference_nets(X, coefs, intercepts, hidden, output)
        assume(np.max(np.abs(nets[-1])) < 15)
    w = {
        "none": None,
        "positive": rng.uniform(0.2, 3.0, size=n),
        "some_zero": np.where(np.arange(n) % 2 == 1, 0.0, rng.uniform(0.2, 3, n)),
    }[arch["weights"]]
    alpha, fit_intercept = arch["alpha"], arch["fit_intercept"]
    loss = get_loss(loss_name, output)

    # Buffers larger than the batch and full of NaN: stale reads would show.
    workspace = _network.Workspace(units, n + 2, np.float64)
    for buf in [*workspace.outs, *workspace.deltas]:
        buf.fill(np.nan)
    inputs = [X, y, *coefs, *intercepts] + ([] if w is None else [w])
    inputs_before = [a.copy() for a in inputs]

    value = _network.backprop(
        X,
        y,
        coefs,
        intercepts,
        workspace,
        hidden,
        output,
        loss,
        alpha=alpha,
        sample_weight=w,
        fit_intercept=fit_intercept,
    )

    for a, before in zip(inputs, inputs_before):
        np.testing.assert_array_equal(a, before)  # backprop reads its inputs

    def E():
        return _reference_loss(
            X, y, coefs, intercepts, hidden, output, loss_name, alpha, w
        )

    assert value == pytest.approx(
        E(), rel=1e-12, abs=_value_atol(X, coefs, intercepts, hidden, output, w)
    )

    params = coefs + (intercepts if fit_intercept else [])
    analytic = workspace.coef_grads + (
        workspace.intercept_grads if fit_intercept else []
    )
    names = [f"coef_grads[{i}]" for i in range(len(coefs))]
    if fit_intercept:
        names += [f"intercept_grads[{i}]" for i in range(len(intercepts))]
    numeric = _numerical_gradient(E, params)
    _assert_gradients_close(analytic, numeric, names, value)


@pytest.mark.parametrize("hidden", HIDDEN)
def test_backprop_gradient_with_sparse_input_equals_finite_differences(hidden):
    for seed in range(50):
        rng = np.random.default_rng(seed)
        units, X, y, coefs, intercepts = _network_problem(
            rng, [4, 3], 6, 5, 2, "squared_error", "identity"
        )
        X[rng.uniform(size=X.shape) < 0.6] = 0.0
        if _relu_margin(X, coefs, intercepts, hidden, "identity") > RELU_MARGIN:
            break
    else:  # pragma: no cover
        raise AssertionError("no kink-free draw")
    workspace = _network.Workspace(units, 6, np.float64)
    value = _network.backprop(
        sp.csr_matrix(X),
        y,
        coefs,
        intercepts,
        workspace,
        hidden,
        "identity",
        get_loss("squared_error", "identity"),
        alpha=0.1,
    )

    def E():
        return _reference_loss(
            X, y, coefs, intercepts, hidden, "identity", "squared_error", 0.1, None
        )

    assert value == pytest.approx(E(), rel=1e-12)
    numeric = _numerical_gradient(E, coefs + intercepts)
    _assert_gradients_close(
        workspace.coef_grads + workspace.intercept_grads,
        numeric,
        ["coef0", "coef1", "coef2", "b0", "b1", "b2"],
        value,
    )


@pytest.mark.parametrize(("loss_name", "output"), OUTPUTS)
def test_backprop_with_all_zero_weights_gives_zero_loss_and_gradient(loss_name, output):
    # E = Σ w E_n / Σ w is defined as 0 when every weight is 0: constant in
    # the parameters, so its gradient is exactly 0.
    rng = np.random.default_rng(0)
    units, X, y, coefs, intercepts = _network_problem(
        rng, [3], 4, 2, 2, loss_name, output
    )
    workspace = _network.Workspace(units, 4, np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = _network.backprop(
            X,
            y,
            coefs,
            intercepts,
            workspace,
            "tanh",
            output,
            get_loss(loss_name, output),
            alpha=0.5,
            sample_weight=np.zeros(4),
        )
    assert value == 0.0
    for g in workspace.coef_grads + workspace.intercept_grads:
        np.testing.assert_array_equal(g, 0.0)


def test_backprop_reproduces_mazur_example_gradients():
    # Mazur's 2-2-2 sigmoid network with fixed biases: after one step with
    # learning rate 0.5, w5 = 0.35891648 and w1 = 0.149780716, so
    # ∂E/∂w5 = 0.082167041 and ∂E/∂w1 = 0.000438568.
    net, X, y = mazur_network()
    coefs = [np.array(c, dtype=float) for c in net.coefs_init]
    intercepts = [np.array(b, dtype=float) for b in net.intercepts_init]
    workspace = _network.Workspace([2, 2, 2], 1, np.float64)
    value = _network.backprop(
        X,
        y,
        coefs,
        intercepts,
        workspace,
        "logistic",
        "logistic",
        get_loss("squared_error", "logistic"),
        fit_intercept=False,
    )
    assert value == pytest.approx(0.298371109, abs=1e-9)
    assert workspace.coef_grads[1][0, 0] == pytest.approx(0.082167041, abs=1e-8)
    assert workspace.coef_grads[0][0, 0] == pytest.approx(0.000438568, abs=1e-8)


# ---------------------------------------------------------------------------
# Through the estimators: trace_step reports ∂E/∂w of the documented loss


def _fd_for_update_rows(updates, coefs, intercepts, E):
    """Finite-difference gradient for each row of a trace's updates table."""
    expected = []
    for row in updates.itertuples():
        if row.kind == "coef":
            arr, idx = coefs[row.layer - 1], (int(row.from_unit), row.to_unit)
        else:
            arr, idx = intercepts[row.layer - 1], (row.to_unit,)
        orig = arr[idx]
        values = []
        for step in (2 * H, H, -H, -2 * H):
            arr[idx] = orig + step
            values.append(E())
        arr[idx] = orig
        expected.append(
            (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * H)
        )
    return np.array(expected)


def _estimator_problem(hidden, units, n, rng_seed):
    """Data and initial weights, away from relu's kink when hidden is relu."""
    for seed in range(rng_seed, rng_seed + 100):
        rng = np.random.default_rng(seed)
        _, X, _, coefs, intercepts = _network_problem(
            rng, units[1:-1], n, units[0], units[-1], "squared_error", "identity"
        )
        if _relu_margin(X, coefs, intercepts, hidden, "identity") > RELU_MARGIN:
            return rng, X, coefs, intercepts
    raise AssertionError("no kink-free draw")  # pragma: no cover


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("out_activation", ["identity", "logistic"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_regressor_trace_gradient_is_derivative_of_documented_loss(
    hidden, out_activation, fit_intercept, weighted
):
    rng, X, coefs, intercepts = _estimator_problem(hidden, [3, 4, 3, 2], 5, 10)
    y = rng.uniform(0, 1, size=(5, 2))
    w = rng.uniform(0.2, 2.0, size=5) if weighted else None
    alpha, lr = 0.3, 0.1
    est = BackpropRegressor(
        hidden_layer_sizes=(4, 3),
        activation=hidden,
        solver="sgd",
        alpha=alpha,
        learning_rate_init=lr,
        momentum=0.0,
        out_activation=out_activation,
        fit_intercept=fit_intercept,
        coefs_init=coefs,
        intercepts_init=intercepts,
    )
    trace = est.trace_step(X, y, sample_weight=w)
    coefs = [c.copy() for c in coefs]
    intercepts = [b.copy() for b in intercepts]
    sw = np.ones(5) if w is None else w

    def E():
        # E = Σ_n w_n Σ_k ½(y - ŷ)² / Σ w + α ‖W‖² / (2 Σ w)
        _, out = _reference_nets(X, coefs, intercepts, hidden, out_activation)
        per_sample = 0.5 * np.sum((y - out) ** 2, axis=1)
        sq = sum(float(np.sum(W**2)) for W in coefs)
        return float(sw @ per_sample) / sw.sum() + alpha * sq / (2 * sw.sum())

    assert trace.loss == pytest.approx(E(), rel=1e-12)
    updates = trace.updates
    n_coefs = sum(c.size for c in coefs)
    n_intercepts = sum(b.size for b in intercepts)
    assert len(updates) == n_coefs + (n_intercepts if fit_intercept else 0)
    expected = _fd_for_update_rows(updates, coefs, intercepts, E)
    scale = np.max(np.abs(expected))
    np.testing.assert_allclose(updates["gradient"], expected, rtol=0, atol=RTOL * scale)
    # Plain SGD: the new weight is the old one minus η times that gradient.
    np.testing.assert_allclose(
        updates["new_weight"],
        updates["old_weight"] - lr * expected,
        rtol=0,
        atol=lr * RTOL * scale,
    )


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_trace_gradient_is_derivative_of_sklearn_log_loss(hidden, n_classes):
    n_outputs = 1 if n_classes == 2 else n_classes
    _, X, coefs, intercepts = _estimator_problem(hidden, [3, 4, n_outputs], 7, 20)
    y = np.arange(7) % n_classes  # every class present
    alpha = 0.05
    est = BackpropClassifier(
        hidden_layer_sizes=(4,),
        activation=hidden,
        solver="sgd",
        alpha=alpha,
        momentum=0.0,
        coefs_init=coefs,
        intercepts_init=intercepts,
    )
    trace = est.trace_step(X, y)
    coefs = [c.copy() for c in coefs]
    intercepts = [b.copy() for b in intercepts]
    output = "logistic" if n_classes == 2 else "softmax"

    def E():
        _, out = _reference_nets(X, coefs, intercepts, hidden, output)
        proba = out.ravel() if n_classes == 2 else out
        sq = sum(float(np.sum(W**2)) for W in coefs)
        return log_loss(y, proba, labels=np.arange(n_classes)) + alpha * sq / 14

    assert trace.loss == pytest.approx(E(), rel=1e-12)
    expected = _fd_for_update_rows(trace.updates, coefs, intercepts, E)
    scale = np.max(np.abs(expected))
    np.testing.assert_allclose(
        trace.updates["gradient"], expected, rtol=0, atol=RTOL * scale
    )

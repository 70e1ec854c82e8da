"""Learning-rate schedules (cosine with warm-up, a callable) and decoupled
weight decay, against plain numpy loops written here from their equations."""

import copy
import math

import numpy as np
import pytest

from skbp import BackpropClassifier, BackpropRegressor, check_gradients

# Fits of a fixed number of epochs: convergence is not what is checked.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
rng = np.random.RandomState(0)
X = rng.normal(size=(12, 3))
Y = X @ np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]]) + 0.2
W0 = rng.normal(scale=0.5, size=(3, 2))
B0 = np.array([0.1, -0.2])

# A network without hidden layers, identity output and squared error: its
# gradient is written in a line, so the loops below need nothing of skbp.
LINEAR = dict(
    hidden_layer_sizes=(),
    alpha=0.0,
    shuffle=False,
    batch_size=4,
    tol=0.0,
    n_iter_no_change=np.inf,
    coefs_init=[W0],
    intercepts_init=[B0],
)


def cosine(eta0, e, T, W=0):
    """The documented schedule, written from its equation."""
    if e < W:
        return eta0 * (e + 1) / (W + 1)
    e = min(e, T - 1)
    return 0.5 * eta0 * (1 + math.cos(math.pi * (e - W) / (T - W)))


def gradient(W, b, Xb, yb):
    # E = mean over the batch of sum_k (y - out)^2 / 2.
    err = Xb @ W + b - yb
    return Xb.T @ err / len(Xb), err.mean(axis=0)


def reference(
    solver, epochs, rate, weight_decay=0.0, momentum=0.9, nesterov=True, batch=4
):
    """Plain SGD or Adam with decoupled decay of the weights (AdamW's form).

    ``rate(epoch, step)`` is η. Adam is scikit-learn's (bias correction in
    the step size, ε added to √v); the decay w <- w - η·λ·w reads w before
    the step and skips the intercepts.
    """
    W, b = W0.copy(), B0.copy()
    state = [np.zeros_like(W), np.zeros_like(b)]
    m = [np.zeros_like(W), np.zeros_like(b)]
    v = [np.zeros_like(W), np.zeros_like(b)]
    step, rates = 0, []
    for epoch in range(epochs):
        for start in range(0, len(X), batch):
            eta = rate(epoch, step)
            grads = gradient(W, b, X[start : start + batch], Y[start : start + batch])
            W = W - eta * weight_decay * W
            params = [W, b]
            if solver == "sgd":
                for i, g in enumerate(grads):
                    state[i] = momentum * state[i] - eta * g
                    if nesterov:
                        params[i] = params[i] + momentum * state[i] - eta * g
                    else:
                        params[i] = params[i] + state[i]
                used = eta
            else:
                t = step + 1
                used = eta * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
                for i, g in enumerate(grads):
                    m[i] = 0.9 * m[i] + 0.1 * g
                    v[i] = 0.999 * v[i] + 0.001 * g**2
                    params[i] = params[i] - used * m[i] / (np.sqrt(v[i]) + 1e-8)
            W, b = params
            step += 1
        rates.append(used)
    return W, b, rates


CASES = {
    "sgd cosine": ("sgd", dict(learning_rate="cosine"), 0.0),
    "sgd cosine warm-up, decay": (
        "sgd",
        dict(learning_rate="cosine", warmup_epochs=3),
        0.3,
    ),
    "adam cosine warm-up": ("adam", dict(learning_rate="cosine", warmup_epochs=2), 0.0),
    "adamw constant": ("adam", dict(learning_rate="constant"), 0.5),
    "adamw cosine": ("adam", dict(learning_rate="cosine"), 0.5),
}


@pytest.mark.parametrize("case", CASES)
def test_fit_follows_the_schedule_and_decay_written_from_their_equations(case):
    solver, params, wd = CASES[case]
    T, eta0 = 7, 0.05
    net = BackpropRegressor(
        solver=solver,
        learning_rate_init=eta0,
        max_iter=T,
        weight_decay=wd,
        **params,
        **LINEAR,
    )
    net.fit(X, Y)
    W = params.get("warmup_epochs", 0)
    if params["learning_rate"] == "cosine":

        def rate(e, s):
            return cosine(eta0, e, T, W)
    else:

        def rate(e, s):
            return eta0

    coef, intercept, rates = reference(solver, T, rate, wd)
    np.testing.assert_allclose(net.coefs_[0], coef, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net.intercepts_[0], intercept, rtol=1e-12, atol=1e-14)
    # history_ records the rate of each epoch's last update.
    np.testing.assert_allclose(net.history_["learning_rate"], rates, rtol=1e-13)


def test_cosine_rates_in_history_are_the_equations_with_warm_up():
    T, W, eta0 = 10, 3, 0.2
    net = BackpropRegressor(
        solver="sgd",
        learning_rate="cosine",
        warmup_epochs=W,
        learning_rate_init=eta0,
        max_iter=T,
        **LINEAR,
    ).fit(X, Y)
    expected = [cosine(eta0, e, T, W) for e in range(T)]
    np.testing.assert_allclose(net.history_["learning_rate"], expected, rtol=1e-15)
    # Warm-up rises to η₀, which the first cosine epoch uses; the last is > 0.
    assert expected[W] == eta0 and 0 < expected[-1] < expected[-2]


def test_a_callable_rate_gets_epoch_and_step_before_every_update():
    calls = []

    def rate(epoch, step):
        calls.append((epoch, step))
        return 0.1 / (1 + step) + 0.01 * epoch

    net = BackpropRegressor(
        solver="sgd", learning_rate=rate, max_iter=4, momentum=0.5, **LINEAR
    )
    net.fit(X, Y)
    # Three batches of 4 in each epoch.
    assert calls == [(e, 3 * e + k) for e in range(4) for k in range(3)]
    calls.clear()
    coef, intercept, rates = reference("sgd", 4, rate, momentum=0.5)
    np.testing.assert_allclose(net.coefs_[0], coef, rtol=1e-12)
    np.testing.assert_allclose(net.intercepts_[0], intercept, rtol=1e-12)
    np.testing.assert_allclose(net.history_["learning_rate"], rates, rtol=1e-15)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("schedule", ["cosine", "callable"])
def test_partial_fit_continues_the_schedule_as_fit_runs_it(solver, schedule):
    T = 6
    lr = "cosine" if schedule == "cosine" else (lambda e, s: 0.05 * 0.9**s)
    params = dict(
        solver=solver,
        learning_rate=lr,
        learning_rate_init=0.05,
        max_iter=T,
        weight_decay=0.1,
        **LINEAR,
    )
    fitted = BackpropRegressor(**params).fit(X, Y)
    stepped = BackpropRegressor(**params)
    for _ in range(T):
        stepped.partial_fit(X, Y)
    np.testing.assert_array_equal(stepped.coefs_[0], fitted.coefs_[0])
    np.testing.assert_array_equal(stepped.intercepts_[0], fitted.intercepts_[0])
    np.testing.assert_array_equal(
        stepped.history_["learning_rate"], fitted.history_["learning_rate"]
    )
    if schedule == "cosine":
        # Past max_iter the last epoch's rate is kept.
        stepped.partial_fit(X, Y)
        last = stepped.history_["learning_rate"].to_numpy()[-2:]
        if solver == "sgd":
            assert last[0] == last[1] == cosine(0.05, T - 1, T)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_trace_step_records_the_scheduled_rate_of_its_step(solver):
    T, eta0 = 5, 0.05
    net = BackpropRegressor(
        solver=solver,
        learning_rate="cosine",
        learning_rate_init=eta0,
        max_iter=T,
        **{**LINEAR, "batch_size": 12},
    )
    net.partial_fit(X, Y)
    net.partial_fit(X, Y)
    trace = net.trace_step(X, Y)
    eta = cosine(eta0, 2, T)
    if solver == "adam":
        eta *= math.sqrt(1 - 0.999**3) / (1 - 0.9**3)
    assert trace.learning_rate == pytest.approx(eta, rel=1e-15)

    calls = []
    net = BackpropRegressor(
        solver=solver,
        learning_rate=lambda e, s: calls.append((e, s)) or 0.01 * (s + 1),
        **{**LINEAR, "batch_size": 12},
    )
    net.partial_fit(X, Y)
    trace = net.trace_step(X, Y)
    assert calls == [(0, 0), (1, 1)]
    expected = 0.02 if solver == "sgd" else 0.02 * math.sqrt(1 - 0.999**2) / 0.19
    assert trace.learning_rate == pytest.approx(expected, rel=1e-14)


def test_weight_decay_leaves_intercepts_and_the_gradient_check_alone():
    # With a zero gradient the step is the decay alone: w (1 - η λ), b kept.
    y = X @ W0 + B0
    net = BackpropRegressor(
        solver="sgd",
        learning_rate_init=0.1,
        weight_decay=0.5,
        momentum=0.0,
        **{**LINEAR, "batch_size": 12},
    )
    net.partial_fit(X, y)
    np.testing.assert_allclose(net.coefs_[0], W0 * (1 - 0.1 * 0.5), rtol=1e-15)
    np.testing.assert_array_equal(net.intercepts_[0], B0)
    # Not part of the loss: the gradients checked are those without it.
    with_decay = check_gradients(BackpropRegressor(weight_decay=1.0, **LINEAR), X, Y)
    without = check_gradients(BackpropRegressor(**LINEAR), X, Y)
    assert with_decay.passed
    np.testing.assert_array_equal(
        with_decay.table["backprop"].to_numpy(), without.table["backprop"].to_numpy()
    )


def test_classifier_weight_decay_shrinks_the_weights_it_would_learn():
    Xc = np.vstack([X, X + 2])
    yc = np.r_[np.zeros(12), np.ones(12)]
    params = dict(
        hidden_layer_sizes=(4,),
        solver="adam",
        learning_rate="cosine",
        warmup_epochs=2,
        max_iter=30,
        learning_rate_init=0.05,
        random_state=0,
    )
    plain = BackpropClassifier(**params).fit(Xc, yc)
    decayed = BackpropClassifier(weight_decay=2.0, **params).fit(Xc, yc)
    assert len(decayed.history_) == 30
    for p, q in zip(plain.coefs_, decayed.coefs_):
        assert np.linalg.norm(q) < np.linalg.norm(p)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(warmup_epochs=2), "warm-up of learning_rate='cosine'"),
        (dict(learning_rate="cosine", warmup_epochs=5, max_iter=5), "less than"),
        (dict(solver="lbfgs", weight_decay=0.1), "needs a stochastic solver"),
        (dict(solver="lbfgs", learning_rate="cosine"), "needs a stochastic solver"),
        (
            dict(solver="sgd", learning_rate=lambda e, s: float("nan")),
            "must return a finite number",
        ),
        (dict(solver="adam", learning_rate=lambda e, s: -1.0), "returned -1.0"),
    ],
)
def test_schedules_that_cannot_run_are_refused(params, message):
    net = BackpropRegressor(**{**LINEAR, "max_iter": 5, **params})
    with pytest.raises(ValueError, match=message):
        net.fit(X, Y)
    assert not hasattr(net, "coefs_")


def test_float32_stays_float32_under_the_schedule_and_decay():
    net = BackpropRegressor(
        solver="adam", learning_rate="cosine", weight_decay=0.1, max_iter=3, **LINEAR
    )
    net.fit(X.astype(np.float32), Y.astype(np.float32))
    assert net.coefs_[0].dtype == net.intercepts_[0].dtype == np.float32
    assert net._optimizer.ms[0].dtype == np.float32


def test_an_optimizer_saved_before_schedules_trains_on_at_its_constant_rate():
    from skbp._optimizers import Adam

    params = [W0.ravel().copy()]
    grads = [np.linspace(-1, 1, params[0].size)]
    saved = Adam(params, learning_rate_init=0.01)
    state = copy.deepcopy(saved.__getstate__())
    # What a save from before the schedules holds: no eta, epoch or step.
    for name in ("eta", "epoch", "step"):
        state.pop(name, None)
    loaded = Adam.__new__(Adam)
    loaded.__setstate__(state)
    other = [params[0].copy()]
    saved.update_params(params, grads)
    loaded.update_params(other, grads)
    np.testing.assert_array_equal(other[0], params[0])
    assert loaded.learning_rate == saved.learning_rate

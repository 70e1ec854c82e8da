"""Optimizers against scikit-learn's reference implementations and scipy."""

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from sklearn.neural_network._stochastic_optimizers import (
    AdamOptimizer,
    SGDOptimizer,
)

from skbp._lbfgs import LbfgsIterations, minimize_lbfgs, pack, unpack
from skbp._optimizers import SGD, Adam

SHAPES = [(3, 4), (4,), (4, 2), (2,)]
N_STEPS = 8


def _params(rng, scale=1.0):
    return [rng.normal(scale=scale, size=s) for s in SHAPES]


def _assert_same(skbp_arrays, sklearn_arrays):
    for ours, theirs in zip(skbp_arrays, sklearn_arrays, strict=True):
        # rtol 1e-12; the tiny atol only covers entries that cancel to ~0
        # (the two implementations add the same terms in another order).
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("momentum", "nesterov"), [(0.0, False), (0.0, True), (0.9, False), (0.9, True)]
)
@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive"])
@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    learning_rate=st.floats(1e-4, 1.0),
    momentum_scale=st.floats(0.1, 1.0),
    power_t=st.floats(0.1, 1.0),
)
def test_sgd_follows_sklearn_sgd_optimizer_step_for_step(
    momentum, nesterov, schedule, seed, learning_rate, momentum_scale, power_t
):
    rng = np.random.default_rng(seed)
    mu = momentum * momentum_scale
    ours = _params(rng)
    theirs = [p.copy() for p in ours]
    opt = SGD(ours, learning_rate, schedule, mu, nesterov, power_t)
    ref = SGDOptimizer(theirs, learning_rate, schedule, mu, nesterov, power_t)
    time_step = 0
    for step in range(N_STEPS):
        grads = [rng.normal(size=s) for s in SHAPES]
        grads_before = [g.copy() for g in grads]
        opt.update_params(ours, grads)
        ref.update_params(theirs, [g.copy() for g in grads])
        _assert_same(ours, theirs)
        for g, g0 in zip(grads, grads_before):
            np.testing.assert_array_equal(g, g0)  # gradients are not modified
        if mu > 0:
            _assert_same(opt.velocities, ref.velocities)
        # End of an "epoch" of 3 samples every other step.
        if step % 2:
            time_step += 3
            opt.iteration_ends(time_step)
            ref.iteration_ends(time_step)
            assert opt.learning_rate == pytest.approx(ref.learning_rate, rel=1e-15)
        if step in (3, 6):
            assert opt.trigger_stopping("", False) == ref.trigger_stopping("", False)
            assert opt.learning_rate == pytest.approx(ref.learning_rate, rel=1e-15)


def test_sgd_without_momentum_is_plain_gradient_step():
    rng = np.random.default_rng(0)
    params = _params(rng)
    start = [p.copy() for p in params]
    grads = [rng.normal(size=s) for s in SHAPES]
    SGD(params, learning_rate_init=0.25, momentum=0.0).update_params(params, grads)
    for p, p0, g in zip(params, start, grads):
        np.testing.assert_allclose(p, p0 - 0.25 * g, rtol=1e-15, atol=1e-16)


def test_sgd_invscaling_learning_rate_is_closed_form():
    opt = SGD([np.zeros(1)], learning_rate_init=0.3, lr_schedule="invscaling")
    opt.iteration_ends(99)
    assert opt.learning_rate == pytest.approx(0.3 / 100**0.5, rel=1e-15)


def test_sgd_adaptive_divides_learning_rate_by_five_until_1e6_like_sklearn():
    opt = SGD([np.zeros(1)], learning_rate_init=0.1, lr_schedule="adaptive")
    ref = SGDOptimizer([np.zeros(1)], 0.1, "adaptive")
    decisions = []
    for _ in range(12):
        stop = opt.trigger_stopping("msg", False)
        assert stop == ref.trigger_stopping("msg", False)
        assert opt.learning_rate == ref.learning_rate
        decisions.append(stop)
    # 0.1 / 5**k <= 1e-6 first for k = 8: eight reductions, then stop.
    assert decisions[:8] == [False] * 8
    assert all(decisions[8:])
    assert opt.learning_rate == pytest.approx(0.1 / 5**8, rel=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda p: SGD(p, lr_schedule="constant"),
        lambda p: SGD(p, lr_schedule="invscaling"),
        lambda p: Adam(p),
    ],
    ids=["sgd-constant", "sgd-invscaling", "adam"],
)
def test_non_adaptive_optimizers_stop_at_first_no_improvement(make, capsys):
    opt = make([np.zeros(1)])
    lr = opt.learning_rate
    assert opt.trigger_stopping("No progress.", True) is True
    assert opt.learning_rate == lr
    assert capsys.readouterr().out == "No progress. Stopping.\n"


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    learning_rate=st.floats(1e-5, 0.5),
    beta_1=st.floats(0.0, 0.99),
    beta_2=st.floats(0.0, 0.9999),
    epsilon=st.sampled_from([1e-8, 1e-4, 1.0]),
    grad_scale=st.sampled_from([1e-3, 1.0, 1e3]),
)
def test_adam_follows_sklearn_adam_optimizer_step_for_step(
    seed, learning_rate, beta_1, beta_2, epsilon, grad_scale
):
    rng = np.random.default_rng(seed)
    ours = _params(rng)
    theirs = [p.copy() for p in ours]
    opt = Adam(ours, learning_rate, beta_1, beta_2, epsilon)
    ref = AdamOptimizer(theirs, learning_rate, beta_1, beta_2, epsilon)
    for step in range(1, N_STEPS + 1):
        grads = [grad_scale * rng.normal(size=s) for s in SHAPES]
        opt.update_params(ours, grads)
        ref.update_params(theirs, grads)
        assert opt.t == ref.t == step
        assert opt.learning_rate == pytest.approx(ref.learning_rate, rel=1e-14)
        _assert_same(ours, theirs)
        _assert_same(opt.ms, ref.ms)
        _assert_same(opt.vs, ref.vs)


def test_adam_first_step_moves_each_parameter_by_about_the_learning_rate():
    # m/(sqrt(v)+eps) = sign(g) after one bias-corrected step (eps -> 0).
    rng = np.random.default_rng(1)
    params = _params(rng)
    start = [p.copy() for p in params]
    grads = [rng.normal(size=s) for s in SHAPES]
    Adam(params, learning_rate_init=0.01, epsilon=1e-12).update_params(params, grads)
    for p, p0, g in zip(params, start, grads):
        np.testing.assert_allclose(p - p0, -0.01 * np.sign(g), rtol=1e-8)


# ---------------------------------------------------------------------------
# pack / unpack


shapes_lists = st.lists(
    array_shapes(min_dims=1, max_dims=3, max_side=4), min_size=1, max_size=5
)


@settings(max_examples=60, deadline=None)
@given(
    shapes=shapes_lists,
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
    fortran=st.booleans(),
)
def test_unpack_of_pack_round_trips(shapes, dtype, seed, fortran):
    rng = np.random.default_rng(seed)
    order = "F" if fortran else "C"
    arrays = [np.asarray(rng.normal(size=s), dtype=dtype, order=order) for s in shapes]
    flat = pack(arrays)
    assert flat.dtype == np.float64
    assert flat.shape == (sum(a.size for a in arrays),)
    expected = np.concatenate([a.reshape(-1) for a in arrays]).astype(np.float64)
    np.testing.assert_array_equal(flat, expected)
    targets = [np.zeros(a.shape, dtype=dtype, order=order) for a in arrays]
    unpack(flat, targets)
    for t, a in zip(targets, arrays):
        assert t.dtype == dtype
        np.testing.assert_array_equal(t, a)


def test_unpack_writes_in_place_in_order():
    a, b = np.zeros((2, 2)), np.zeros(3)
    ids = id(a), id(b)
    unpack(np.arange(7.0), [a, b])
    assert (id(a), id(b)) == ids
    np.testing.assert_array_equal(a, [[0, 1], [2, 3]])
    np.testing.assert_array_equal(b, [4, 5, 6])


# ---------------------------------------------------------------------------
# L-BFGS


def _quadratic(rng, shapes):
    n = sum(int(np.prod(s)) for s in shapes)
    A = rng.normal(size=(n, n))
    H = A @ A.T + n * np.eye(n)  # symmetric positive definite
    c = rng.normal(size=n)
    f0 = float(rng.normal())
    return H, c, f0


def test_minimize_lbfgs_finds_minimum_of_quadratic():
    rng = np.random.default_rng(2)
    shapes = [(3, 2), (2,), (2, 1), (1,)]
    H, c, f0 = _quadratic(rng, shapes)
    params = [np.zeros(s) for s in shapes]
    grads = [np.empty(s) for s in shapes]
    calls = []

    def loss_grad():
        x = np.concatenate([p.ravel() for p in params])
        r = x - c
        g = H @ r
        start = 0
        for buf in grads:
            buf[...] = g[start : start + buf.size].reshape(buf.shape)
            start += buf.size
        calls.append(1)
        return 0.5 * float(r @ H @ r) + f0

    result = minimize_lbfgs(loss_grad, params, grads, 1000, 15000, 1e-10)
    assert result.success
    # L-BFGS-B also stops on a relative decrease of f below ~2e-9, which
    # bounds how close to the minimiser c it gets.
    x = np.concatenate([p.ravel() for p in params])
    np.testing.assert_allclose(x, c, rtol=0, atol=1e-4)
    np.testing.assert_array_equal(x, result.x)  # parameters left at solution
    assert result.fun == pytest.approx(f0, abs=1e-8)
    # The minimum found is the true minimum: the residual is far below the
    # starting distance.
    assert np.linalg.norm(x - c) < 1e-4 * np.linalg.norm(c)
    assert result.nfev == len(calls)


def test_minimize_lbfgs_respects_iteration_and_evaluation_limits():
    rng = np.random.default_rng(3)
    shapes = [(5, 4)]
    H, c, f0 = _quadratic(rng, shapes)
    H += np.diag(np.logspace(0, 4, H.shape[0]))  # ill-conditioned
    params = [np.zeros(s) for s in shapes]
    grads = [np.empty(s) for s in shapes]

    def loss_grad():
        r = params[0].ravel() - c
        grads[0][...] = (H @ r).reshape(shapes[0])
        return 0.5 * float(r @ H @ r) + f0

    result = minimize_lbfgs(loss_grad, params, grads, 2, 15000, 0.0)
    assert result.nit <= 2
    assert not result.success
    # The parameters are left at the returned point.
    np.testing.assert_array_equal(params[0].ravel(), result.x)
    result = minimize_lbfgs(loss_grad, params, grads, 1000, 3, 0.0)
    assert result.nfev <= 4


def _quadratic_problem(seed, shapes):
    """A quadratic over ``shapes``: its loss_grad on the arrays and its value at x."""
    rng = np.random.default_rng(seed)
    H, c, f0 = _quadratic(rng, shapes)
    params = [np.zeros(s) for s in shapes]
    grads = [np.empty(s) for s in shapes]

    def loss_grad():
        r = pack(params) - c
        g = H @ r
        unpack(g, grads)
        return 0.5 * float(r @ H @ r) + f0

    def value_at(x):  # computed from x alone, not from the parameter arrays
        r = np.asarray(x) - c
        return 0.5 * float(r @ H @ r) + f0

    return params, grads, loss_grad, value_at


def test_lbfgs_report_of_scipy_1_10_gives_the_loss_at_the_iterate():
    # scipy 1.10 calls the callback with a copy of the iterate xk only; the
    # adapter then takes the loss of the last evaluation, made at xk. Called
    # here as scipy 1.10 calls it, so the branch runs on every scipy.
    shapes = [(3, 2), (2,)]
    params, grads, loss_grad, value_at = _quadratic_problem(5, shapes)
    seen = []
    iterations = LbfgsIterations(
        loss_grad, params, grads, lambda x, loss: seen.append((x.copy(), loss))
    )
    rng = np.random.default_rng(6)
    x1, x2 = rng.normal(size=8), rng.normal(size=8)
    iterations.fun(x1.copy())
    value, _ = iterations.fun(x2.copy())
    assert value == value_at(x2)
    iterations.report(np.copy(x2))
    # Not the point last evaluated: the loss is evaluated again, at x1.
    iterations.report(np.copy(x1))
    # scipy 1.11 and later: the OptimizeResult's x and fun, passed on.
    iterations.report(scipy.optimize.OptimizeResult(x=x2.copy(), fun=value))
    assert len(seen) == 3
    for (x, loss), expected_x in zip(seen, [x2, x1, x2]):
        np.testing.assert_array_equal(x, expected_x)
        assert isinstance(loss, float)
        assert loss == value_at(expected_x)
    assert seen[0][1] != seen[1][1]


def test_lbfgs_iterations_are_the_same_whichever_way_scipy_reports_them(
    monkeypatch,
):
    # A callback whose parameter is not named intermediate_result is called
    # by every scipy with a copy of xk alone, as scipy 1.10 calls them all:
    # both ways must give the training loop the same (x, loss) pairs, each
    # the loss at its x.
    shapes = [(5, 4)]

    def run():
        params, grads, loss_grad, value_at = _quadratic_problem(7, shapes)
        seen = []
        result = minimize_lbfgs(
            loss_grad,
            params,
            grads,
            50,
            15000,
            1e-10,
            callback=lambda x, loss: seen.append((x.copy(), loss)),
        )
        for x, loss in seen:
            assert loss == value_at(x)
        return result, seen

    result, native = run()
    minimize = scipy.optimize.minimize
    reported = []

    def minimize_as_scipy_1_10(*args, callback, **kwargs):
        def xk_only(xk):
            reported.append(type(xk))
            return callback(xk)

        return minimize(*args, callback=xk_only, **kwargs)

    monkeypatch.setattr(scipy.optimize, "minimize", minimize_as_scipy_1_10)
    legacy_result, legacy = run()
    assert set(reported) == {np.ndarray}
    assert len(native) == result.nit >= 5
    assert len(legacy) == len(native)
    for (x, loss), (x_legacy, loss_legacy) in zip(native, legacy):
        np.testing.assert_array_equal(x_legacy, x)
        assert loss_legacy == loss
    np.testing.assert_array_equal(legacy_result.x, result.x)


@pytest.mark.parametrize("solver", [SGD, Adam])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_updates_land_in_the_callers_arrays_whatever_their_layout(solver, dtype):
    # BLAS updates contiguous arrays in place; a transposed (non-contiguous)
    # parameter must be updated too, to the same values.
    rng = np.random.default_rng(0)
    base = rng.normal(size=(4, 3)).astype(dtype)
    grads = rng.normal(size=(4, 3)).astype(dtype)
    contiguous, strided = base.copy(), base.T.copy().T
    assert not strided.flags.c_contiguous
    for p in (contiguous, strided):
        opt = solver([p], 0.1)
        opt.update_params([p], [grads])
        opt.update_params([p], [grads])
    assert not np.array_equal(contiguous, base)
    np.testing.assert_allclose(strided, contiguous, rtol=1e-6)

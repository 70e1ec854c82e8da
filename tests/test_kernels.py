"""The formulations of each activation, and which one runs on which CPU.

Every formulation is checked against an extended-precision (``np.longdouble``)
evaluation of its definition, on every float dtype, over a dense grid and
the whole finite range, with numpy's floating-point errors raised; the choice
table is checked against numpy's CPU-feature names, in this process and in a
child process that masks AVX-512 as ``NPY_DISABLE_CPU_FEATURES`` does.
"""

import os
import platform
import subprocess
import sys
import warnings

import numpy as np
import pytest
from _hang_guard import HANG_GUARD_SECONDS
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import skbp
from skbp import BackpropClassifier, _activations, _kernels
from skbp._activations import FORMULATIONS, IN_USE

DTYPES = [np.float32, np.float64]
ALL_FORMS = [(name, form) for name, forms in FORMULATIONS.items() for form in forms]


def _grid(dtype):
    info = np.finfo(dtype)
    huge = np.geomspace(1e-30, float(info.max) / 2, 3000)
    return np.concatenate(
        [
            np.linspace(-60.0, 60.0, 200_001),
            huge,
            -huge,
            [0.0, float(info.tiny), -float(info.tiny), float(info.max), -info.max],
        ]
    ).astype(dtype)


def _reference(name, z):
    z = z.astype(np.longdouble)
    if name == "logistic":
        with np.errstate(over="ignore"):  # 1 / (1 + inf) = 0 is right here
            return 1 / (1 + np.exp(-z))
    return np.tanh(z)


def _run(name, form, z):
    # Underflow to 0 is what the exact value rounds to; anything else raises.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = FORMULATIONS[name][form](z.copy())
    assert out.dtype == z.dtype
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "form"), ALL_FORMS)
def test_every_formulation_is_within_two_ulp_of_a_longdouble_reference(
    name, form, dtype
):
    # An ulp at the outputs' scale (the range [0, 1] or [-1, 1]): what
    # backprop consumes through out, 1 - out and 1 - out**2.
    z = _grid(dtype)
    error = np.abs(_run(name, form, z).astype(np.longdouble) - _reference(name, z))
    assert float(error.max()) <= 2 * np.finfo(dtype).eps


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", ["exp", "expit"])
def test_exp_and_expit_logistic_are_within_four_ulp_of_every_normal_output(form, dtype):
    # These two are accurate relative to the output itself, also deep in the
    # negative tail (the tanh form is accurate to an ulp of 1 only).
    z = _grid(dtype)
    ref = _reference("logistic", z)
    out = _run("logistic", form, z).astype(np.longdouble)
    normal = ref >= np.finfo(dtype).tiny
    ulp = np.spacing(ref[normal].astype(dtype)).astype(np.longdouble)
    assert float((np.abs(out[normal] - ref[normal]) / ulp).max()) <= 4
    # Where the exact value is subnormal, the result is below the smallest
    # normal number too.
    assert np.all(out[~normal] < np.finfo(dtype).tiny)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", list(FORMULATIONS["logistic"]))
def test_every_logistic_form_is_zero_where_the_exact_value_rounds_to_zero(form, dtype):
    # Saturated units carry no subnormal floor into the next layer (slow
    # arithmetic on many CPUs), and every CPU class gives the same 0.
    info = np.finfo(dtype)
    start = 110.0 if dtype == np.float32 else 750.0
    z = -np.geomspace(start, float(info.max) / 2, 2000).astype(dtype)
    assert np.all(_reference("logistic", z).astype(dtype) == 0)
    assert np.all(_run("logistic", form, z) == 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "form"), ALL_FORMS)
def test_every_formulation_saturates_at_plus_and_minus_infinity_of_the_dtype(
    name, form, dtype
):
    info = np.finfo(dtype)
    z = np.array([info.max, -info.max, 1e4, -1e4], dtype=dtype)
    low = 0.0 if name == "logistic" else -1.0
    assert_allclose(_run(name, form, z), [1, low, 1, low], rtol=0, atol=info.tiny)


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        ({"X86_V4": True, "AVX512_SKX": True, "AVX2": True, "FMA3": True}, "x86-64-v4"),
        # NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR": the AVX-512
        # flags the CPU has are still listed, the dispatch level is not.
        ({"X86_V4": False, "AVX512F": True, "X86_V3": True}, "x86-64-v3"),
        ({"AVX2": True, "FMA3": True, "SSE42": True}, "x86-64-v3"),
        ({"X86_V2": True, "AVX2": False}, "x86-64-v2"),
    ],
)
def test_cpu_class_follows_numpys_dispatch_level(features, expected):
    assert _kernels.cpu_class(features) == expected


def test_cpu_class_of_a_non_x86_machine_is_its_architecture(monkeypatch):
    monkeypatch.setattr(_kernels.platform, "machine", lambda: "aarch64")
    assert _kernels.cpu_class({"ASIMD": True, "NEON": True}) == "aarch64"


def test_avx512_runs_the_tanh_forms_and_older_x86_and_other_cpus_the_exp_forms():
    for cpu, form in [
        ("x86-64-v4", "tanh"),
        ("x86-64-v3", "exp"),
        ("x86-64-v2", "exp"),
        ("aarch64", "exp"),
    ]:
        choices = _kernels.choose(cpu, override="")
        for name in FORMULATIONS:
            assert choices[name] == {"float32": form, "float64": form}


def test_override_sets_one_dtype_or_both():
    choices = _kernels.choose("x86-64-v3", "logistic=expit, tanh:float32=tanh")
    assert choices["logistic"] == {"float32": "expit", "float64": "expit"}
    assert choices["tanh"] == {"float32": "tanh", "float64": "exp"}


@pytest.mark.parametrize(
    "text", ["logistic", "logistic=fast", "relu=tanh", "logistic:float16=exp"]
)
def test_unreadable_override_names_the_item_and_the_choices(text):
    with pytest.raises(ValueError, match=r"SKBP_KERNELS=.*ACTIVATION\[:DTYPE\]=FORM"):
        _kernels.choose("x86-64-v3", text)


def test_every_formulation_has_a_table_name_and_is_written_out_for_reports():
    assert {n: tuple(f) for n, f in FORMULATIONS.items()} == _kernels.FORMS
    assert {n: tuple(f) for n, f in _kernels.FORMULAS.items()} == _kernels.FORMS


def test_the_functions_in_use_are_the_ones_the_report_names():
    report = skbp.kernel_choices()
    assert report["cpu_class"] == _kernels.cpu_class()
    for name, forms in FORMULATIONS.items():
        for dtype in ("float32", "float64"):
            assert IN_USE[name][np.dtype(dtype)] is forms[report[name][dtype]]


def test_the_report_names_the_machine_a_timing_ran_on():
    machine = skbp.kernel_choices()["machine"]
    assert machine.endswith(f", {os.cpu_count()} CPUs")
    model = machine.rsplit(",", 1)[0]
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if "model name" in ln]
        assert model == names[0]
    else:
        assert model == (platform.processor() or platform.machine())


def _child_report(env):
    """What skbp imported in a fresh interpreter reports, with ``env`` added
    to this process's environment (SKBP_KERNELS only if ``env`` sets it)."""
    code = (
        "import skbp; r = skbp.kernel_choices(); "
        "print(r['cpu_class'], r['logistic']['float64'], r['tanh']['float32'])"
    )
    inherited = {k: v for k, v in os.environ.items() if k != "SKBP_KERNELS"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**inherited, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=HANG_GUARD_SECONDS,
    )
    return out.stdout.split()


def test_skbp_kernels_is_read_when_skbp_is_imported():
    cpu = _kernels.cpu_class()
    tanh = _kernels.choose(cpu, override="")["tanh"]["float32"]
    assert _child_report({"SKBP_KERNELS": "logistic=expit"}) == [cpu, "expit", tanh]


@pytest.mark.skipif(
    _kernels.cpu_class() not in ("x86-64-v4", "x86-64-v3"),
    reason="needs an x86-64 CPU with AVX2, the class left when AVX-512 is masked",
)
def test_masking_avx512_in_a_child_process_runs_the_avx2_choices():
    # On an AVX-512 CPU this switches the child from the tanh forms to the
    # exp forms; on an AVX2-only one there is nothing to mask and the answer
    # is the same. How numpy's features read under the mask is checked on
    # every machine by test_cpu_class_follows_numpys_dispatch_level.
    masked = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"}
    assert _child_report(masked) == ["x86-64-v3", "exp", "exp"]


@pytest.fixture(params=["tanh", "exp", "expit"])
def logistic_form(request, monkeypatch):
    forms = {
        dtype: FORMULATIONS["logistic"][request.param] for dtype in IN_USE["logistic"]
    }
    monkeypatch.setitem(_activations.IN_USE, "logistic", forms)
    return request.param


@pytest.mark.parametrize("dtype", DTYPES)
def test_logistic_outputs_keep_probabilities_far_below_an_ulp_of_one(
    logistic_form, dtype
):
    # Whatever form the hidden units run, the output layer runs the exp
    # form: a probability of 1e-17 stays that (the tanh form rounds it to
    # 0, and predict_log_proba would give -inf), as scikit-learn's expit.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)).astype(dtype)
    y = (X[:, 0] > 0).astype(int)
    with pytest.warns(ConvergenceWarning):
        net = BackpropClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, y)
    net.intercepts_[-1][:] = -40.0 if dtype == np.float64 else -25.0
    hidden = expit(X.astype(float) @ net.coefs_[0] + net.intercepts_[0])
    z = hidden @ net.coefs_[1] + net.intercepts_[1]
    p = expit(z).ravel()
    assert p.max() < np.finfo(dtype).eps / 4
    proba = net.predict_proba(X)
    assert proba.dtype == dtype
    assert_allclose(proba[:, 1], p, rtol=1e-12 if dtype == np.float64 else 1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        log_proba = net.predict_log_proba(X)
    assert_allclose(log_proba[:, 1], np.log(p), rtol=1e-6)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_every_logistic_form_gives_mlpclassifiers_weights(logistic_form, solver):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int) + (X[:, 2] > 0.5)
    params = dict(
        hidden_layer_sizes=(7, 6),
        activation="logistic",
        solver=solver,
        batch_size=32,
        learning_rate_init=0.05,
        max_iter=15,
        random_state=3,
        tol=0.0,
        n_iter_no_change=np.inf,
    )
    # Both stop at max_iter and say so.
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        ours = BackpropClassifier(**params).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        theirs = MLPClassifier(**params).fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert_allclose(a, b, rtol=0, atol=1e-6)


def test_same_random_state_gives_bit_identical_weights_with_the_form_in_use():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 6)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    fits = [
        BackpropClassifier(hidden_layer_sizes=(9,), max_iter=5, random_state=0)
        for _ in range(2)
    ]
    for est in fits:
        with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
            est.fit(X, y)
    for a, b in zip(fits[0].coefs_, fits[1].coefs_):
        assert a.dtype == np.float32
        np.testing.assert_array_equal(a, b)

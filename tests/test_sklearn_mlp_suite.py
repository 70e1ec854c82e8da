"""scikit-learn's own MLP tests, run with skbp's estimators in place of its MLPs.

scikit-learn ships its tests with the package. This module loads the
installed ``sklearn/neural_network/tests/test_mlp.py`` while
``sklearn.neural_network`` hands out ``BackpropClassifier`` and
``BackpropRegressor`` with scikit-learn's defaults, and collects its tests as
its own, so they run against whichever scikit-learn release is installed
(1.6 to 1.9 are supported; their test modules differ).

Every test must pass except those in ``EXPECTED_FAILURES``, the deliberate
differences listed under "scikit-learn's own tests" on
``docs/coming_from_mlp.rst``. Each of those must fail in the documented way
(the exception and a text in its message or in the failing line of
scikit-learn's test) and is then reported as xfailed with its reason; one
that passes, or fails in another way, fails.

Only ``activation`` needs scikit-learn's default ("relu" where skbp's is
"logistic"); ``test_suite_swapped_classes_have_sklearns_defaults`` checks every
other shared parameter. No parameter puts skbp's multi-output squared error
on scikit-learn's scale (scikit-learn divides its data term, but not its
gradient, by the number of outputs; see "The loss" on the same page): the
one multi-output regression test, ``test_multioutput_regression``, passes
with skbp's.
"""

import functools
import importlib.util
import inspect
import re
import traceback
from pathlib import Path
from typing import NamedTuple

import pytest
import sklearn
import sklearn.neural_network as sk_nn

from skbp import BackpropClassifier, BackpropRegressor

SKLEARN_TESTS = "sklearn.neural_network.tests.test_mlp"
COMING_FROM_MLP = Path(__file__).resolve().parents[1] / "docs" / "coming_from_mlp.rst"

# scikit-learn's tests fit make_regression's unscaled targets; skbp's advice
# to scale them (a documented difference) is not what they examine.
pytestmark = pytest.mark.filterwarnings("ignore::skbp.exceptions.TargetScaleWarning")


def _with_sklearn_defaults(skbp_class, mlp_class):
    """A subclass of ``skbp_class`` whose parameters shared with
    ``mlp_class`` default to scikit-learn's values; get_params, clone and
    pickling see an ordinary estimator."""
    theirs = inspect.signature(mlp_class.__init__).parameters
    signature = inspect.signature(skbp_class.__init__)
    signature = signature.replace(
        parameters=[
            p.replace(default=theirs[p.name].default) if p.name in theirs else p
            for p in signature.parameters.values()
        ]
    )

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        skbp_class.__init__(*bound.args, **bound.kwargs)

    # scikit-learn reads an estimator's parameters from this signature.
    __init__.__signature__ = signature
    name = f"{skbp_class.__name__}AsMLP"
    __init__.__qualname__ = f"{name}.__init__"
    return type(name, (skbp_class,), {"__init__": __init__, "__module__": __name__})


BackpropClassifierAsMLP = _with_sklearn_defaults(
    BackpropClassifier, sk_nn.MLPClassifier
)
BackpropRegressorAsMLP = _with_sklearn_defaults(BackpropRegressor, sk_nn.MLPRegressor)
SWAPS = {
    "MLPClassifier": (sk_nn.MLPClassifier, BackpropClassifierAsMLP),
    "MLPRegressor": (sk_nn.MLPRegressor, BackpropRegressorAsMLP),
}


def _load_sklearn_tests():
    """scikit-learn's test module, executed while ``sklearn.neural_network``
    holds skbp's classes, so its imports and its parametrize lists take them.

    Loaded under its own name, beside the real module, which stays as it is.
    """
    try:
        found = importlib.util.find_spec(SKLEARN_TESTS)
    except ModuleNotFoundError:
        found = None
    if found is None:
        pytest.skip(
            f"scikit-learn {sklearn.__version__} is installed without its tests "
            f"({SKLEARN_TESTS})",
            allow_module_level=True,
        )
    spec = importlib.util.spec_from_file_location(
        "sklearn_test_mlp_with_skbp", found.origin
    )
    module = importlib.util.module_from_spec(spec)
    saved = {name: getattr(sk_nn, name) for name in SWAPS}
    try:
        for name, (_, ours) in SWAPS.items():
            setattr(sk_nn, name, ours)
        spec.loader.exec_module(module)
    finally:
        for name, original in saved.items():
            setattr(sk_nn, name, original)
    return module


class Expected(NamedTuple):
    """How a scikit-learn test fails with skbp's classes, and why."""

    raises: type
    # Searched in the exception's message and the failing line of
    # scikit-learn's test (a bare assert has no message).
    match: str
    # The row of the table on coming_from_mlp.rst, word for word.
    reason: str


EXPECTED_FAILURES = {
    "test_gradient": Expected(
        AttributeError,
        "_loss_grad_lbfgs",
        "It calls scikit-learn's private method _loss_grad_lbfgs, which skbp "
        "does not have. skbp.check_gradients compares every parameter's "
        "gradient with a central difference, for every activation.",
    ),
    "test_nonfinite_params": Expected(
        pytest.fail.Exception,
        "DID NOT RAISE",
        "It expects a ValueError, 'Solver produced non-finite parameter "
        "weights', for inputs near the float64 limit. skbp stops at the "
        "divergence, keeps the weights of the last finite epoch (here the "
        "initial ones) and warns with a ConvergenceWarning instead.",
    ),
    "test_early_stopping_stratified": Expected(
        AssertionError,
        "The validation set is too small",
        "It expects the stratified split's error for a class with one sample "
        "of four. skbp first finds that validation_fraction=0.1 of four "
        "samples leaves one to validate on and says so; for a class too small "
        "to stratify it names the class, not scikit-learn's binarised label "
        "'True'.",
    ),
    "test_mlp_diverging_loss": Expected(
        AssertionError,
        r"validation_scores_\[-1\]",
        "It expects a NaN last validation score. With early_stopping=True "
        "skbp treats infinite or NaN validation outputs as divergence and "
        "rolls back to the last finite epoch, so every recorded score is "
        "finite.",
    ),
}


def _failing_line(error, module):
    lines = [
        frame.line
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename == module.__file__
    ]
    return lines[-1] if lines else ""


def _expect_failure(name, test, expected, module):
    """``test`` as a test that passes only by failing as ``expected`` says."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        try:
            test(*args, **kwargs)
        except expected.raises as error:
            text = f"{error}\n{_failing_line(error, module)}"
            if not re.search(expected.match, text):
                raise AssertionError(
                    f"{name} fails otherwise than EXPECTED_FAILURES says (no "
                    f"{expected.match!r}): {type(error).__name__}: {error}"
                ) from error
        else:
            pytest.fail(
                f"{name} passes with skbp's classes: remove it from "
                "EXPECTED_FAILURES and its row from docs/coming_from_mlp.rst"
            )
        pytest.xfail(expected.reason)

    return run


SKLEARN_TEST_MODULE = _load_sklearn_tests()
SKLEARN_TEST_NAMES = sorted(
    name for name in vars(SKLEARN_TEST_MODULE) if name.startswith("test_")
)
for _name in SKLEARN_TEST_NAMES:
    _test = getattr(SKLEARN_TEST_MODULE, _name)
    if _name in EXPECTED_FAILURES:
        _test = _expect_failure(
            _name, _test, EXPECTED_FAILURES[_name], SKLEARN_TEST_MODULE
        )
    globals()[_name] = _test


@pytest.fixture
def global_random_seed():
    """scikit-learn's fixture: its conftest.py, which this run does not
    load, gives 42 unless SKLEARN_TESTS_GLOBAL_RANDOM_SEED says otherwise."""
    return 42


# The module's own checks are named test_suite_*, which no test of
# scikit-learn's is, so that neither hides the other.
assert not [name for name in SKLEARN_TEST_NAMES if name.startswith("test_suite_")]


@pytest.mark.parametrize("name", sorted(SWAPS))
def test_suite_swapped_classes_have_sklearns_defaults(name):
    sklearns, ours = SWAPS[name]
    expected = sklearns().get_params()
    got = ours().get_params()
    assert {k: got[k] for k in expected} == expected
    # skbp's own parameters keep skbp's defaults, which change nothing, and
    # of the shared ones only activation's differs, as coming_from_mlp.rst
    # says.
    skbps = ours.__mro__[1]().get_params()
    assert {k: v for k, v in got.items() if k not in expected} == {
        k: v for k, v in skbps.items() if k not in expected
    }
    assert [k for k in expected if skbps[k] != expected[k]] == ["activation"]


def test_suite_runs_skbps_classes():
    # Neither a name of the loaded module nor a parametrize list of its tests
    # holds scikit-learn's own classes.
    originals = [sklearns for sklearns, _ in SWAPS.values()]
    module = vars(SKLEARN_TEST_MODULE)
    for name, (_, ours) in SWAPS.items():
        assert module[name] is ours
    assert not [v for v in module.values() if any(v is o for o in originals)]
    for name in SKLEARN_TEST_NAMES:
        for mark in getattr(module[name], "pytestmark", []):
            if mark.name == "parametrize":
                values = str(mark.args[1])
                assert "sklearn.neural_network" not in values, name


def test_suite_expected_failures_are_sklearns_tests():
    assert set(EXPECTED_FAILURES) <= set(SKLEARN_TEST_NAMES)


def _documented_failures():
    """The table under "scikit-learn's own tests" on coming_from_mlp.rst:
    test name -> its row's other cells, markup and line breaks removed."""
    text = COMING_FROM_MLP.read_text(encoding="utf-8")
    section = text.split("scikit-learn's own tests\n", 1)[1]
    section = re.split(r"\n[^\n]+\n=+\n", section, maxsplit=1)[0]
    # The first row is the header.
    rows = re.split(r"^   \* - ", section, flags=re.MULTILINE)[2:]
    table = {}
    for row in rows:
        cells = re.split(r"^     - ", row, flags=re.MULTILINE)
        name = cells[0].strip().strip("`")
        table[name] = " ".join(" ".join(cells[1:]).replace("``", "").split())
    return table


def test_suite_expected_failures_are_documented():
    table = _documented_failures()
    assert sorted(table) == sorted(EXPECTED_FAILURES)
    for name, expected in EXPECTED_FAILURES.items():
        assert " ".join(expected.reason.split()) in table[name], name

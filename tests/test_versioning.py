"""A saved model records the skbp version that saved it; loading it under
another version (or from a save that records none) warns, naming both."""

import copy
import doctest
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import make_classification, make_regression

import skbp
import skbp.exceptions
from skbp import BackpropClassifier, BackpropRegressor, _versioning
from skbp._base import BaseBackprop
from skbp._versioning import InconsistentVersionWarning, VersionStampMixin

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

OLD = "0.0.1"


def test_wired_into_the_estimators():
    assert issubclass(BaseBackprop, VersionStampMixin)
    mro = BackpropClassifier.__mro__
    assert mro.index(VersionStampMixin) < mro.index(BaseEstimator)
    assert skbp.exceptions.InconsistentVersionWarning is InconsistentVersionWarning


def _fitted(Est):
    if Est is BackpropRegressor:
        X, y = make_regression(60, 4, random_state=0)
        y = y / y.std()
    else:
        X, y = make_classification(60, 4, random_state=0)
    est = Est(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    return est, X


def _via_pickle(est, tmp_path):
    return pickle.dumps(est), pickle.loads


def _via_joblib(est, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    return path, joblib.load


def _via_skops(est, tmp_path):
    sio = pytest.importorskip("skops.io")
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    # The stamp is a plain str: it adds no type to trust.
    assert untrusted and all(name.startswith("skbp.") for name in untrusted)
    return path, lambda path: sio.load(path, trusted=untrusted)


SAVERS = [_via_pickle, _via_joblib, _via_skops]


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_state_records_the_running_version(Est):
    # Stamped fitted or not, as scikit-learn stamps its own estimators.
    assert Est().__getstate__()["_skbp_version"] == skbp.__version__
    est, _ = _fitted(Est)
    assert est.__getstate__()["_skbp_version"] == skbp.__version__
    assert not hasattr(est, "_skbp_version")


@pytest.mark.parametrize("save", SAVERS)
@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_same_version_loads_silently_without_the_stamp(Est, save, tmp_path):
    est, X = _fitted(Est)
    saved, load = save(est, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        loaded = load(saved)
    assert not hasattr(loaded, "_skbp_version")
    assert vars(loaded).keys() == vars(est).keys()
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


@pytest.mark.parametrize("save", SAVERS)
def test_other_version_warns_naming_both(save, tmp_path, monkeypatch):
    est, X = _fitted(BackpropClassifier)
    with monkeypatch.context() as m:
        m.setattr(skbp, "__version__", OLD)
        saved, load = save(est, tmp_path)
    with pytest.warns(InconsistentVersionWarning) as record:
        loaded = load(saved)
    (w,) = [w for w in record if w.category is InconsistentVersionWarning]
    message = w.message
    assert message.estimator_name == "BackpropClassifier"
    assert message.original_skbp_version == OLD
    assert message.current_skbp_version == skbp.__version__
    text = str(message)
    assert f"skbp {OLD}" in text and f"skbp {skbp.__version__}" in text
    assert "BackpropClassifier" in text and "Refit" in text
    # It warns, and loads all the same.
    assert not hasattr(loaded, "_skbp_version")
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


def test_loading_under_another_version_warns(tmp_path, monkeypatch):
    """The other direction: saved now, loaded by a later skbp."""
    est, _ = _fitted(BackpropRegressor)
    saved = pickle.dumps(est)
    monkeypatch.setattr(skbp, "__version__", "99.0")
    with pytest.warns(InconsistentVersionWarning, match=r"skbp 99\.0") as record:
        pickle.loads(saved)
    assert record[0].message.original_skbp_version != "99.0"


def test_doctored_state_warns():
    """A state edited by hand (as a tool rewriting saved models might)."""
    est, _ = _fitted(BackpropClassifier)
    state = est.__getstate__()
    state["_skbp_version"] = "0.0.7"
    blank = BackpropClassifier.__new__(BackpropClassifier)
    with pytest.warns(InconsistentVersionWarning, match=r"skbp 0\.0\.7"):
        blank.__setstate__(state)
    # The caller's dict is left as it was.
    assert state["_skbp_version"] == "0.0.7"
    assert not hasattr(blank, "_skbp_version")


@pytest.mark.parametrize("save", SAVERS)
def test_save_without_a_stamp_warns_version_unknown(save, tmp_path, monkeypatch):
    # An skbp that predates the stamp saved scikit-learn's state alone.
    est, _ = _fitted(BackpropClassifier)
    with monkeypatch.context() as m:
        m.setattr(VersionStampMixin, "__getstate__", BaseEstimator.__getstate__)
        saved, load = save(est, tmp_path)
    with pytest.warns(InconsistentVersionWarning, match="unknown skbp version") as rec:
        loaded = load(saved)
    assert rec[0].message.original_skbp_version is None
    assert not hasattr(loaded, "_skbp_version")


def test_warning_points_at_the_loading_line(monkeypatch):
    saved = pickle.dumps(BackpropClassifier())
    monkeypatch.setattr(skbp, "__version__", OLD)
    with pytest.warns(InconsistentVersionWarning) as record:
        pickle.loads(saved)
    assert record[0].filename == __file__


def test_copies_and_clones_do_not_warn():
    est, X = _fitted(BackpropClassifier)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        for other in (copy.copy(est), copy.deepcopy(est), clone(est)):
            assert not hasattr(other, "_skbp_version")
        np.testing.assert_array_equal(copy.deepcopy(est).predict(X), est.predict(X))


def test_optimizer_state_is_left_to_the_optimizer():
    # The optimizer is a separate object with its own __getstate__.
    est, _ = _fitted(BackpropClassifier)
    optimizers = [
        v for v in vars(est).values() if type(v).__module__ == "skbp._optimizers"
    ]
    for opt in optimizers:
        assert "_skbp_version" not in opt.__getstate__()


def test_warning_text_and_pickling():
    w = InconsistentVersionWarning(
        estimator_name="BackpropRegressor",
        current_skbp_version="0.3.0",
        original_skbp_version="0.2.1",
    )
    assert str(w) == (
        "Loading a BackpropRegressor saved with skbp 0.2.1 under skbp 0.3.0. "
        "Its fitted state may not be valid in this version, which can give "
        "errors or wrong results. Refit the model with skbp 0.3.0, or load it "
        "with skbp 0.2.1."
    )
    # Warnings travel back from worker processes pickled.
    back = pickle.loads(pickle.dumps(w))
    assert (back.estimator_name, back.original_skbp_version) == (
        "BackpropRegressor",
        "0.2.1",
    )
    assert str(back) == str(w)
    unknown = InconsistentVersionWarning(
        estimator_name="BackpropClassifier",
        current_skbp_version="0.3.0",
        original_skbp_version=None,
    )
    assert "unknown skbp version" in str(unknown)
    assert "load it with the skbp version that saved it" in str(unknown)


def test_doctests(capsys):
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    for test in finder.find(_versioning):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, capsys.readouterr().out

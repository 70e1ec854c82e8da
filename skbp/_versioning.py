"""The skbp version a saved model was made with, and the warning on loading it.

scikit-learn records its own version only in the state of its own
estimators (those whose module starts with ``sklearn.``), so an skbp model
carries scikit-learn's stamp only inside the scikit-learn objects it holds
(a classifier's label binarizer), and nothing says which skbp wrote it.
:class:`VersionStampMixin` adds that record: pickle, joblib, skops and
``copy.deepcopy`` all go through ``__getstate__``/``__setstate__``, which
store ``_skbp_version`` and, on loading, take it out again and warn with
:class:`InconsistentVersionWarning` if it is not the running version.
"""

import inspect
import warnings

# The key in the saved state; named like scikit-learn's ``_sklearn_version``.
STATE_KEY = "_skbp_version"


def _running_version():
    # Looked up at each call: skbp/__init__ imports the estimators (and so
    # this module) before it defines __version__.
    import skbp

    return skbp.__version__


class InconsistentVersionWarning(UserWarning):
    """A model is loaded with another skbp version than the one that saved it.

    Issued when unpickling (pickle, joblib) or loading with skops a model
    saved by a different skbp version, or by one that did not record its
    version. The fitted state of a model is not guaranteed to mean the same
    across skbp versions: the model may fail, or predict differently. Refit
    it with the running version, or load it with the version that saved it.

    This is skbp's counterpart of scikit-learn's
    :class:`~sklearn.exceptions.InconsistentVersionWarning`, which covers
    scikit-learn's own version; a model can trigger both.

    Parameters
    ----------
    estimator_name : str
        The class name of the loaded model.
    current_skbp_version : str
        The skbp version loading it.
    original_skbp_version : str or None
        The skbp version that saved it; None if the saved state does not
        record one (it was saved before skbp recorded its version).

    Attributes
    ----------
    estimator_name : str
    current_skbp_version : str
    original_skbp_version : str or None

    Examples
    --------
    A deployment that must never run a model saved by another version can
    turn the warning into an error:

    >>> import pickle, warnings
    >>> from skbp import BackpropClassifier
    >>> from skbp.exceptions import InconsistentVersionWarning
    >>> saved = pickle.dumps(BackpropClassifier(hidden_layer_sizes=(3,)))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", InconsistentVersionWarning)
    ...     model = pickle.loads(saved)  # saved by this version: no warning
    >>> w = InconsistentVersionWarning(
    ...     estimator_name="BackpropClassifier",
    ...     current_skbp_version="0.2.0",
    ...     original_skbp_version="0.1.1",
    ... )
    >>> print(w)  # doctest: +ELLIPSIS
    Loading a BackpropClassifier saved with skbp 0.1.1 under skbp 0.2.0...
    """

    def __init__(self, *, estimator_name, current_skbp_version, original_skbp_version):
        super().__init__(estimator_name, current_skbp_version, original_skbp_version)
        self.estimator_name = estimator_name
        self.current_skbp_version = current_skbp_version
        self.original_skbp_version = original_skbp_version

    def __reduce__(self):
        # The constructor takes keywords only; warnings are pickled when
        # they travel back from worker processes (joblib, dask).
        return _rebuild_warning, (
            self.estimator_name,
            self.current_skbp_version,
            self.original_skbp_version,
        )

    def __str__(self):
        if self.original_skbp_version is None:
            saved_with = "an unknown skbp version (the saved state records none)"
            remedy = "load it with the skbp version that saved it"
        else:
            saved_with = f"skbp {self.original_skbp_version}"
            remedy = f"load it with skbp {self.original_skbp_version}"
        return (
            f"Loading a {self.estimator_name} saved with {saved_with} under "
            f"skbp {self.current_skbp_version}. Its fitted state may not be "
            "valid in this version, which can give errors or wrong results. "
            f"Refit the model with skbp {self.current_skbp_version}, or "
            f"{remedy}."
        )


def _rebuild_warning(estimator_name, current, original):
    return InconsistentVersionWarning(
        estimator_name=estimator_name,
        current_skbp_version=current,
        original_skbp_version=original,
    )


class VersionStampMixin:
    """Record the skbp version in a model's saved state; warn on a mismatch.

    Put it before :class:`~sklearn.base.BaseEstimator` among the bases, so
    that it wraps scikit-learn's ``__getstate__``/``__setstate__`` (which it
    calls through ``super()``). Every state is stamped, fitted or not, as
    scikit-learn does; loading takes the stamp out again, so a loaded model
    has exactly the attributes of the saved one.

    Examples
    --------
    >>> import skbp
    >>> from skbp import BackpropRegressor
    >>> state = BackpropRegressor().__getstate__()
    >>> state["_skbp_version"] == skbp.__version__
    True
    >>> model = BackpropRegressor.__new__(BackpropRegressor)
    >>> model.__setstate__(state)
    >>> hasattr(model, "_skbp_version")
    False
    """

    def __getstate__(self):
        state = super().__getstate__()
        if isinstance(state, dict):
            state = {**state, STATE_KEY: _running_version()}
        return state

    def __setstate__(self, state):
        if isinstance(state, dict):
            # A copy: skops hands over a dict it built, but a caller may pass
            # one it still uses.
            state = dict(state)
            saved = state.pop(STATE_KEY, None)
            running = _running_version()
            if saved != running:
                # stacklevel=2: the line that called pickle.loads/joblib.load
                # when that is the direct caller (the C unpickler adds no
                # frame).
                warnings.warn(
                    InconsistentVersionWarning(
                        estimator_name=type(self).__name__,
                        current_skbp_version=running,
                        original_skbp_version=saved,
                    ),
                    stacklevel=2,
                )
            # A parameter added after the model was saved takes its default,
            # which keeps the saved model's behaviour (new parameters default
            # to what skbp did before them).
            for name, param in inspect.signature(
                type(self).__init__
            ).parameters.items():
                if name != "self" and param.default is not param.empty:
                    state.setdefault(name, param.default)
        super().__setstate__(state)
        self._upgrade_fitted_state()

    def _upgrade_fitted_state(self):
        """Rebuild the fitted attributes a model saved by an older skbp lacks.

        Called on loading, after the saved state is in place, and before a
        fit continues from fitted weights (``warm_start``, ``partial_fit``),
        which may have been assigned by hand as scikit-learn's ``test_fit``
        assigns its worked example's, with no fitted attribute but the
        weights. A class that adds a fitted attribute rebuilds it here from
        what the model has (or leaves a model that had none as it is).
        """

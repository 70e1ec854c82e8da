"""The comparison that ``skbp compare`` and ``skbp demo`` both run: skbp's
network and scikit-learn's, with equal settings, fitted and scored on the
same folds."""

import time
import warnings
from numbers import Real

import pandas as pd
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    r2_score,
    root_mean_squared_error,
)
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from .. import BackpropClassifier, BackpropRegressor
from .._activations import REGISTRY, canonical_name
from .errors import InputError, one_line
from .interrupt import CtrlC

# The two networks compared for each task, skbp's first.
MODELS = {
    "classification": {
        "BackpropClassifier": BackpropClassifier,
        "MLPClassifier": MLPClassifier,
    },
    "regression": {
        "BackpropRegressor": BackpropRegressor,
        "MLPRegressor": MLPRegressor,
    },
}

# Those of the networks above that take skbp's own settings.
SKBP_NETWORKS = (BackpropClassifier, BackpropRegressor)

# Test-fold scores per task: (column, heading, function of (y_true, y_pred)).
# The first one is the score that progress lines show.
METRICS = {
    "classification": [
        ("accuracy", "accuracy", accuracy_score),
        ("balanced_accuracy", "balanced accuracy", balanced_accuracy_score),
    ],
    "regression": [
        ("r2", "R²", r2_score),
        ("rmse", "RMSE", root_mean_squared_error),
    ],
}

# The hidden units scikit-learn's MLP has, its `activation` options (the
# hidden units whose records name one of scikit-learn's), and one for every
# hidden layer, never one per layer.
SKLEARN_ACTIVATIONS = tuple(
    name for name, unit in REGISTRY.items() if unit.hidden and unit.sklearn_name
)

# What loss_curve_ holds for each task, with the default losses of both.
LOSS_NAMES = {
    "classification": "log-loss",
    "regression": "½ squared error of the standardized target",
}


def hidden_activation(activation):
    """``activation`` with aliases resolved, one name when all layers share it.

    Parameters
    ----------
    activation : str or sequence of str
        One name for every hidden layer, or one per hidden layer.

    Returns
    -------
    activation : str or tuple of str
        A str when every hidden layer has the same units (a list of equal
        names is the same network as that name alone), else a tuple.

    Examples
    --------
    >>> from skbp.cli.engine import hidden_activation
    >>> hidden_activation("sigmoid"), hidden_activation(["relu", "relu"])
    ('logistic', 'relu')
    >>> hidden_activation(["relu", "sigmoid"])
    ('relu', 'logistic')
    """
    if isinstance(activation, str):
        return canonical_name(activation)
    names = tuple(canonical_name(name) for name in activation)
    return names[0] if names and len(set(names)) == 1 else names


def sklearn_lacks(activation):
    """Why scikit-learn's MLP cannot have the hidden units ``activation``.

    Parameters
    ----------
    activation : str or sequence of str
        As :func:`hidden_activation` takes it.

    Returns
    -------
    reason : str or None
        What scikit-learn's MLP lacks, to follow "scikit-learn's MLP left
        out:"; None when it can have these units.

    Examples
    --------
    >>> from skbp.cli.engine import sklearn_lacks
    >>> sklearn_lacks("sigmoid") is None
    True
    >>> sklearn_lacks("softplus")
    'it has no softplus hidden units'
    >>> sklearn_lacks(["relu", "tanh"])
    'it has one activation for all hidden layers, not one per layer'
    """
    activation = hidden_activation(activation)
    if not isinstance(activation, str):
        return "it has one activation for all hidden layers, not one per layer"
    if activation not in SKLEARN_ACTIVATIONS:
        return f"it has no {activation} hidden units"
    return None


def skbp_only_settings(
    dropout=0.0,
    clip_grad_norm=None,
    learning_rate="constant",
    warmup_epochs=0,
    weight_decay=0.0,
    label_smoothing=0.0,
    restore_best="score",
):
    """The settings of skbp's network that change its training and that
    scikit-learn's MLP does not have.

    Parameters
    ----------
    dropout : float or tuple of float, default=0.0
    clip_grad_norm : float or None, default=None
    learning_rate : {"constant", "cosine"}, default="constant"
    warmup_epochs : int, default=0
    weight_decay : float, default=0.0
    label_smoothing : float, default=0.0
    restore_best : {"score", "loss"}, default="score"

    Returns
    -------
    settings : dict
        Those that change skbp's training: a dropout rate above 0 for some
        layer, a norm that is not None, the cosine schedule, a warm-up, a
        decay or a label smoothing above 0. At their defaults skbp trains as
        scikit-learn's MLP, which has none of them.

    Examples
    --------
    >>> from skbp.cli.engine import skbp_only_settings
    >>> skbp_only_settings(dropout=(0.0, 0.0))
    {}
    >>> skbp_only_settings(dropout=(0.5, 0.0), clip_grad_norm=1.0)
    {'dropout': (0.5, 0.0), 'clip_grad_norm': 1.0}
    """
    rates = (dropout,) if isinstance(dropout, Real) else tuple(dropout)
    settings = {}
    if any(rates):
        settings["dropout"] = dropout
    if clip_grad_norm is not None:
        settings["clip_grad_norm"] = clip_grad_norm
    if learning_rate != "constant":
        settings["learning_rate"] = learning_rate
    if warmup_epochs:
        settings["warmup_epochs"] = warmup_epochs
    if weight_decay:
        settings["weight_decay"] = weight_decay
    if label_smoothing:
        settings["label_smoothing"] = label_smoothing
    if restore_best != "score":
        settings["restore_best"] = restore_best
    return settings


def make_models(
    task,
    preprocessor,
    hidden_layer_sizes=(100,),
    max_iter=200,
    random_state=0,
    *,
    activation="logistic",
    solver="adam",
    learning_rate_init=0.001,
    alpha=0.0001,
    early_stopping=False,
    dropout=0.0,
    clip_grad_norm=None,
    learning_rate="constant",
    warmup_epochs=0,
    weight_decay=0.0,
    label_smoothing=0.0,
    restore_best="score",
):
    """The networks to compare, each behind its own copy of ``preprocessor``.

    Both get the same settings, those given here (``random_state`` hence
    the same initial weights); everything else is the shared default.
    Regression targets are standardized for the fit and predictions mapped
    back, since networks with small initial weights learn badly on targets
    in the thousands.

    Two kinds of settings scikit-learn's MLP does not have. ``dropout``,
    ``clip_grad_norm``, ``learning_rate="cosine"``, ``warmup_epochs``,
    ``weight_decay``, ``restore_best`` and (classification only)
    ``label_smoothing`` go to skbp's network only: scikit-learn's trains
    without them, as skbp's would at their defaults. Hidden units it lacks
    (see :func:`sklearn_lacks`) would make it another network: it is left
    out, and skbp's network is the only model.

    Parameters
    ----------
    task : {"classification", "regression"}
    preprocessor : transformer
        Unfitted; each model gets a clone, in a pipeline step named
        ``"preprocess"`` before the network's step ``"net"``.
    hidden_layer_sizes : tuple of int, default=(100,)
    max_iter : int, default=200
    random_state : int, default=0
        Seed of both networks, which therefore start from the same weights.
    activation : str or tuple of str, default="logistic"
        Hidden units: one of skbp's names (``HIDDEN_ACTIVATION_NAMES`` of
        ``skbp._activations``: "logistic", "relu", ...) for every hidden
        layer, or one per hidden layer. Given as :func:`hidden_activation`
        returns it ("sigmoid" as "logistic").
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
    learning_rate_init : float, default=0.001
    alpha : float, default=0.0001
        L2 penalty.
    early_stopping : bool, default=False
    dropout : float or tuple of float, default=0.0
        skbp's network only.
    clip_grad_norm : float, default=None
        skbp's network only.
    learning_rate : {"constant", "cosine"}, default="constant"
        skbp's network only; scikit-learn's keeps a constant rate.
    warmup_epochs : int, default=0
        skbp's network only (with ``"cosine"``).
    weight_decay : float, default=0.0
        skbp's network only.
    label_smoothing : float, default=0.0
        skbp's classifier only.
    restore_best : {"score", "loss"}, default="score"
        skbp's network only (with ``early_stopping``).

    Returns
    -------
    models : dict of str to estimator
        Unfitted pipelines keyed by the network's class name, skbp first;
        skbp's alone when scikit-learn lacks the hidden units.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skbp.cli.engine import make_models
    >>> models = make_models("classification", StandardScaler(), max_iter=5)
    >>> list(models)
    ['BackpropClassifier', 'MLPClassifier']
    >>> models["MLPClassifier"].named_steps["net"].max_iter
    5
    >>> models = make_models("regression", StandardScaler(), activation="sigmoid")
    >>> models["MLPRegressor"].regressor.named_steps["net"].activation
    'logistic'
    >>> models = make_models("classification", StandardScaler(), dropout=0.2)
    >>> models["BackpropClassifier"].named_steps["net"].dropout
    0.2
    >>> list(make_models("classification", StandardScaler(), activation="softplus"))
    ['BackpropClassifier']
    """
    activation = hidden_activation(activation)
    settings = dict(
        hidden_layer_sizes=hidden_layer_sizes,
        activation=activation,
        solver=solver,
        learning_rate_init=learning_rate_init,
        alpha=alpha,
        early_stopping=early_stopping,
        max_iter=max_iter,
        random_state=random_state,
    )
    skbp_settings = dict(
        settings,
        dropout=dropout,
        clip_grad_norm=clip_grad_norm,
        learning_rate=learning_rate,
        warmup_epochs=warmup_epochs,
        weight_decay=weight_decay,
        restore_best=restore_best,
    )
    if label_smoothing:
        # A classifier's setting: the regressor has no labels to smooth.
        if task != "classification":
            raise InputError(
                "--label-smoothing smooths class labels, and this is a "
                "regression; leave it out, or give --task classification if "
                "the target holds classes"
            )
        skbp_settings["label_smoothing"] = label_smoothing
    without_sklearn = sklearn_lacks(activation) is not None
    models = {}
    for name, network in MODELS[task].items():
        if issubclass(network, SKBP_NETWORKS):
            net = network(**skbp_settings)
        elif without_sklearn:
            continue
        else:
            net = network(**settings)
        model = Pipeline([("preprocess", clone(preprocessor)), ("net", net)])
        if task == "regression":
            model = TransformedTargetRegressor(model, transformer=StandardScaler())
        models[name] = model
    return models


def fitted_network(model):
    """The fitted network inside a model made by :func:`make_models`.

    Parameters
    ----------
    model : Pipeline or TransformedTargetRegressor
        Fitted.

    Returns
    -------
    network : estimator
        The pipeline's ``"net"`` step, with ``n_iter_`` and ``loss_curve_``.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skbp.cli.engine import fitted_network, make_models
    >>> model = make_models("regression", StandardScaler(), max_iter=3)["MLPRegressor"]
    >>> X, y = load_iris(return_X_y=True)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 3 epochs do not converge
    ...     model = model.fit(X, y.astype(float))
    >>> fitted_network(model).n_iter_
    3
    """
    if isinstance(model, TransformedTargetRegressor):
        model = model.regressor_
    return model.named_steps["net"]


def cross_validate_models(models, X, y, task, cv=5, random_state=0, progress=None):
    """Fit and score every model on the same folds, fold by fold.

    ConvergenceWarnings are suppressed (tiny ``max_iter`` values are normal
    here); the ``n_iter`` column shows which fits used all their epochs.
    BLAS runs single-threaded, which is faster for networks this small and
    keeps the fit times comparable. Ctrl-C stops the whole comparison with
    KeyboardInterrupt, even when the estimator being fitted ends its fit
    early and returns instead, as skbp's do.

    Parameters
    ----------
    models : dict of str to estimator
        As returned by :func:`make_models`.
    X : pandas.DataFrame or ndarray
    y : pandas.Series or ndarray
    task : {"classification", "regression"}
    cv : int or cross-validation splitter, default=5
        An int is that many folds, stratified for classification and
        shuffled with ``random_state``; a splitter (e.g. an unshuffled
        ``StratifiedKFold``) is used as it is.
    random_state : int, default=0
        Seed of the fold shuffling when ``cv`` is an int.
    progress : callable, default=None
        Called after each fit with one row of the returned table (a dict).

    Returns
    -------
    folds : pandas.DataFrame
        One row per fold and model: ``fold, model``, one column per metric
        of ``METRICS[task]``, ``fit_time`` (seconds) and ``n_iter``
        (epochs).
    networks : dict of str to list
        Each model's fitted network of every fold, for their loss curves.

    Raises
    ------
    InputError
        A model rejected its training fold (scikit-learn's input checks,
        e.g. values too large for float64).
    KeyboardInterrupt
        Ctrl-C during the comparison.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skbp.cli.engine import cross_validate_models, make_models
    >>> X, y = load_iris(return_X_y=True)
    >>> models = make_models("classification", StandardScaler(), (5,), max_iter=3)
    >>> folds, _ = cross_validate_models(models, X, y, "classification", cv=2)
    >>> folds[["fold", "model", "n_iter"]]
       fold               model  n_iter
    0     1  BackpropClassifier       3
    1     1       MLPClassifier       3
    2     2  BackpropClassifier       3
    3     2       MLPClassifier       3
    """
    if task == "classification":
        # Each label's index among the sorted labels in place of the label:
        # the folds (StratifiedKFold sorts the labels too) and the scores
        # are the same, and scikit-learn's MLP fails early stopping on string
        # labels in some releases (scikit-learn issue 33760).
        y = LabelEncoder().fit_transform(y)
    if isinstance(cv, int):
        splitter = StratifiedKFold if task == "classification" else KFold
        cv = splitter(n_splits=cv, shuffle=True, random_state=random_state)
    rows = []
    networks = {name: [] for name in models}
    # CtrlC innermost: the warnings filter its handler may set is undone
    # on the way out.
    with (
        warnings.catch_warnings(),
        threadpool_limits(limits=1, user_api="blas"),
        CtrlC() as ctrl_c,
    ):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for fold, (train, test) in enumerate(cv.split(X, y), start=1):
            for name, model in models.items():
                model = clone(model)
                started = time.perf_counter()
                try:
                    model.fit(_rows(X, train), _rows(y, train))
                    fit_time = time.perf_counter() - started
                    ctrl_c.check()
                    predicted = model.predict(_rows(X, test))
                except ValueError as exc:
                    raise InputError(
                        f"{name} failed on fold {fold}: {one_line(str(exc))}"
                    ) from None
                row = {"fold": fold, "model": name}
                for column, _, score in METRICS[task]:
                    row[column] = float(score(_rows(y, test), predicted))
                network = fitted_network(model)
                row.update(fit_time=fit_time, n_iter=network.n_iter_)
                rows.append(row)
                networks[name].append(network)
                if progress is not None:
                    progress(row)
    return pd.DataFrame(rows), networks


def summarize(folds, task, by=("model",)):
    """Mean and standard deviation over folds of every score, per model.

    Parameters
    ----------
    folds : pandas.DataFrame
        As returned by :func:`cross_validate_models`, possibly several of
        them concatenated with a column telling them apart.
    task : {"classification", "regression"}
    by : sequence of str, default=("model",)
        The columns that name a row of the summary, e.g.
        ``("dataset", "model")``.

    Returns
    -------
    table : pandas.DataFrame
        One row per group, in the order of ``folds``: the ``by`` columns,
        ``<metric>_mean`` and ``<metric>_std`` for each metric,
        ``fit_time_mean``, ``n_iter_mean`` and ``n_folds``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skbp.cli.engine import summarize
    >>> folds = pd.DataFrame({
    ...     "fold": [1, 2], "model": ["net", "net"], "r2": [0.5, 0.7],
    ...     "rmse": [2.0, 1.0], "fit_time": [0.1, 0.3], "n_iter": [10, 20]})
    >>> summarize(folds, "regression").round(3).iloc[0].to_dict()
    {'model': 'net', 'r2_mean': 0.6, 'r2_std': 0.1, 'rmse_mean': 1.5, 'rmse_std': 0.5, 'fit_time_mean': 0.2, 'n_iter_mean': 15.0, 'n_folds': 2}
    """  # noqa: E501
    aggregations = {}
    for column, _, _ in METRICS[task]:
        aggregations[f"{column}_mean"] = (column, "mean")
        # Population std over folds, as cross_validate users compute it.
        aggregations[f"{column}_std"] = (column, lambda s: s.std(ddof=0))
    aggregations.update(
        fit_time_mean=("fit_time", "mean"),
        n_iter_mean=("n_iter", "mean"),
        n_folds=("fold", "count"),
    )
    return folds.groupby(list(by), sort=False).agg(**aggregations).reset_index()


def _rows(data, index):
    """Rows of a DataFrame, Series or array by position."""
    return data.iloc[index] if hasattr(data, "iloc") else data[index]

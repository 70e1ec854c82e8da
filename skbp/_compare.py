"""What ``skbp compare DATA.csv --target COL`` runs: skbp against scikit-learn's
MLP, cross-validated on a CSV file, both behind the same preprocessing."""

import difflib
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    r2_score,
    root_mean_squared_error,
)
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.multiclass import type_of_target
from threadpoolctl import threadpool_limits

from ._classifier import BackpropClassifier
from ._regressor import BackpropRegressor

# A numeric target of whole numbers with at most this many distinct values
# is read as class labels (ratings, codes, counts of few levels); beyond it,
# as a quantity. ``--task`` overrides the guess.
MAX_CLASSES = 20

TASKS = ("auto", "classification", "regression")

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

# What loss_curve_ holds for each task, with the default losses of both.
LOSS_NAMES = {
    "classification": "log-loss",
    "regression": "½ squared error of the standardized target",
}


class CompareError(ValueError):
    """A problem with the data or the options, reported as one line, exit 2."""


def read_csv(path, sep=",", encoding="utf-8"):
    """Read a CSV file, turning every way it can fail into a CompareError.

    Parameters
    ----------
    path : str or Path
        The file.
    sep : str, default=","
        Field separator; ``\\t`` (backslash, t) and ``tab`` mean a tab.
    encoding : str, default="utf-8"
        Text encoding of the file.

    Returns
    -------
    frame : pandas.DataFrame
        The table, with at least one row.

    Raises
    ------
    CompareError
        The file is missing, unreadable, empty, binary, not in ``encoding``,
        or not well-formed CSV (e.g. rows with more fields than the header).
    """
    # A shell passes --sep '\t' as backslash + t, not as a tab.
    sep = {"\\t": "\t", "tab": "\t"}.get(sep, sep)
    path = Path(path)
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except FileNotFoundError:
        raise CompareError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CompareError(f"{path} is a directory, not a CSV file") from None
    except OSError as exc:
        raise CompareError(f"cannot read {path}: {exc.strerror or exc}") from None
    # NUL bytes never occur in UTF-8 or Latin-1 text, but pandas reads them as
    # a column name instead of failing, so binary files are caught here.
    if b"\x00" in head and "16" not in encoding and "32" not in encoding:
        hint = (
            "; it starts with a UTF-16 byte-order mark: pass --encoding utf-16"
            if head[:2] in (b"\xff\xfe", b"\xfe\xff")
            else ""
        )
        raise CompareError(
            f"{path} looks like a binary file, not CSV text (it contains NUL "
            f"bytes){hint}"
        )
    try:
        frame = pd.read_csv(path, sep=sep, encoding=encoding)
    except pd.errors.EmptyDataError:
        raise CompareError(f"{path} is empty: no header row, no data") from None
    except pd.errors.ParserError as exc:
        detail = _one_line(str(exc)).removeprefix("Error tokenizing data. C error: ")
        if detail[1:2].islower():  # "Expected 3 fields", but not "EOF inside"
            detail = detail[:1].lower() + detail[1:]
        raise CompareError(f"{path} is not a well-formed CSV file: {detail}") from None
    except UnicodeDecodeError as exc:
        raise CompareError(
            f"{path} is not {encoding} text (byte 0x{exc.object[exc.start]:02x} at "
            f"position {exc.start}); if it is a CSV file in another encoding, pass "
            "--encoding, e.g. --encoding latin-1"
        ) from None
    except LookupError:
        raise CompareError(f"unknown --encoding {encoding!r}") from None
    except (OSError, ValueError) as exc:
        raise CompareError(f"cannot read {path}: {_one_line(str(exc))}") from None
    # Rows with one field more than the header make pandas use the first
    # field as an index, silently shifting every column name by one.
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        raise CompareError(
            f"{path} is not a well-formed CSV file: its rows have more fields "
            f"than its header has names ({len(frame.columns)})"
        )
    if frame.empty:
        raise CompareError(f"{path} has a header but no data rows")
    return frame


def detect_task(y):
    """Classification or regression, guessed from the target's values.

    Text, boolean and categorical targets are class labels. Numeric targets
    are class labels when all values are whole numbers and there are at most
    ``MAX_CLASSES`` (20) distinct ones; any other numeric target is a
    quantity to regress.

    Parameters
    ----------
    y : pandas.Series
        The target, without missing values.

    Returns
    -------
    task : {"classification", "regression"}

    Examples
    --------
    >>> import pandas as pd
    >>> from skbp._compare import detect_task
    >>> detect_task(pd.Series(["setosa", "virginica"]))
    'classification'
    >>> detect_task(pd.Series([3, 5, 6, 5]))
    'classification'
    >>> detect_task(pd.Series([0.5, 1.25, 3.0]))
    'regression'
    """
    if not _is_numeric(y):
        return "classification"
    discrete = type_of_target(y.to_numpy()) in ("binary", "multiclass")
    return "classification" if discrete and y.nunique() <= MAX_CLASSES else "regression"


def prepare_data(frame, target, task="auto", cv=5, note=None):
    """Split the table into features and target and check both are usable.

    Infinite values count as missing. Rows without a target value are
    dropped, and so are feature columns without any value and the unnamed
    index column that ``DataFrame.to_csv`` writes; each change is reported
    through ``note``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table read from the CSV file.
    target : str
        Name of the column to predict.
    task : {"auto", "classification", "regression"}, default="auto"
        "auto" decides with :func:`detect_task`.
    cv : int, default=5
        Number of folds, to check there are enough rows (and enough rows of
        each class).
    note : callable, default=None
        Called with one line of text for each thing done to the data.

    Returns
    -------
    X : pandas.DataFrame
        Feature columns; the categorical ones as object dtype with NaN for
        missing values, which every sklearn imputer and encoder accepts.
    y : pandas.Series
        The target.
    task : {"classification", "regression"}

    Raises
    ------
    CompareError
        The target column is missing, empty, constant, of the wrong kind for
        ``task`` or has too few rows (of some class) for ``cv`` folds, or no
        feature column is left.
    """
    note = note or (lambda line: None)
    frame = _drop_index_columns(frame, target, note)
    frame = _infinities_as_missing(frame, note)
    if target not in frame.columns:
        raise CompareError(_missing_column_message(frame, target))
    y = frame[target]
    n_rows = len(y)
    missing = y.isna()
    if missing.all():
        raise CompareError(f"target column {target!r} is empty in all {n_rows} rows")
    if missing.any():
        note(f"dropped {missing.sum()} of {n_rows} rows whose {target!r} is missing")
        frame, y = frame[~missing], y[~missing]
    if y.nunique() < 2:
        raise CompareError(
            f"target column {target!r} has the same value, {_show(y.iloc[0])}, in "
            "every row: there is nothing to predict"
        )

    if task == "auto":
        task = detect_task(y)
        # Whole numbers are the ambiguous case: codes or counts?
        whole = _is_numeric(y) and type_of_target(y.to_numpy()) != "continuous"
        if whole and not pd.api.types.is_bool_dtype(y):
            kind = "class labels" if task == "classification" else "a quantity"
            other = "regression" if task == "classification" else "classification"
            note(
                f"{target!r} has {y.nunique()} distinct whole-number values, read "
                f"as {kind}: {task} (--task {other} to override)"
            )
    if task == "regression":
        if not _is_numeric(y):
            raise CompareError(
                f"--task regression needs a numeric target, but {target!r} has "
                f"values such as {_show(y.iloc[0])} that are not numbers"
            )
        y = y.astype(float)
    else:
        y = _as_labels(y)
    _check_folds(y, target, task, cv)

    X = _feature_columns(frame.drop(columns=target), target, note)
    return X, y, task


def make_models(X, task, hidden_layer_sizes=(100,), max_iter=200, random_state=0):
    """The two networks to compare, each behind the same preprocessing.

    Numeric columns: median imputation, then standardization. Categorical
    columns: most frequent value imputation, then one-hot encoding (levels
    unseen in a training fold encode as all zeros). Regression targets are
    standardized for the fit and predictions mapped back, since networks
    with small initial weights learn badly on targets in the thousands.

    Parameters
    ----------
    X : pandas.DataFrame
        Features, as returned by :func:`prepare_data`.
    task : {"classification", "regression"}
    hidden_layer_sizes : tuple of int, default=(100,)
    max_iter : int, default=200
    random_state : int, default=0
        Seed of both networks, which therefore start from the same weights.

    Returns
    -------
    models : dict of str to estimator
        Unfitted pipelines keyed by the network's class name, skbp first.
    """
    numeric = _numeric_columns(X)
    categorical = [c for c in X.columns if c not in numeric]
    columns = []
    if numeric:
        columns.append(
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            )
        )
    if categorical:
        encode = make_pipeline(
            SimpleImputer(strategy="most_frequent"),
            # Dense output: the networks' matrix products want dense arrays.
            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
        )
        columns.append(("categorical", encode, categorical))
    settings = dict(
        hidden_layer_sizes=hidden_layer_sizes,
        activation="logistic",
        solver="adam",
        max_iter=max_iter,
        random_state=random_state,
    )
    models = {}
    for name, network in MODELS[task].items():
        model = Pipeline(
            [("preprocess", ColumnTransformer(columns)), ("net", network(**settings))]
        )
        if task == "regression":
            model = TransformedTargetRegressor(model, transformer=StandardScaler())
        models[name] = model
    return models


def fitted_network(model):
    """The fitted network inside a pipeline made by :func:`make_models`."""
    if isinstance(model, TransformedTargetRegressor):
        model = model.regressor_
    return model.named_steps["net"]


def cross_validate_models(models, X, y, task, cv=5, random_state=0, progress=None):
    """Fit and score every model on the same folds, fold by fold.

    Classification folds are stratified; both kinds are shuffled with
    ``random_state``. ConvergenceWarnings are suppressed (tiny ``max_iter``
    values are normal here); the ``n_iter`` column shows which fits used all
    their epochs. BLAS runs single-threaded, which is faster for networks
    this small and keeps the fit times comparable.

    Parameters
    ----------
    models : dict of str to estimator
        As returned by :func:`make_models`.
    X : pandas.DataFrame
    y : pandas.Series
    task : {"classification", "regression"}
    cv : int, default=5
        Number of folds.
    random_state : int, default=0
        Seed of the fold shuffling.
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
    """
    splitter = (StratifiedKFold if task == "classification" else KFold)(
        n_splits=cv, shuffle=True, random_state=random_state
    )
    rows = []
    networks = {name: [] for name in models}
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        # skbp answers Ctrl-C by ending the current fit with a warning and
        # keeping the model; here it should stop the whole comparison.
        warnings.filterwarnings(
            "error", message="Training interrupted", category=UserWarning
        )
        for fold, (train, test) in enumerate(splitter.split(X, y), start=1):
            for name, model in models.items():
                model = clone(model)
                started = time.perf_counter()
                try:
                    model.fit(X.iloc[train], y.iloc[train])
                    fit_time = time.perf_counter() - started
                    predicted = model.predict(X.iloc[test])
                except UserWarning as exc:
                    if "Training interrupted" not in str(exc):
                        raise
                    raise KeyboardInterrupt from None
                except ValueError as exc:
                    # sklearn's input checks, e.g. values too large for float64.
                    raise CompareError(
                        f"{name} failed on fold {fold}: {_one_line(str(exc))}"
                    ) from None
                row = {"fold": fold, "model": name}
                for column, _, score in METRICS[task]:
                    row[column] = float(score(y.iloc[test], predicted))
                network = fitted_network(model)
                row.update(fit_time=fit_time, n_iter=network.n_iter_)
                rows.append(row)
                networks[name].append(network)
                if progress is not None:
                    progress(row)
    return pd.DataFrame(rows), networks


def summarize(folds, task):
    """Mean and standard deviation over folds of every score, per model.

    Parameters
    ----------
    folds : pandas.DataFrame
        As returned by :func:`cross_validate_models`.
    task : {"classification", "regression"}

    Returns
    -------
    table : pandas.DataFrame
        One row per model, in the order of ``folds``: ``model``,
        ``<metric>_mean`` and ``<metric>_std`` for each metric,
        ``fit_time_mean``, ``n_iter_mean`` and ``n_folds``.
    """
    aggregations = {}
    for column, _, _ in METRICS[task]:
        aggregations[f"{column}_mean"] = (column, "mean")
        # Population std over folds, as the demo and cross_validate users do.
        aggregations[f"{column}_std"] = (column, lambda s: s.std(ddof=0))
    aggregations.update(
        fit_time_mean=("fit_time", "mean"),
        n_iter_mean=("n_iter", "mean"),
        n_folds=("fold", "count"),
    )
    return folds.groupby("model", sort=False).agg(**aggregations).reset_index()


def format_table(table, task, max_iter):
    """The summary as aligned text, one row per model.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`summarize`.
    task : {"classification", "regression"}
    max_iter : int
        To tell apart fits that stopped early from those that ran out of
        epochs.

    Returns
    -------
    text : str
    """
    header = ["model"] + [heading for _, heading, _ in METRICS[task]]
    header += ["fit time", "epochs"]
    rows = []
    for row in table.to_dict("records"):
        cells = [row["model"]]
        for column, _, _ in METRICS[task]:
            mean, std = row[f"{column}_mean"], row[f"{column}_std"]
            cells.append(f"{_number(mean, column)} ± {_number(std, column)}")
        cells += [f"{row['fit_time_mean']:.3f}s", f"{row['n_iter_mean']:.1f}"]
        rows.append(cells)
    widths = [max(map(len, column)) for column in zip(header, *rows)]
    # Names and scores read left to right, times and epochs line up as numbers.
    aligns = ["<"] * (len(header) - 2) + [">", ">"]
    lines = [
        "  ".join(f"{cell:{a}{w}}" for cell, a, w in zip(cells, aligns, widths))
        for cells in [header, *rows]
    ]
    n_folds = int(table["n_folds"].iloc[0])
    lines.insert(
        0,
        f"Scores: mean ± std over the {n_folds} test folds. Fit time and epochs: "
        "means.\n",
    )
    if (table["n_iter_mean"] >= max_iter).any():
        lines.append(
            f"\n{max_iter} epochs on average: every fit stopped at --max-iter "
            "before converging;\na larger --max-iter may score better."
        )
    return "\n".join(lines)


def check_plot_path(path):
    """Check, before any work, that ``--plot`` can save to ``path``.

    Parameters
    ----------
    path : str or Path

    Raises
    ------
    CompareError
        matplotlib is missing, the extension names no format matplotlib can
        write, or the folder does not exist.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CompareError(
            "--plot needs matplotlib, which is not installed: pip install "
            "matplotlib (or pip install 'skbp[plot]')"
        ) from None
    path = Path(path)
    formats = Figure().canvas.get_supported_filetypes()
    extension = path.suffix.lower().removeprefix(".")
    if extension not in formats:
        found = f"extension {path.suffix!r}" if extension else "no extension"
        raise CompareError(
            f"--plot {path} has {found}; use one of ."
            + ", .".join(sorted(formats))
            + f" (e.g. {path.stem or 'loss'}.png)"
        )
    folder = path.parent
    if not folder.is_dir():
        raise CompareError(f"--plot {path}: folder {folder} does not exist")


def plot_loss_curves(networks, path, title="", ylabel=""):
    """Save every fold's training loss curve of every model to ``path``.

    Each model has its own color; skbp's curves are solid and drawn first,
    the others dashed on top, so that curves which coincide (same initial
    weights, same updates) stay visible.

    Parameters
    ----------
    networks : dict of str to list
        As returned by :func:`cross_validate_models`.
    path : str or Path
        Image file; its extension chooses the format.
    title : str, default=""
        Title above the plot.
    ylabel : str, default=""
        What the loss is, shown beside "training loss".
    """
    # Figure without pyplot: no GUI backend, no global state to clean up.
    from matplotlib.figure import Figure

    from .plot import LossCurveDisplay

    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    styles = [dict(color="C0", linestyle="-", linewidth=2.2)]
    styles += [dict(color="C1", linestyle="--", linewidth=1.4)] * len(networks)
    for (name, fold_networks), style in zip(networks.items(), styles):
        for i, network in enumerate(fold_networks):
            # One legend entry per model, not per fold.
            label = f"{name} ({len(fold_networks)} folds)" if i == 0 else "_fold"
            LossCurveDisplay.from_estimator(network, ax=ax, label=label, **style)
    ax.set_ylabel(f"training loss ({ylabel})" if ylabel else "training loss")
    ax.set_title(title)
    fig.savefig(path, dpi=100)


def run_compare(
    path,
    target,
    task="auto",
    cv=5,
    hidden_layer_sizes=(100,),
    max_iter=200,
    random_state=0,
    plot=None,
    sep=",",
    encoding="utf-8",
    out=None,
    err=None,
):
    """Everything ``skbp compare`` does: read, check, cross-validate, report.

    Notes on the data and one progress line per fit go to ``err``, the
    latter as each fit ends; the settings and the results table go to
    ``out``.

    Parameters
    ----------
    path : str or Path
        CSV file with a header row.
    target : str
        Column to predict; all other columns are features.
    task : {"auto", "classification", "regression"}, default="auto"
        See :func:`detect_task` for "auto".
    cv : int, default=5
        Number of folds.
    hidden_layer_sizes : tuple of int, default=(100,)
    max_iter : int, default=200
        Epochs per fit.
    random_state : int, default=0
        Seed of the networks' initial weights and of the fold shuffling.
    plot : str or Path, default=None
        Image file for the loss curves; None draws none.
    sep : str, default=","
        Field separator of the CSV file.
    encoding : str, default="utf-8"
        Text encoding of the CSV file.
    out, err : file, default=None
        Streams for results and for notes and progress; None means
        ``sys.stdout`` and ``sys.stderr``.

    Returns
    -------
    table : pandas.DataFrame
        See :func:`summarize`.

    Raises
    ------
    CompareError
        Any problem with the file, the target or the options; its message
        is one line meant for the user.
    """
    out = out or sys.stdout
    err = err or sys.stderr

    if plot is not None:
        check_plot_path(plot)
    frame = read_csv(path, sep=sep, encoding=encoding)
    # Notes wait until the data is known to be usable, so that an error is
    # the only line printed when it is not.
    notes = []
    X, y, task = prepare_data(frame, target, task=task, cv=cv, note=notes.append)
    for line in notes:
        print(f"skbp compare: {line}", file=err, flush=True)
    models = make_models(X, task, hidden_layer_sizes, max_iter, random_state)

    score_column, score_heading, _ = METRICS[task][0]
    width = max(map(len, models))

    def progress(row):
        print(
            f"[fold {row['fold']}/{cv}] {row['model']:<{width}} {score_heading} "
            f"{row[score_column]:.4f} in {row['fit_time']:.2f} s, "
            f"{row['n_iter']} epochs",
            file=err,
            flush=True,
        )

    # The settings first, so that the progress lines below them make sense.
    print(
        _describe(
            path, target, X, y, task, cv, hidden_layer_sizes, max_iter, random_state
        ),
        file=out,
        flush=True,
    )
    folds, networks = cross_validate_models(
        models, X, y, task, cv=cv, random_state=random_state, progress=progress
    )
    table = summarize(folds, task)
    print(format_table(table, task, max_iter), file=out, flush=True)
    if plot is not None:
        plot_loss_curves(
            networks,
            plot,
            title=f"{Path(path).name}: {task} of {target!r}",
            ylabel=LOSS_NAMES[task],
        )
        print(f"\nLoss curves saved to {plot}", file=out)
    return table


def _describe(path, target, X, y, task, cv, hidden_layer_sizes, max_iter, seed):
    """The lines above the table: data, task, pipeline and settings."""
    numeric = len(_numeric_columns(X))
    categorical = X.shape[1] - numeric
    kinds = [
        f"{n} {kind}"
        for n, kind in [(numeric, "numeric"), (categorical, "categorical")]
        if n
    ]
    columns = "column" if X.shape[1] == 1 else "columns"
    data = f"{Path(path).name}: {len(X)} rows, {' and '.join(kinds)} feature {columns}."
    if task == "classification":
        classes = y.value_counts().sort_index()
        shown = ", ".join(f"{label} ({n})" for label, n in classes[:6].items())
        more = f", and {len(classes) - 6} more" if len(classes) > 6 else ""
        what = f"Classification of {target!r}, {len(classes)} classes: {shown}{more}."
        folds = f"{cv}-fold stratified cross-validation"
    else:
        what = (
            f"Regression of {target!r}, standardized while fitting (RMSE is in "
            "its own units)."
        )
        folds = f"{cv}-fold cross-validation"
    steps = []
    if numeric:
        steps.append("numeric columns imputed (median) and standardized")
    if categorical:
        steps.append("categorical ones imputed (most frequent) and one-hot encoded")
    pipeline = f"{folds}; {', '.join(steps)}."
    # Set by hand: wrapping could split a tuple such as (64, 32).
    settings = (
        f"Both networks: activation='logistic', solver='adam', max_iter={max_iter},\n"
        f"hidden_layer_sizes={hidden_layer_sizes}, random_state={seed} "
        "(the same initial weights).\nConvergenceWarnings suppressed.\n"
    )
    paragraphs = [data, what, pipeline]
    return "\n".join(textwrap.fill(text, width=79) for text in paragraphs) + (
        "\n" + settings
    )


def _number(value, column):
    """A score as text: 4 decimals, but 4 significant digits for RMSE."""
    if column != "rmse":
        return f"{value:.4f}"
    # RMSE is in the target's units, which may be thousands or thousandths.
    return f"{value:.0f}" if abs(value) >= 1e4 else f"{value:.4g}"


def _is_numeric(column):
    return pd.api.types.is_numeric_dtype(column)


def _numeric_columns(X):
    """Columns to scale; everything else (booleans too) is one-hot encoded."""
    return [c for c in X.columns if _is_numeric(X[c]) and X[c].dtype != bool]


def _as_labels(y):
    """Class labels from a target column, in the plainest type that fits."""
    if pd.api.types.is_bool_dtype(y) or not _is_numeric(y):
        # Text, booleans (object when the column had gaps) and categories all
        # become strings, so that labels print and sort alike.
        return y.astype(str)
    if pd.api.types.is_float_dtype(y) and (y == np.round(y)).all():
        # Whole numbers read as floats because the column had gaps.
        return y.astype(np.int64)
    if pd.api.types.is_float_dtype(y):
        # Only with --task classification: each distinct value is a class.
        return y.astype(str)
    return y


def _check_folds(y, target, task, cv):
    """Raise CompareError if ``cv`` folds cannot be made of these rows."""
    if task == "regression":
        # Two test rows per fold at least: R² is undefined on one.
        if len(y) < 2 * cv:
            usable = len(y) // 2
            fix = f"use --cv {usable} or fewer" if usable >= 2 else "add rows"
            raise CompareError(
                f"only {len(y)} rows with a {target!r} value: {cv}-fold "
                f"cross-validation needs at least {2 * cv} (2 per test fold); {fix}"
            )
        return
    counts = y.value_counts()
    label, smallest = counts.index[-1], int(counts.iloc[-1])
    if smallest >= cv:
        return
    # Stratified folds put rows of every class in every test fold.
    if smallest >= 2:
        fix = f"use --cv {smallest} or fewer, or remove that class"
    else:
        fix = "remove that class or add rows of it"
    if _is_numeric(y):
        fix += ", or use --task regression"
    rows = "row" if smallest == 1 else "rows"
    raise CompareError(
        f"class {_show(label)} of {target!r} ({len(counts)} classes in {len(y)} "
        f"rows) has only {smallest} {rows}, fewer than the {cv} folds of "
        f"stratified cross-validation: {fix}"
    )


def _feature_columns(X, target, note):
    """Drop columns no model can use and give categorical ones object dtype."""
    for column in list(X.columns):
        if X[column].isna().all():
            note(f"dropped column {column!r}: it has no values")
            X = X.drop(columns=column)
    if X.shape[1] == 0:
        raise CompareError(
            f"no feature columns: {target!r} is the only column with values"
        )
    numeric = _numeric_columns(X)
    for column in X.columns:
        values = X[column]
        if column in numeric:
            continue
        X[column] = values.astype(object).where(values.notna(), np.nan)
        n_levels = values.nunique()
        if n_levels > 50 and n_levels > len(values) / 2:
            note(
                f"column {column!r} has {n_levels} distinct values in {len(values)} "
                "rows: one-hot encoding makes one input per value (an identifier?)"
            )
    return X


def _infinities_as_missing(frame, note):
    """Replace ±inf (pandas reads "inf") by NaN: no scaler or score takes it."""
    for column in frame.columns:
        values = frame[column]
        if _is_numeric(values) and values.dtype != bool:
            infinite = np.isinf(values.to_numpy(dtype=float))
            if infinite.any():
                n = infinite.sum()
                word = "value" if n == 1 else "values"
                note(f"{n} infinite {word} of {column!r} read as missing")
                frame = frame.assign(**{column: values.mask(infinite)})
    return frame


def _drop_index_columns(frame, target, note):
    """Drop the nameless row-number column that ``DataFrame.to_csv`` writes."""
    for column in frame.columns:
        is_index = (
            column != target
            and str(column).startswith("Unnamed: ")
            and np.array_equal(frame[column].to_numpy(), np.arange(len(frame)))
        )
        if is_index:
            note(f"dropped column {column!r}: row numbers, not a feature")
            frame = frame.drop(columns=column)
    return frame


def _missing_column_message(frame, target):
    columns = [str(c) for c in frame.columns]
    message = f"no column {target!r} in the CSV file"
    if len(columns) == 1 and any(s in columns[0] for s in ";\t|"):
        sep = next(s for s in ";\t|" if s in columns[0])
        return (
            f"{message}; it was read as one column {columns[0]!r}: if its "
            f"fields are separated by {sep!r}, pass --sep {sep!r}"
        )
    by_case = {c.strip().lower(): c for c in columns}
    close = (
        [by_case[target.strip().lower()]] if target.strip().lower() in by_case else []
    )
    close = close or difflib.get_close_matches(target, columns, n=3)
    if close:
        return f"{message}; did you mean {' or '.join(map(repr, close))}?"
    shown = ", ".join(map(repr, columns[:12]))
    more = f" and {len(columns) - 12} more" if len(columns) > 12 else ""
    return f"{message}; its columns are {shown}{more}"


def _show(value):
    """repr of a value without numpy's ``np.int64(...)`` wrapping."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _one_line(text):
    return " ".join(text.split())

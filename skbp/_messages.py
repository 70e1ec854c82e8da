"""What to do next: advice added to scikit-learn's input errors and to warnings.

scikit-learn's validation says what is wrong ("could not convert string to
float: 'Torgersen'", "Input y contains NaN.") but not where, nor what a new
user should do about it. The estimators keep its exception types and its
text, and append what is found here: the column that holds text, the rows
whose target is missing, the estimator or transformer that fits the data.

Everything here runs only once something has already failed (or a
ConvergenceWarning is about to be issued), so it may look at the data
freely; it never changes the data or any number a fit computes.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._activations import REGISTRY

#: A target whose typical magnitude, max(|mean|, std) of a column, exceeds
#: this is out of practical reach of a linear (identity or relu) output unit:
#: the network starts with outputs within about ±1, and the optimizer moves
#: each weight by about ``learning_rate_init`` per step (Adam), so outputs in
#: the thousands take far more steps than ``max_iter`` allows.
TARGET_SCALE_LIMIT = 100.0

_CONVERSION_FAILURES = (
    "could not convert",
    "dtype='numeric' is not compatible with arrays of bytes/strings",
)


def explain_input_error(error, X, y=None, *, estimator_name, regressor):
    """The message of ``error`` followed by what to do, or None.

    ``error`` is a ValueError raised while validating ``X`` (and ``y``, on
    the fit-like calls) as the caller passed them. None when there is
    nothing to add: the original error is then re-raised unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"bill": [39.1, 39.5], "island": ["Torgersen", "Dream"]})
    >>> error = ValueError("could not convert string to float: 'Torgersen'")
    >>> print(explain_input_error(error, X, [1.0, 2.0],
    ...                           estimator_name="BackpropRegressor",
    ...                           regressor=True))
    could not convert string to float: 'Torgersen'. Column 'island' of X
    holds text ('Torgersen'), and the network takes numbers only. Encode
    text columns as numbers before the network, e.g. with
    sklearn.preprocessing.OneHotEncoder inside a
    sklearn.compose.ColumnTransformer: make_pipeline(make_column_transformer(...
    BackpropRegressor()).
    """
    message = str(error)
    try:
        if any(failure in message for failure in _CONVERSION_FAILURES):
            # X is validated before y, so text in X is what failed.
            columns = _text_columns(X)
            if columns:
                return f"{message}. {_text_column_advice(columns, estimator_name)}"
            if regressor and y is not None:
                value = _first_text_value(np.asarray(y).ravel())
                if value is not _NOTHING:
                    return f"{message}. {_text_target_advice(value)}"
        elif y is not None and message.startswith(
            ("Input y contains", "Input contains NaN")
        ):
            rows = _rows_without_target(y)
            if len(rows):
                return f"{message.rstrip('.')}. {_missing_target_advice(rows)}"
    except Exception:  # advice must never hide the error
        return None
    return None


def target_scale_advice(y, out_activation):
    """A sentence on a target the output units cannot reach, or "".

    The message of a TargetScaleWarning issued when a fit stops without
    converging: a network that ran out of iterations on such a target will
    most likely keep failing however long it runs, while the same network
    on a scaled target fits. ``y`` is the 2-D
    training target. The criterion, per output column, reads the output
    unit's record (``output_range`` and ``target_scaler``):

    - a unit bounded at both ends (logistic or softmax: [0, 1]; tanh:
      [-1, 1]): a value outside its range, which it cannot produce at all;
    - a unit unbounded above (identity, relu): max(|mean|, std) >
      ``TARGET_SCALE_LIMIT`` (the output starts within about ±1 and grows
      by small steps), or a value below its lower bound (relu: a negative
      value), which it never outputs;
    - a unit without a ``target_scaler`` (the exp output of
      ``loss="poisson"``): never, as its reach grows exponentially with its
      net input (a count of 10⁴ is a net input of 9).

    A classifier's 0/1 targets never meet it.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[3900.0], [4500.0], [5200.0], [3300.0]])
    >>> print(target_scale_advice(y, "identity"))
    y has values around 4.2e+03 (std 7.0e+02), far from what the output
    units reach from their starting weights (about ±1): wrap the regressor
    in sklearn.compose.TransformedTargetRegressor(regressor=...,
    transformer=StandardScaler()).
    >>> target_scale_advice(y / 1000 - 4.2, "identity")
    ''
    """
    y = np.asarray(y)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.size == 0:
        return ""
    column = "y" if y.shape[1] == 1 else "y's column {}"
    unit = REGISTRY.get(out_activation)
    if unit is None or unit.target_scaler is None:
        return ""
    scaler = unit.target_scaler
    low, high = unit.output_range
    if unit.bounded:
        outside = (y < low) | (y > high)
        if not outside.any():
            return ""
        j = int(np.flatnonzero(outside.any(axis=0))[0])
        return (
            f"{column.format(j)} has values from {y[:, j].min():.2g} to "
            f"{y[:, j].max():.2g}, outside [{low:g}, {high:g}], the range of "
            f"the {out_activation} output units: "
            f"{_wrap_in_transformed_target(scaler)}, or use "
            "out_activation='identity'."
        )
    with np.errstate(over="ignore"):
        mean, std = y.mean(axis=0), y.std(axis=0)
    scale = np.maximum(np.abs(mean), std)
    if low is not None and (y < low).any():
        j = int(np.flatnonzero((y < low).any(axis=0))[0])
        below = "negative values" if low == 0 else f"values below {low:g}"
        return (
            f"{column.format(j)} has {below} (down to {y[:, j].min():.2g}), "
            f"which {out_activation} output units never produce: "
            f"{_wrap_in_transformed_target(scaler)}, or use "
            "out_activation='identity'."
        )
    if not (scale > TARGET_SCALE_LIMIT).any():
        return ""
    j = int(np.argmax(scale))
    return (
        f"{column.format(j)} has values around {mean[j]:.1e} (std "
        f"{std[j]:.1e}), far from what the output units reach from their "
        f"starting weights (about ±1): {_wrap_in_transformed_target(scaler)}."
    )


def _wrap_in_transformed_target(scaler):
    return (
        "wrap the regressor in sklearn.compose.TransformedTargetRegressor("
        f"regressor=..., transformer={scaler})"
    )


# -- text where numbers are needed --------------------------------------------
_NOTHING = object()


def _is_missing(value):
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _first_text_value(values):
    """The first value of a 1-D array that is neither a number nor missing."""
    values = np.asarray(values)
    if values.dtype.kind in "biufc":
        return _NOTHING
    for value in values:
        if _is_missing(value):
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            return value
    return _NOTHING


def _text_columns(X):
    """``[(column, first text value), ...]`` for the columns of X that hold text.

    Columns are named as the caller knows them: a DataFrame's names, or
    positions for an array.
    """
    if sp.issparse(X):
        return []
    if hasattr(X, "iloc") and hasattr(X, "dtypes"):
        names = list(X.columns)
        columns = (X.iloc[:, j].to_numpy() for j in range(X.shape[1]))
    else:
        array = np.asarray(X)
        if array.ndim != 2 or array.dtype.kind not in "OUSV":
            return []
        labels = getattr(X, "columns", None)
        names = (
            list(labels)
            if labels is not None and len(labels) == array.shape[1]
            else list(range(array.shape[1]))
        )
        columns = array.T
    found = []
    for name, values in zip(names, columns):
        value = _first_text_value(values)
        if value is not _NOTHING:
            found.append((name, value))
    return found


def _show(value):
    # np.str_('Adelie') shown as the user typed it: 'Adelie'.
    return repr(str(value)) if isinstance(value, str) else repr(value)


def _text_column_advice(columns, estimator_name):
    name, value = columns[0]
    names = [column for column, _ in columns]
    return (
        f"Column {name!r} of X holds text ({_show(value)}), and the network "
        "takes numbers only. Encode text columns as numbers before the "
        "network, e.g. with sklearn.preprocessing.OneHotEncoder inside a "
        "sklearn.compose.ColumnTransformer: make_pipeline("
        "make_column_transformer((OneHotEncoder(handle_unknown='ignore'), "
        f"{names!r}), remainder=StandardScaler()), {estimator_name}())."
    )


def _text_target_advice(value):
    return (
        f"y holds text ({_show(value)}), and a regressor needs numbers as "
        "its target. For class labels use BackpropClassifier; for numbers "
        "stored as text, convert y first (e.g. pandas.to_numeric(y))."
    )


# -- missing targets ----------------------------------------------------------
def _rows_without_target(y):
    """Positions of the rows of y that hold NaN, infinity or a missing value."""
    if sp.issparse(y):
        return np.array([], dtype=int)
    values = np.asarray(y)
    if values.dtype.kind in "fc":
        bad = ~np.isfinite(values)
    elif values.dtype.kind == "O":
        bad = np.asarray(pd.isna(values), dtype=bool)
    else:
        return np.array([], dtype=int)
    if bad.ndim > 1:
        bad = bad.reshape(bad.shape[0], -1).any(axis=1)
    return np.flatnonzero(bad)


def _missing_target_rows(rows, shown=5):
    listed = ", ".join(str(r) for r in rows[:shown])
    more = ", ..." if len(rows) > shown else ""
    return listed + more


def _missing_target_advice(rows):
    n = len(rows)
    which = "1 row (position" if n == 1 else f"{n} rows (positions"
    return (
        f"y, the target, is NaN, infinite or missing in {which} "
        f"{_missing_target_rows(rows)}): drop those rows from both X and y "
        "(with pandas: keep = y.notna(); X, y = X[keep], y[keep]), or fill "
        "the missing targets in first."
    )


def missing_labels_error(error, y):
    """A ValueError saying that y has missing labels, or None if it has none.

    For the classifier's label handling, which sorts the labels before any
    finiteness check and so fails on a NaN among strings with a TypeError
    that says nothing of y.
    """
    try:
        rows = _rows_without_target(y)
    except Exception:  # advice must never hide the error
        return None
    if not len(rows):
        return None
    return ValueError(f"Input y contains NaN. {_missing_target_advice(rows)}")


def missing_classes_error(classes):
    """A ValueError saying that partial_fit's ``classes`` has missing labels.

    None if it has none. scikit-learn tells the labels' type by casting them
    to integers first, which lets numpy's RuntimeWarning out on a NaN before
    its "Input contains NaN." (whose text this one starts with).
    """
    try:
        rows = _rows_without_target(classes)
    except Exception:  # advice must never hide the error
        return None
    if not len(rows):
        return None
    which = "position" if len(rows) == 1 else "positions"
    return ValueError(
        f"Input contains NaN. classes, all the labels of the problem, holds NaN "
        f"or a missing value at {which} {_missing_target_rows(rows)}: pass the "
        "labels y can take, and nothing else."
    )

"""From the user's table to features, target and task, and their preprocessing."""

import difflib
import shlex

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.multiclass import type_of_target

from .errors import InputError

# A numeric target of whole numbers with at most this many distinct values
# is read as class labels (ratings, codes, counts of few levels); beyond it,
# as a quantity. ``--task`` overrides the guess.
MAX_CLASSES = 20

TASKS = ("auto", "classification", "regression")

# More distinct values than this in a text column, and its one-hot encoding
# gets a note suggesting --drop, whatever the number of rows.
MAX_LEVELS = 100

# Tables of fewer rows get no note about identifiers: a few distinct names or
# numbers in a dozen rows may well be a feature.
MIN_IDENTIFIER_ROWS = 20


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
    >>> from skbp.cli.data import detect_task
    >>> detect_task(pd.Series(["setosa", "virginica"]))
    'classification'
    >>> detect_task(pd.Series([3, 5, 6, 5]))
    'classification'
    >>> detect_task(pd.Series([0.5, 1.25, 3.0]))
    'regression'
    """
    if not _is_numeric(y):
        return "classification"
    discrete = _target_type(y) in ("binary", "multiclass")
    return "classification" if discrete and y.nunique() <= MAX_CLASSES else "regression"


def prepare_data(frame, target, task="auto", cv=5, note=None, drop=()):
    """Split the table into features and target and check both are usable.

    The columns named in ``drop`` are left out first. Infinite values count
    as missing. Rows without a target value are dropped, and so are feature
    columns without any value and the unnamed index column that
    ``DataFrame.to_csv`` writes; each change is reported through ``note``,
    and so are text columns with so many distinct values that they look
    like identifiers, and integer columns whose values all differ (from
    ``MIN_IDENTIFIER_ROWS`` rows on): both stay features, the note suggests
    ``--drop``.

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
    drop : sequence of str, default=()
        Columns that are not features, as ``--drop`` gives them: each a
        column name or several separated by commas.

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
    InputError
        The target column is missing, empty, constant, of the wrong kind for
        ``task`` or has too few rows (of some class) for ``cv`` folds; a
        column in ``drop`` is missing or is the target; or no feature
        column is left.

    Examples
    --------
    >>> import pandas as pd
    >>> from skbp.cli.data import prepare_data
    >>> frame = pd.DataFrame({"x": [1.0, 2, 3, 4, 5], "y": ["a", "b", "a", None, "b"]})
    >>> X, y, task = prepare_data(frame, "y", cv=2, note=print)
    dropped 1 of 5 rows whose 'y' is missing
    >>> list(X.columns), list(y), task
    (['x'], ['a', 'b', 'a', 'b'], 'classification')
    >>> prepare_data(frame, "Y")
    Traceback (most recent call last):
    ...
    skbp.cli.errors.InputError: no column 'Y' in the CSV file; did you mean 'y'?
    >>> prepare_data(frame, "y", drop=["X"])
    Traceback (most recent call last):
    ...
    skbp.cli.errors.InputError: --drop: no column 'X' in the CSV file; did you mean 'x'?
    """
    note = note or (lambda line: None)
    if target not in frame.columns:
        # The columns listed do not include the index column, not a feature.
        listed = _drop_index_columns(frame, target, lambda line: None)
        raise InputError(_missing_column_message(listed, target))
    # First, so that nothing is said about the columns dropped.
    dropped = _columns_to_drop(frame, drop, target)
    frame = frame.drop(columns=dropped)
    frame = _drop_index_columns(frame, target, note)
    frame = _infinities_as_missing(frame, note)
    y = frame[target]
    n_rows = len(y)
    missing = y.isna()
    if missing.all():
        raise InputError(f"target column {target!r} is empty in all {n_rows} rows")
    if missing.any():
        note(f"dropped {missing.sum()} of {n_rows} rows whose {target!r} is missing")
        frame, y = frame[~missing], y[~missing]
    if y.nunique() < 2:
        raise InputError(
            f"target column {target!r} has the same value, {_show(y.iloc[0])}, in "
            "every row: there is nothing to predict"
        )

    if task == "auto":
        task = detect_task(y)
        # Whole numbers are the ambiguous case: codes or counts?
        whole = _is_numeric(y) and _target_type(y) != "continuous"
        if whole and not pd.api.types.is_bool_dtype(y):
            kind = "class labels" if task == "classification" else "a quantity"
            other = "regression" if task == "classification" else "classification"
            note(
                f"{target!r} has {y.nunique()} distinct whole-number values, read "
                f"as {kind}: {task} (--task {other} to override)"
            )
    if task == "regression":
        if not _is_numeric(y):
            raise InputError(
                f"--task regression needs a numeric target, but {target!r} has "
                f"values such as {_show(y.iloc[0])} that are not numbers"
            )
        y = y.astype(float)
    else:
        y = _as_labels(y)
    _check_folds(y, target, task, cv)

    X = _feature_columns(frame.drop(columns=target), target, note, dropped)
    _check_magnitudes(X, y, target, task)
    return X, y, task


def numeric_columns(X):
    """The columns to impute with the median and standardize.

    Parameters
    ----------
    X : pandas.DataFrame

    Returns
    -------
    columns : list
        Numeric columns other than booleans, which are one-hot encoded with
        the text columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from skbp.cli.data import numeric_columns
    >>> numeric_columns(pd.DataFrame({"a": [1.5], "b": [True], "c": ["x"]}))
    ['a']
    """
    return [c for c in X.columns if _is_numeric(X[c]) and X[c].dtype != bool]


def make_preprocessor(X):
    """The preprocessing in front of both networks, for the columns of ``X``.

    Numeric columns: median imputation, then standardization. Categorical
    columns: most frequent value imputation, then one-hot encoding (levels
    unseen in a training fold encode as all zeros).

    Parameters
    ----------
    X : pandas.DataFrame
        Features, as returned by :func:`prepare_data`.

    Returns
    -------
    preprocessor : ColumnTransformer
        Unfitted.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skbp.cli.data import make_preprocessor
    >>> X = pd.DataFrame({"size": [1.0, np.nan, 3.0], "town": ["Lyon", "Nice", np.nan]})
    >>> make_preprocessor(X).fit_transform(X).round(3).tolist()
    [[-1.225, 1.0, 0.0], [0.0, 0.0, 1.0], [1.225, 1.0, 0.0]]
    """
    numeric = numeric_columns(X)
    categorical = [c for c in X.columns if c not in numeric]
    columns = []
    if numeric:
        scale = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        columns.append(("numeric", scale, numeric))
    if categorical:
        encode = make_pipeline(
            SimpleImputer(strategy="most_frequent"),
            # Dense output: the networks' matrix products want dense arrays.
            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
        )
        columns.append(("categorical", encode, categorical))
    return ColumnTransformer(columns)


def _is_numeric(column):
    return pd.api.types.is_numeric_dtype(column)


def _target_type(y):
    # scikit-learn tells whole numbers by casting to int64, which numpy
    # warns about for values past 2**63; they are not labels either way.
    with np.errstate(invalid="ignore"):
        return type_of_target(y.to_numpy())


def _check_magnitudes(X, y, target, task):
    """Raise InputError for numbers too large to standardize in float64.

    StandardScaler sums the squares of the deviations from the mean: past
    about sqrt(max / (4 n)) they overflow, numpy warns, and the column comes
    out NaN, which the networks then refuse as missing values.
    """
    n = len(y)
    limit = float(np.sqrt(np.finfo(np.float64).max / (4 * n)))
    columns = [(c, X[c]) for c in numeric_columns(X)]
    if task == "regression":
        columns.append((target, y))
    for column, values in columns:
        largest = float(np.nanmax(np.abs(values.to_numpy(dtype=float)), initial=0))
        if largest > limit:
            what = (
                f"target column {column!r}"
                if column == target
                else f"column {column!r}"
            )
            fix = (
                "divide it by a power of ten first"
                if column == target
                else f"divide it by a power of ten, or leave it out with "
                f"--drop {_shell(column)}"
            )
            raise InputError(
                f"{what} has values as large as {largest:.3g}: standardizing "
                f"sums their squares, which can overflow float64 past about "
                f"{limit:.3g} for {n} rows; {fix}"
            )


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
    """Raise InputError if ``cv`` folds cannot be made of these rows."""
    if task == "regression":
        # Two test rows per fold at least: R² is undefined on one.
        if len(y) < 2 * cv:
            usable = len(y) // 2
            fix = f"use --cv {usable} or fewer" if usable >= 2 else "add rows"
            raise InputError(
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
    raise InputError(
        f"class {_show(label)} of {target!r} ({len(counts)} classes in {len(y)} "
        f"rows) has only {smallest} {rows}, fewer than the {cv} folds of "
        f"stratified cross-validation: {fix}"
    )


def _feature_columns(X, target, note, dropped=()):
    """Drop columns no model can use and give categorical ones object dtype."""
    for column in list(X.columns):
        if X[column].isna().all():
            note(f"dropped column {column!r}: it has no values")
            X = X.drop(columns=column)
    if X.shape[1] == 0:
        if dropped:
            raise InputError(
                "no feature columns: every column but the target "
                f"{target!r} is dropped or has no values"
            )
        raise InputError(
            f"no feature columns: {target!r} is the only column with values"
        )
    numeric = numeric_columns(X)
    for column in X.columns:
        values = X[column]
        if column in numeric:
            # Whole numbers that all differ number the rows: standardized,
            # they tell the networks where a row sits in the file, which in
            # a file sorted by the target predicts it. Floats are left
            # alone: measurements all differ as a rule.
            n = len(values)
            if (
                pd.api.types.is_integer_dtype(values)
                and n >= MIN_IDENTIFIER_ROWS
                and values.nunique() == n
            ):
                note(
                    f"column {column!r} has {n} distinct whole numbers in {n} "
                    "rows, like an identifier; if it is one, leave it out with "
                    f"--drop {_shell(column)}, or the networks learn from the "
                    "order the rows were numbered in"
                )
            continue
        X[column] = values.astype(object).where(values.notna(), np.nan)
        n_levels = values.nunique()
        # A date or an identifier: one input per row, which slows every fit
        # and predicts nothing about rows unseen. Smaller tables are left in
        # peace: a few distinct names in a dozen rows may well be a feature.
        if n_levels > MAX_LEVELS or (
            n_levels >= MIN_IDENTIFIER_ROWS and n_levels > len(values) / 2
        ):
            note(
                f"column {column!r} has {n_levels} distinct values in {len(values)} "
                "rows, one input each once one-hot encoded; if it is an identifier "
                f"or a date, leave it out with --drop {_shell(column)}"
            )
    return X


def _columns_to_drop(frame, drop, target):
    """The columns that ``--drop`` names, checked: all present, none the target."""
    columns = [str(c) for c in frame.columns]
    names = []
    for text in drop:
        # A name with a comma in it is still one name.
        for name in [text] if text in columns else text.split(","):
            name = name.strip() if name.strip() in columns else name
            if name and name not in names:
                names.append(name)
    unknown = [name for name in names if name not in columns]
    if len(unknown) == 1:
        raise InputError("--drop: " + _missing_column_message(frame, unknown[0]))
    if unknown:
        hints = []
        for name in unknown:
            close = _close_columns(columns, name)
            hints.append(
                f"{name!r} (did you mean {' or '.join(map(repr, close))}?)"
                if close
                else repr(name)
            )
        shown = ", ".join(map(repr, columns[:12]))
        more = f" and {len(columns) - 12} more" if len(columns) > 12 else ""
        raise InputError(
            f"--drop: no columns {', '.join(hints)} in the CSV file; its columns "
            f"are {shown}{more}"
        )
    if target in names:
        raise InputError(
            f"--drop {_shell(target)}: {target!r} is the target column, the one "
            "to predict; it cannot be dropped"
        )
    return [frame.columns[columns.index(name)] for name in names]


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
    close = _close_columns(columns, target)
    if close:
        return f"{message}; did you mean {' or '.join(map(repr, close))}?"
    shown = ", ".join(map(repr, columns[:12]))
    more = f" and {len(columns) - 12} more" if len(columns) > 12 else ""
    return f"{message}; its columns are {shown}{more}"


def _close_columns(columns, name):
    """Up to three column names that ``name`` may be a misspelling of."""
    by_case = {c.strip().lower(): c for c in columns}
    if name.strip().lower() in by_case:
        return [by_case[name.strip().lower()]]
    return difflib.get_close_matches(name, columns, n=3)


def _shell(name):
    """A column name as it would be typed after ``--drop`` in a shell."""
    return shlex.quote(str(name))


def _show(value):
    """repr of a value without numpy's ``np.int64(...)`` wrapping."""
    return repr(value.item() if isinstance(value, np.generic) else value)

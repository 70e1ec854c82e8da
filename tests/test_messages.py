"""Errors and warnings say what to do, after scikit-learn's own text.

Each message is checked to start with what scikit-learn's MLP says for the
same input (so code matching it keeps working), to name what is wrong (the
column, y) and what to use instead, and the rejected call to leave a fitted
model exactly as it was. The added advice must change no number.
"""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor, _messages, _training
from skbp.cli.engine import cross_validate_models
from skbp.exceptions import TargetScaleWarning

rng = np.random.default_rng(0)
N = 60
ISLANDS = np.array(["Torgersen", "Biscoe", "Dream"])[np.arange(N) % 3]
SEXES = np.array(["male", "female"])[np.arange(N) % 2]
NUMBERS = rng.standard_normal((N, 2))
LABELS = np.array(["Adelie", "Gentoo"])[np.arange(N) % 2]
TARGET = NUMBERS @ np.array([1.0, -0.5]) + 0.1 * rng.standard_normal(N)

MAX_ITER_TEXT = (
    "Stochastic Optimizer: Maximum iterations (5) reached and the "
    "optimization hasn't converged yet."
)


def _frame(**text_columns):
    frame = pd.DataFrame(NUMBERS, columns=["bill_length", "bill_depth"])
    return frame.assign(**text_columns)


def _state(est):
    """Everything a fit may change (not the constructor parameters)."""
    skip = set(est.get_params(deep=False))
    return pickle.dumps({k: v for k, v in vars(est).items() if k not in skip})


def _fitted(Est, X=None):
    X = NUMBERS if X is None else X
    y = LABELS if Est is BackpropClassifier else TARGET
    est = Est(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _error(call, *args, **kwargs):
    with pytest.raises(ValueError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value


def _sklearn_message(call, *args, **kwargs):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        call(*args, **kwargs)
    return str(excinfo.value)


# --- a text column in X -------------------------------------------------------
@pytest.mark.parametrize(
    "ours, theirs, y",
    [
        (BackpropClassifier, MLPClassifier, LABELS),
        (BackpropRegressor, MLPRegressor, TARGET),
    ],
)
@pytest.mark.parametrize("dtype", [object, "category", "string"])
def test_text_column_is_named_with_its_value_and_the_encoder_to_use(
    ours, theirs, y, dtype
):
    X = _frame(island=pd.Series(ISLANDS, dtype=dtype))
    error = _error(ours(max_iter=5).fit, X, y)
    message = str(error)
    assert message.startswith(_sklearn_message(theirs(max_iter=5).fit, X, y))
    assert message.startswith("could not convert string to float: 'Torgersen'")
    assert "Column 'island' of X holds text ('Torgersen')" in message
    assert "sklearn.preprocessing.OneHotEncoder" in message
    assert "sklearn.compose.ColumnTransformer" in message
    assert f"['island']), remainder=StandardScaler()), {ours.__name__}())" in message
    # The original error is kept as the cause, for tracebacks.
    assert isinstance(error.__cause__, ValueError)
    assert str(error.__cause__) == "could not convert string to float: 'Torgersen'"


def test_every_text_column_goes_into_the_suggested_encoder():
    X = _frame(island=ISLANDS, sex=SEXES)
    message = str(_error(BackpropClassifier(max_iter=5).fit, X, LABELS))
    assert "Column 'island' of X" in message
    assert "(OneHotEncoder(handle_unknown='ignore'), ['island', 'sex'])" in message


def test_text_column_after_missing_values_names_the_text_not_the_gap():
    islands = pd.Series(ISLANDS, dtype=object)
    islands[:4] = None
    X = _frame(island=islands)
    message = str(_error(BackpropRegressor(max_iter=5).fit, X, TARGET))
    assert re.search(r"Column 'island' of X holds text \('(Biscoe|Dream)'\)", message)


def test_text_in_an_array_names_the_column_by_position():
    X = np.column_stack([NUMBERS[:, 0].astype(str), ISLANDS])
    message = str(_error(BackpropRegressor(max_iter=5).fit, X, TARGET))
    assert message.startswith("could not convert string to float")
    assert "Column 1 of X holds text ('Torgersen')" in message
    assert "OneHotEncoder(handle_unknown='ignore'), [1])" in message


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
@pytest.mark.parametrize("method", ["predict", "partial_fit", "fit"])
def test_text_column_at_a_later_call_is_named_and_the_model_is_unchanged(Est, method):
    X = _frame()
    est = _fitted(Est, X)
    before = _state(est)
    bad = X.assign(bill_depth=ISLANDS)
    args = (
        (bad,)
        if method == "predict"
        else (bad, LABELS if Est is BackpropClassifier else TARGET)
    )
    message = str(_error(getattr(est, method), *args))
    assert message.startswith("could not convert string to float: 'Torgersen'")
    assert "Column 'bill_depth' of X holds text" in message
    assert _state(est) == before


# --- NaN and infinity in y ----------------------------------------------------
def _with_gaps(values, rows, gap=np.nan):
    # A copy: before pandas 3 (copy-on-write) a float Series would share
    # the module's array and write the gaps into it.
    values = pd.Series(
        values, dtype=object if values.dtype.kind in "OU" else float, copy=True
    )
    values[list(rows)] = gap
    return values


@pytest.mark.parametrize(
    "ours, theirs, y, gap, sklearn_start",
    [
        (BackpropRegressor, MLPRegressor, TARGET, np.nan, "Input y contains NaN"),
        (BackpropRegressor, MLPRegressor, TARGET, np.inf, "Input y contains infinity"),
        (BackpropClassifier, MLPClassifier, LABELS, np.nan, "Input contains NaN"),
        (
            BackpropClassifier,
            MLPClassifier,
            np.arange(N) % 2,
            np.nan,
            "Input y contains NaN",
        ),
    ],
    ids=[
        "regressor-nan",
        "regressor-inf",
        "labels-nan",
        "numeric-labels",
    ],
)
def test_missing_target_says_it_is_y_which_rows_and_what_to_do(
    ours, theirs, y, gap, sklearn_start
):
    y = _with_gaps(y, [3, 17], gap)
    est = _fitted(ours)
    before = _state(est)
    message = str(_error(est.fit, NUMBERS, y))
    theirs_message = _sklearn_message(theirs(max_iter=5).fit, NUMBERS, y)
    assert theirs_message.startswith(sklearn_start)
    assert message.startswith(theirs_message.rstrip("."))
    assert (
        "y, the target, is NaN, infinite or missing in 2 rows (positions 3, 17)"
        in message
    )
    assert "drop those rows from both X and y" in message
    assert "fill the missing targets in" in message
    assert _state(est) == before


def test_none_among_labels_is_a_missing_label_where_sklearn_fails_to_sort():
    y = _with_gaps(LABELS, [3], None)
    with pytest.raises(TypeError, match="not supported between"):
        MLPClassifier(max_iter=5).fit(NUMBERS, y)
    message = str(_error(BackpropClassifier(max_iter=5).fit, NUMBERS, y))
    assert message.startswith("Input y contains NaN. y, the target, is NaN")
    assert "1 row (position 3)" in message


def test_many_missing_targets_are_counted_and_the_first_listed():
    y = _with_gaps(TARGET, range(0, N, 2))
    message = str(_error(BackpropRegressor(max_iter=5).fit, NUMBERS, y))
    assert "in 30 rows (positions 0, 2, 4, 6, 8, ...)" in message


@pytest.mark.parametrize("call", ["partial_fit", "trace_step"])
def test_missing_labels_in_partial_fit_say_it_is_y_where_sklearn_fails_to_sort(call):
    y = _with_gaps(LABELS, [5])
    # scikit-learn's MLPClassifier.partial_fit fails while sorting the labels.
    with pytest.raises(TypeError, match="not supported between"):
        MLPClassifier().partial_fit(NUMBERS, y, classes=["Adelie", "Gentoo"])
    est = BackpropClassifier(solver="sgd", random_state=0)
    message = str(_error(getattr(est, call), NUMBERS, y, classes=["Adelie", "Gentoo"]))
    assert message.startswith("Input y contains NaN. y, the target, is NaN")
    assert "1 row (position 5)" in message
    assert not hasattr(est, "coefs_")


@pytest.mark.parametrize("call", ["partial_fit", "trace_step"])
def test_nan_among_the_classes_is_named_without_a_runtime_warning(call):
    classes = [0.0, 1.0, np.nan]
    y = np.arange(N) % 2
    # scikit-learn casts the classes to int before it refuses the NaN: numpy
    # warns about the cast, then it says only "Input contains NaN."
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        theirs = _sklearn_message(
            MLPClassifier().partial_fit, NUMBERS, y, classes=classes
        )
    assert [w.category for w in caught] == [RuntimeWarning]
    est = BackpropClassifier(solver="sgd", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = str(_error(getattr(est, call), NUMBERS, y, classes=classes))
    assert message.startswith(theirs)
    assert "classes, all the labels of the problem, holds NaN" in message
    assert "at position 2" in message
    assert not hasattr(est, "classes_")


def test_missing_values_in_x_keep_sklearns_message_exactly():
    X = NUMBERS.copy()
    X[4, 1] = np.nan
    ours = str(_error(BackpropRegressor(max_iter=5).fit, X, TARGET))
    theirs = _sklearn_message(MLPRegressor(max_iter=5).fit, X, TARGET)
    assert ours == theirs.replace("MLPRegressor", "BackpropRegressor")


# --- text as a regression target ---------------------------------------------
@pytest.mark.parametrize(
    "y",
    [
        LABELS,
        pd.Series(LABELS),
        pd.Series(LABELS, dtype="category"),
        pd.Series(LABELS, dtype="string"),
    ],
    ids=["array", "object-series", "category", "string"],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_text_target_for_the_regressor_points_to_the_classifier(y, method):
    est = _fitted(BackpropRegressor)
    before = _state(est)
    message = str(_error(getattr(est, method), NUMBERS, y))
    assert re.match(
        r"could not convert string to float: (np\.str_\()?'Adelie'", message
    )
    assert "y holds text ('Adelie'), and a regressor needs numbers" in message
    assert "use BackpropClassifier" in message
    assert _state(est) == before


def test_text_target_matches_sklearns_message_where_sklearn_gives_one():
    y = pd.Series(LABELS)
    ours = str(_error(BackpropRegressor(max_iter=5).fit, NUMBERS, y))
    assert ours.startswith(_sklearn_message(MLPRegressor(max_iter=5).fit, NUMBERS, y))


def test_text_target_with_poisson_loss_is_a_valueerror_naming_y():
    est = BackpropRegressor(loss="poisson", max_iter=5)
    assert "y holds text" in str(_error(est.fit, NUMBERS, LABELS))


def test_numbers_written_as_text_are_still_a_valid_regression_target():
    def fit(y):
        est = BackpropRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return est.fit(NUMBERS, y)

    as_text, as_numbers = fit(TARGET.astype(str)), fit(TARGET.astype(str).astype(float))
    for p, q in zip(as_text.coefs_, as_numbers.coefs_):
        np.testing.assert_array_equal(p, q)


# --- a target out of the output units' reach ---------------------------------
def _grams(n=342, seed=0):
    """Penguin-like data: standardised measurements, body mass in grams."""
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, 4))
    signal = X @ np.array([0.6, -0.3, 0.5, 0.2])
    y = 4200 + 800 * (0.9 * signal / signal.std() + 0.35 * r.standard_normal(n))
    return X, y


def _warnings_of(call, *args, category=ConvergenceWarning):
    return [m for c, m in _caught(call, *args) if issubclass(c, category)]


def _caught(call, *args):
    """(category, message) of each ConvergenceWarning and TargetScaleWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(*args)
    return [
        (w.category, str(w.message))
        for w in caught
        if issubclass(w.category, (ConvergenceWarning, TargetScaleWarning))
    ]


ADVICE = re.compile(
    r"y has values around 4\.2e\+03 \(std [78]\.\de\+02\), far from what the "
    r"output units reach from their starting weights \(about ±1\): wrap the "
    r"regressor in sklearn\.compose\.TransformedTargetRegressor\(regressor=\.\.\., "
    r"transformer=StandardScaler\(\)\)\.$"
)


def test_unscaled_target_scores_badly_and_the_transformed_target_well():
    X, y = _grams()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", TargetScaleWarning)
        plain = cross_val_score(BackpropRegressor(random_state=0), X, y, cv=5)
        scaled = cross_val_score(
            TransformedTargetRegressor(
                BackpropRegressor(random_state=0), transformer=StandardScaler()
            ),
            X,
            y,
            cv=5,
        )
    assert plain.mean() < 0
    assert scaled.mean() > 0.8


@pytest.mark.parametrize(
    "params, start",
    [
        ({}, "Stochastic Optimizer: Maximum iterations (200) reached"),
        ({"early_stopping": True}, "Stochastic Optimizer: Maximum iterations (200)"),
        ({"solver": "lbfgs"}, "lbfgs failed to converge after 200 iteration(s)"),
    ],
    ids=["adam", "early-stopping", "lbfgs"],
)
def test_an_unscaled_target_gets_a_target_scale_warning_naming_the_fix(params, start):
    # The ConvergenceWarning says what scikit-learn's says; the advice comes
    # on its own, as a TargetScaleWarning.
    X, y = _grams()
    caught = _caught(BackpropRegressor(random_state=0, **params).fit, X, y)
    assert [c for c, _ in caught] == [ConvergenceWarning, TargetScaleWarning]
    assert caught[0][1].startswith(start)
    assert "TransformedTargetRegressor" not in caught[0][1]
    assert ADVICE.fullmatch(caught[1][1])


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_the_target_advice_is_seen_with_convergence_warnings_silenced(solver):
    # Before: the advice was part of the ConvergenceWarning, which scripts,
    # skbp's demo and CLI and many users silence.
    X, y = _grams()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        BackpropRegressor(solver=solver, max_iter=20, random_state=0).fit(X, y)
    assert [w.category for w in caught] == [TargetScaleWarning]
    assert ADVICE.fullmatch(str(caught[0].message))
    # It points at the user's call, as scikit-learn's warnings do.
    assert caught[0].filename == __file__


def test_the_cli_comparison_silences_convergence_but_not_the_target_advice():
    # skbp compare fits under a ConvergenceWarning filter (tiny max_iter is
    # normal there); the target advice goes through it. Its own regressors
    # standardise y, so the advice only shows for a model given unscaled.
    X, y = _grams(n=120)
    net = Pipeline([("preprocess", StandardScaler()), ("net", BackpropRegressor())])
    models = {"BackpropRegressor": net.set_params(net__max_iter=5)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cross_validate_models(models, X, y, "regression", cv=2)
    assert {w.category for w in caught} == {TargetScaleWarning}
    assert len(caught) == 2  # one per fold


def test_an_early_stop_on_an_unscaled_target_warns_and_names_the_fix():
    # sgd stops through n_iter_no_change long before max_iter on grams: that
    # stop is silent on well-scaled data, and must not be on this target.
    X, y = _grams()
    est = BackpropRegressor(solver="sgd", random_state=0)
    ((category, message),) = _caught(est.fit, X, y)
    assert est.n_iter_ < est.max_iter
    assert category is TargetScaleWarning
    assert message.startswith(
        f"Training stopped after {est.n_iter_} epochs without converging: the "
        "loss stopped improving. y has values around 4.2e+03"
    )
    assert "TransformedTargetRegressor(regressor=..., " in message
    # An early stop on the standardised target stays silent.
    scaled = (y - y.mean()) / y.std()
    quiet = BackpropRegressor(solver="sgd", learning_rate_init=0.01, random_state=0)
    assert _caught(quiet.fit, X, scaled) == []
    assert quiet.n_iter_ < quiet.max_iter


def test_logistic_output_on_a_target_outside_0_1_suggests_minmax_scaling():
    X, y = _grams()
    est = BackpropRegressor(out_activation="logistic", max_iter=5, random_state=0)
    assert _warnings_of(est.fit, X, y) == [MAX_ITER_TEXT]
    (message,) = _warnings_of(est.fit, X, y, category=TargetScaleWarning)
    assert "outside [0, 1], the range of the logistic output units" in message
    assert "transformer=MinMaxScaler())" in message


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_well_scaled_target_keeps_the_warning_word_for_word(solver):
    X, y = make_regression(200, 5, noise=1.0, random_state=0)
    y = (y - y.mean()) / y.std()
    est = BackpropRegressor(solver=solver, max_iter=5, random_state=0)
    (message,) = _warnings_of(est.fit, X, y)
    if solver == "adam":
        assert message == MAX_ITER_TEXT
    else:
        assert message.startswith("lbfgs failed to converge after 5 iteration(s)")
        assert message.endswith("Increase max_iter or max_fun, or scale the data.")


def test_the_classifier_warning_is_unchanged():
    est = BackpropClassifier(max_iter=5, random_state=0)
    assert _warnings_of(est.fit, NUMBERS, LABELS) == [MAX_ITER_TEXT]


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_the_advice_changes_no_number(solver, monkeypatch):
    X, y = _grams()

    def fit():
        est = BackpropRegressor(solver=solver, max_iter=30, random_state=0)
        assert len(_warnings_of(est.fit, X, y)) == 1
        return est

    advised = fit()
    monkeypatch.setattr(_training._messages, "target_scale_advice", lambda *a: "")
    plain = fit()
    for p, q in zip(
        advised.coefs_ + advised.intercepts_, plain.coefs_ + plain.intercepts_
    ):
        np.testing.assert_array_equal(p, q)
    assert advised.loss_ == plain.loss_ and advised.n_iter_ == plain.n_iter_


# The criterion itself, on the boundaries its documentation states.
@pytest.mark.parametrize(
    "y, out, advised",
    [
        (np.linspace(-1, 1, 50), "identity", False),
        (1e-2 * np.linspace(-1, 1, 50), "identity", False),
        (100 * np.linspace(-1.6, 1.6, 50), "identity", False),  # std 94
        (100 * np.linspace(-1.8, 1.8, 50), "identity", True),  # std 106
        (99 + np.linspace(-1, 1, 50), "identity", False),  # |mean| < 100
        (101 + np.linspace(-1, 1, 50), "identity", True),  # |mean| > 100
        (np.linspace(0, 1, 50), "logistic", False),
        (np.linspace(0, 1.01, 50), "logistic", True),
        (np.linspace(-1, 1, 50), "tanh", False),
        (np.linspace(-1.01, 1, 50), "tanh", True),
        (np.linspace(0, 50, 50), "relu", False),
        (np.linspace(-1, 1, 50), "relu", True),
        (np.linspace(0, 1e5, 50), "exp", False),
    ],
)
def test_scale_criterion(y, out, advised):
    assert bool(_messages.target_scale_advice(y.reshape(-1, 1), out)) is advised


def test_scale_criterion_names_the_column_of_a_multi_output_target():
    y = np.column_stack([np.linspace(-1, 1, 50), 4200 + np.linspace(-800, 800, 50)])
    advice = _messages.target_scale_advice(y, "identity")
    assert advice.startswith("y's column 1 has values around 4.2e+03")

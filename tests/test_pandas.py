"""pandas in and out: DataFrames and Series as data, feature names kept and
checked as scikit-learn does, and the training records as DataFrames."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor
from skbp._trace import StepTrace

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

COLUMNS = ["age", "height", "weight", "income", "score"]
PARAMS = dict(hidden_layer_sizes=(4,), max_iter=10, random_state=0)


@pytest.fixture(scope="module")
def frame():
    X, y = make_classification(60, len(COLUMNS), n_informative=3, random_state=0)
    return pd.DataFrame(X, columns=COLUMNS), pd.Series(y, name="label")


def _messages(fn):
    """The warnings ``fn()`` raises, as (category, message) pairs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        fn()
    return [(w.category, str(w.message)) for w in caught]


# --- feature names ----------------------------------------------------------
@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_fit_on_dataframe_sets_feature_names_and_count(Est, frame):
    X, y = frame
    est = Est(**PARAMS).fit(X, y)
    assert est.n_features_in_ == len(COLUMNS)
    np.testing.assert_array_equal(est.feature_names_in_, COLUMNS)
    assert est.feature_names_in_.dtype == object


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_fit_on_array_sets_no_feature_names(Est, frame):
    X, y = frame
    est = Est(**PARAMS).fit(X.to_numpy(), y.to_numpy())
    assert est.n_features_in_ == len(COLUMNS)
    assert not hasattr(est, "feature_names_in_")


def test_non_string_column_names_are_not_kept_as_sklearn_does(frame):
    X, y = frame
    X = X.set_axis(range(len(COLUMNS)), axis=1)
    ours = BackpropClassifier(**PARAMS).fit(X, y)
    theirs = MLPClassifier(**PARAMS).fit(X, y)
    assert not hasattr(ours, "feature_names_in_")
    assert not hasattr(theirs, "feature_names_in_")


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_dataframe_and_array_give_the_same_model_and_predictions(Est, frame):
    X, y = frame
    from_frame = Est(**PARAMS).fit(X, y)
    from_array = Est(**PARAMS).fit(X.to_numpy(), y.to_numpy())
    for a, b in zip(from_frame.coefs_, from_array.coefs_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        from_frame.predict(X), from_array.predict(X.to_numpy())
    )
    if Est is BackpropClassifier:
        np.testing.assert_array_equal(
            from_frame.predict_proba(X), from_array.predict_proba(X.to_numpy())
        )
    assert from_frame.score(X, y) == from_array.score(X.to_numpy(), y.to_numpy())


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda X: X[COLUMNS[::-1]], "must be in the same order"),
        (lambda X: X.rename(columns={"age": "years"}), "unseen at fit time"),
        (lambda X: X.drop(columns="score"), "missing"),
    ],
    ids=["reordered", "renamed", "dropped"],
)
@pytest.mark.parametrize(
    "ours, theirs",
    [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)],
)
def test_changed_columns_raise_sklearns_error(ours, theirs, change, match, frame):
    X, y = frame
    errors = {}
    for Est in (ours, theirs):
        est = Est(**PARAMS).fit(X, y)
        with pytest.raises(ValueError, match=match) as excinfo:
            est.predict(change(X))
        errors[Est] = str(excinfo.value)
    assert errors[ours] == errors[theirs]


def test_partial_fit_checks_feature_names_too(frame):
    X, y = frame
    est = BackpropClassifier(**PARAMS).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="must be in the same order"):
        est.partial_fit(X[COLUMNS[::-1]], y)
    np.testing.assert_array_equal(est.feature_names_in_, COLUMNS)


@pytest.mark.parametrize(
    "fit_on_frame, expected",
    [
        (True, "X does not have valid feature names, but {} was fitted with"),
        (False, "X has feature names, but {} was fitted without feature names"),
    ],
    ids=["frame-then-array", "array-then-frame"],
)
@pytest.mark.parametrize(
    "ours, theirs",
    [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)],
)
def test_mixing_frames_and_arrays_warns_as_sklearn_does(
    ours, theirs, fit_on_frame, expected, frame
):
    X, y = frame
    fit_X, predict_X = (X, X.to_numpy()) if fit_on_frame else (X.to_numpy(), X)
    caught = {}
    for Est in (ours, theirs):
        est = Est(**PARAMS).fit(fit_X, y)
        caught[Est] = _messages(lambda est=est: est.predict(predict_X))
    assert len(caught[ours]) == 1
    category, message = caught[ours][0]
    assert category is UserWarning
    assert message.startswith(expected.format(ours.__name__))
    assert caught[ours] == [
        (c, m.replace(theirs.__name__, ours.__name__)) for c, m in caught[theirs]
    ]


def test_matching_frame_predicts_without_warning(frame):
    X, y = frame
    est = BackpropClassifier(**PARAMS).fit(X, y)
    assert _messages(lambda: est.predict(X)) == []


# --- targets ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", [object, "category", "string"])
def test_label_series_gives_the_labels_as_classes(dtype, frame):
    X, y = frame
    labels = pd.Series(np.array(["no", "yes"])[y], dtype=dtype)
    ours = BackpropClassifier(**PARAMS).fit(X, labels)
    theirs = MLPClassifier(**PARAMS).fit(X, labels)
    np.testing.assert_array_equal(ours.classes_, ["no", "yes"])
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert set(ours.predict(X)) <= {"no", "yes"}
    numeric = BackpropClassifier(**PARAMS).fit(X, y)
    np.testing.assert_array_equal(
        ours.predict(X), np.array(["no", "yes"])[numeric.predict(X)]
    )


def test_multiclass_categorical_labels_keep_their_sorted_order(frame):
    X, _ = frame
    labels = pd.Categorical(
        np.tile(["red", "green", "blue"], 20), categories=["red", "green", "blue"]
    )
    est = BackpropClassifier(**PARAMS).fit(X, labels)
    np.testing.assert_array_equal(est.classes_, ["blue", "green", "red"])
    assert est.predict_proba(X).shape == (60, 3)


def test_regressor_with_two_column_dataframe_target_is_multi_output():
    X, Y = make_regression(60, len(COLUMNS), n_targets=2, random_state=0)
    X = pd.DataFrame(X, columns=COLUMNS)
    Y = pd.DataFrame(Y / Y.std(axis=0), columns=["price", "volume"])
    est = BackpropRegressor(**PARAMS).fit(X, Y)
    assert est.n_outputs_ == 2
    prediction = est.predict(X)
    assert isinstance(prediction, np.ndarray) and prediction.shape == (60, 2)
    from_arrays = BackpropRegressor(**PARAMS).fit(X.to_numpy(), Y.to_numpy())
    np.testing.assert_array_equal(prediction, from_arrays.predict(X.to_numpy()))


@pytest.mark.parametrize(
    "x_dtype, y_dtype", [("Float64", "Int64"), ("Int64", "Int64"), ("Float64", None)]
)
def test_nullable_dtypes_without_missing_values_are_accepted(x_dtype, y_dtype, frame):
    X, y = frame
    X_nullable = (X.round(0) if x_dtype == "Int64" else X).astype(x_dtype)
    y_nullable = y if y_dtype is None else y.astype(y_dtype)
    ours = BackpropClassifier(**PARAMS).fit(X_nullable, y_nullable)
    theirs = MLPClassifier(**PARAMS).fit(X_nullable, y_nullable)
    X_plain = X_nullable.to_numpy(dtype=float)
    plain = BackpropClassifier(**PARAMS).fit(X_plain, y.to_numpy())
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.classes_, [0, 1])
    assert ours.coefs_[0].dtype == np.float64
    np.testing.assert_array_equal(ours.coefs_[0], plain.coefs_[0])
    np.testing.assert_array_equal(
        ours.predict_proba(X_nullable), plain.predict_proba(X_plain)
    )


def test_nullable_regression_target_is_accepted(frame):
    X, _ = frame
    y = pd.Series(X["age"] * 2.0, dtype="Float64")
    est = BackpropRegressor(**PARAMS).fit(X.astype("Float64"), y)
    plain = BackpropRegressor(**PARAMS).fit(X.to_numpy(), y.to_numpy(dtype=float))
    np.testing.assert_array_equal(est.predict(X), plain.predict(X.to_numpy()))


@pytest.mark.parametrize(
    "ours, theirs",
    [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)],
)
def test_missing_values_in_nullable_columns_are_rejected_as_sklearn_does(
    ours, theirs, frame
):
    X, y = frame
    X = X.astype("Float64")
    X.iloc[3, 1] = pd.NA
    messages = []
    for Est in (ours, theirs):
        with pytest.raises(ValueError, match="NaN") as excinfo:
            Est(**PARAMS).fit(X, y)
        messages.append(str(excinfo.value).replace(Est.__name__, "Est"))
    assert messages[0] == messages[1]


# --- records as DataFrames --------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_history_is_a_dataframe_with_one_row_per_epoch(solver, frame):
    X, y = frame
    est = BackpropClassifier(**PARAMS, solver=solver).fit(X, y)
    history = est.history_
    assert isinstance(history, pd.DataFrame)
    assert len(history) == est.n_iter_ == len(est.loss_curve_)
    assert history["epoch"].tolist() == list(range(1, est.n_iter_ + 1))
    assert list(history.columns[:6]) == [
        "epoch",
        "loss",
        "validation_score",
        "validation_loss",
        "learning_rate",
        "seconds",
    ]
    assert list(history.columns[6:]) == ["grad_norm_1", "grad_norm_2"]
    np.testing.assert_array_equal(history["loss"], est.loss_curve_)
    assert all(history[c].dtype == np.float64 for c in history.columns[1:])


def test_history_is_a_fresh_frame_each_time(frame):
    # Changing the returned frame must not change the model's record.
    X, y = frame
    est = BackpropClassifier(**PARAMS).fit(X, y)
    history = est.history_
    history.loc[0, "loss"] = -1.0
    assert est.history_.loc[0, "loss"] == est.loss_curve_[0]


def test_trace_step_tables_are_dataframes_and_accept_pandas_input(frame):
    X, y = frame
    est = BackpropClassifier(hidden_layer_sizes=(3,), solver="sgd", random_state=0)
    trace = est.trace_step(X.iloc[:5], y.iloc[:5])
    assert isinstance(trace, StepTrace)
    for table, columns in [
        (trace.forward, ["sample", "layer", "unit", "net_input", "output"]),
        (trace.backward, ["sample", "layer", "unit", "delta"]),
        (
            trace.updates,
            [
                "layer",
                "kind",
                "from_unit",
                "to_unit",
                "old_weight",
                "gradient",
                "new_weight",
            ],
        ),
    ]:
        assert isinstance(table, pd.DataFrame)
        assert list(table.columns) == columns
    # 5 samples x (3 hidden + 1 output) units; 5*3 + 3*1 weights + 4 biases.
    assert len(trace.forward) == len(trace.backward) == 5 * 4
    assert len(trace.updates) == 5 * 3 + 3 * 1 + 3 + 1
    np.testing.assert_array_equal(est.feature_names_in_, COLUMNS)
    assert isinstance(est.history_, pd.DataFrame) and len(est.history_) == 1


# --- set_output ---------------------------------------------------------------
@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_pipeline_with_pandas_output_feeds_named_columns(Est, frame):
    X, y = frame
    pandas_pipe = make_pipeline(StandardScaler(), Est(**PARAMS))
    pandas_pipe.set_output(transform="pandas").fit(X, y)
    numpy_pipe = make_pipeline(StandardScaler(), Est(**PARAMS)).fit(X, y)

    assert isinstance(pandas_pipe[:-1].transform(X), pd.DataFrame)
    np.testing.assert_array_equal(pandas_pipe[-1].feature_names_in_, COLUMNS)
    assert not hasattr(numpy_pipe[-1], "feature_names_in_")
    np.testing.assert_array_equal(pandas_pipe.predict(X), numpy_pipe.predict(X))
    assert _messages(lambda: pandas_pipe.predict(X)) == []
    with pytest.raises(ValueError, match="must be in the same order"):
        pandas_pipe[-1].predict(pandas_pipe[:-1].transform(X)[COLUMNS[::-1]])

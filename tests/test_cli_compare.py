"""``skbp compare``: skbp against sklearn's MLP on a CSV file, and its errors."""

import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from _hang_guard import HANG_GUARD_SECONDS
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skbp.cli import compare, main
from skbp.cli.command import build_parser
from skbp.cli.compare import run_compare
from skbp.cli.data import detect_task, make_preprocessor, prepare_data

# Small and short: the point is the command, not the scores.
FAST = ["--cv", "2", "--max-iter", "5", "--hidden", "4"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def classes_csv(tmp_path):
    """Three classes, a text feature, missing values in features and target."""
    rng = np.random.default_rng(0)
    n = 36
    label = np.repeat(["red", "green", "blue"], n // 3)
    frame = pd.DataFrame(
        {
            "size": rng.normal(size=n) + (label == "red"),
            "shape": rng.choice(["round", "square", None], n),
            "weight": rng.integers(1, 100, n).astype(float),
            "colour": label,
        }
    )
    frame.loc[[1, 5], "size"] = np.nan
    frame.loc[[2], "colour"] = None
    path = tmp_path / "colours.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def quantity_csv(tmp_path):
    """A continuous target and a text feature."""
    rng = np.random.default_rng(1)
    n = 30
    frame = pd.DataFrame(
        {
            "area": rng.uniform(20, 200, n),
            "town": rng.choice(["Lyon", "Nice"], n),
        }
    )
    frame["price"] = 3000 * frame["area"] + rng.normal(0, 1e4, n)
    path = tmp_path / "flats.csv"
    frame.to_csv(path, index=False)
    return path


def table_rows(out, models):
    """{model: the cells after its name} from the printed results table."""
    rows = {}
    for line in out.splitlines():
        name, _, rest = line.partition(" ")
        if name in models:
            rows[name] = rest
    return rows


def scores(cells):
    """Every "mean ± std" pair in a table row, as floats."""
    return [
        (float(mean), float(std))
        for mean, std in re.findall(r"(-?[\d.]+) ± ([\d.]+)", cells)
    ]


def assert_one_error_line(err, *fragments):
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("skbp compare: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def sklearn_scores(path, target, task, cv=2, max_iter=5, hidden_layer_sizes=(4,)):
    """Mean and population std over folds of each score of scikit-learn's MLP.

    Built here from scikit-learn's parts as ``skbp compare`` documents its
    comparison: rows without a target dropped; numeric columns imputed
    (median) and standardized, the others imputed (most frequent) and one-hot
    encoded; a regression target standardized while fitting; shuffled
    (stratified) folds seeded with 0; the MLP's defaults but logistic units.
    """
    frame = pd.read_csv(path).dropna(subset=[target])
    X, y = frame.drop(columns=target), frame[target]
    numeric = X.select_dtypes("number").columns.tolist()
    categorical = [c for c in X.columns if c not in numeric]
    preprocess = ColumnTransformer(
        [
            (
                "n",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            ),
            (
                "c",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                categorical,
            ),
        ]
    )
    params = dict(
        hidden_layer_sizes=hidden_layer_sizes,
        activation="logistic",
        max_iter=max_iter,
        random_state=0,
    )
    if task == "classification":
        model = make_pipeline(preprocess, MLPClassifier(**params))
        folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=0)
        scoring = {"accuracy": "accuracy", "balanced_accuracy": "balanced_accuracy"}
    else:
        model = TransformedTargetRegressor(
            make_pipeline(preprocess, MLPRegressor(**params)),
            transformer=StandardScaler(),
        )
        folds = KFold(n_splits=cv, shuffle=True, random_state=0)
        scoring = {"r2": "r2", "rmse": "neg_root_mean_squared_error"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = cross_validate(model, X, y, cv=folds, scoring=scoring)
    if task == "regression":
        # scikit-learn's scorer is the negated RMSE.
        result["test_rmse"] = -result["test_rmse"]
    return {
        name: (np.mean(result[f"test_{name}"]), np.std(result[f"test_{name}"]))
        for name in scoring
    }


def test_classification_table_has_scikit_learns_scores_for_both_models(
    classes_csv, capsys
):
    status = main(["compare", str(classes_csv), "--target", "colour", *FAST])
    captured = capsys.readouterr()

    assert status == 0
    assert "Classification of 'colour', 3 classes" in captured.out
    rows = table_rows(captured.out, ("BackpropClassifier", "MLPClassifier"))
    assert set(rows) == {"BackpropClassifier", "MLPClassifier"}
    expected = sklearn_scores(classes_csv, "colour", "classification")
    shown = [
        (f"{mean:.4f}", f"{std:.4f}")
        for mean, std in (expected["accuracy"], expected["balanced_accuracy"])
    ]
    # skbp's network starts from scikit-learn's weights and takes its steps,
    # so both rows show scikit-learn's scores.
    for cells in rows.values():
        assert re.findall(r"(-?[\d.]+) ± ([\d.]+)", cells) == shown
    # Progress: one line per fold and model, as each fit ends.
    assert len(re.findall(r"^\[fold \d/2\] ", captured.err, re.MULTILINE)) == 4
    assert "dropped 1 of 36 rows whose 'colour' is missing" in captured.err
    assert "Traceback" not in captured.err


def test_run_compare_returns_one_summary_row_per_model(classes_csv, capsys):
    table = run_compare(
        classes_csv, "colour", cv=3, max_iter=3, hidden_layer_sizes=(3, 2)
    )
    capsys.readouterr()

    assert list(table["model"]) == ["BackpropClassifier", "MLPClassifier"]
    expected = sklearn_scores(classes_csv, "colour", "classification", 3, 3, (3, 2))
    for name, (mean, std) in expected.items():
        np.testing.assert_allclose(table[f"{name}_mean"], mean, rtol=1e-12)
        np.testing.assert_allclose(table[f"{name}_std"], std, rtol=1e-12, atol=1e-15)
    assert (table["n_iter_mean"] == 3).all()
    assert (table["n_folds"] == 3).all()
    assert (table["fit_time_mean"] > 0).all()


def test_regression_table_reports_scikit_learns_r2_and_rmse(quantity_csv, capsys):
    status = main(["compare", str(quantity_csv), "--target", "price", *FAST])
    captured = capsys.readouterr()

    assert status == 0
    assert "Regression of 'price'" in captured.out
    assert "R²" in captured.out and "RMSE" in captured.out
    rows = table_rows(captured.out, ("BackpropRegressor", "MLPRegressor"))
    assert set(rows) == {"BackpropRegressor", "MLPRegressor"}
    expected = sklearn_scores(quantity_csv, "price", "regression")
    for cells in rows.values():
        (r2, r2_std), (rmse, rmse_std) = scores(cells)
        assert (r2, r2_std) == pytest.approx(expected["r2"], abs=0.5e-4)
        # RMSE in the target's units, thousands here: to the unit.
        assert (rmse, rmse_std) == pytest.approx(expected["rmse"], abs=0.5)


def test_task_option_overrides_the_guess(tmp_path, capsys):
    # Whole numbers with few levels: read as classes unless told otherwise.
    rows = "\n".join(f"{i % 7},{i % 3}" for i in range(24))
    path = write_csv(tmp_path / "levels.csv", "x,level\n" + rows + "\n")

    assert main(["compare", str(path), "--target", "level", *FAST]) == 0
    captured = capsys.readouterr()
    assert "BackpropClassifier" in captured.out
    assert "--task regression to override" in captured.err

    argv = ["compare", str(path), "--target", "level", "--task", "regression"]
    assert main(argv + FAST) == 0
    out = capsys.readouterr().out
    assert "BackpropRegressor" in out
    assert "MLPRegressor" in out
    assert "BackpropClassifier" not in out


@pytest.mark.parametrize(
    "values, task",
    [
        (["a", "b", "a"], "classification"),
        ([True, False, True], "classification"),
        ([0, 1, 1], "classification"),
        ([1.0, 2.0, 3.0, 2.0], "classification"),  # whole numbers read as floats
        (list(range(21)), "regression"),  # more than MAX_CLASSES levels
        ([0.5, 1.5, 2.25], "regression"),
    ],
)
def test_detect_task(values, task):
    assert detect_task(pd.Series(values)) == task


def test_plot_writes_a_png_of_the_loss_curves(classes_csv, tmp_path, capsys):
    image = tmp_path / "curves.png"
    argv = ["compare", str(classes_csv), "--target", "colour", "--plot", str(image)]

    assert main(argv + FAST) == 0
    assert f"Loss curves saved to {image}" in capsys.readouterr().out
    assert image.read_bytes().startswith(PNG_MAGIC)


def test_the_index_column_written_by_to_csv_is_not_a_feature(tmp_path, capsys):
    frame = pd.DataFrame({"x": np.arange(12.0) % 5, "y": ["a", "b"] * 6})
    path = tmp_path / "indexed.csv"
    frame.to_csv(path)  # with its index, as a nameless first column

    assert main(["compare", str(path), "--target", "y", *FAST]) == 0
    captured = capsys.readouterr()
    assert "dropped column 'Unnamed: 0'" in captured.err
    assert "1 numeric feature column." in captured.out


def test_sep_backslash_t_reads_a_tab_separated_file(tmp_path, capsys):
    rows = "".join(f"{i}\t{'ab'[i % 2]}\n" for i in range(8))
    path = write_csv(tmp_path / "tabs.tsv", "x\ty\n" + rows)

    argv = ["compare", str(path), "--target", "y", "--sep", "\\t", *FAST]
    assert main(argv) == 0
    assert "Classification of 'y', 2 classes" in capsys.readouterr().out


def test_infinite_values_are_read_as_missing(tmp_path, capsys):
    rows = "".join(
        f"{i},{'inf' if i == 3 else i % 4},{'ab'[i % 2]}\n" for i in range(8)
    )
    path = write_csv(tmp_path / "inf.csv", "x,z,y\n" + rows)

    assert main(["compare", str(path), "--target", "y", *FAST]) == 0
    assert "1 infinite value of 'z' read as missing" in capsys.readouterr().err


# (file name, its content or None for no file, options, what the error names)
BAD_INPUTS = {
    "missing-file": ("absent.csv", None, [], "no such file"),
    "empty-file": ("empty.csv", "", [], "is empty"),
    "ragged-rows": (
        "ragged.csv",
        "a,b,y\n1,2,0\n3,4,1,9\n",
        [],
        "not a well-formed CSV file: expected 3 fields in line 3, saw 4",
    ),
    "unclosed-quote": ("quote.csv", 'a,y\n"1,0\n', [], "not a well-formed CSV"),
    "more-fields-than-header": (
        "extra.csv",
        "a,y\n1,2,0\n3,4,1\n",
        [],
        "more fields than its header has names",
    ),
    "binary-file": (
        "image.csv",
        PNG_MAGIC + bytes(range(256)),
        [],
        "looks like a binary file",
    ),
    "latin-1": (
        "latin1.csv",
        "ville,y\nOrléans,1\n".encode("latin-1"),
        [],
        "--encoding latin-1",
    ),
    "header-only": ("header.csv", "a,y\n", [], "no data rows"),
    "target-misspelt": ("t.csv", "a,Y\n1,x\n", [], "did you mean 'Y'?"),
    "target-absent": ("t.csv", "a,b\n1,x\n", [], "its columns are 'a', 'b'"),
    "semicolons": ("t.csv", "a;y\n1;0\n", [], "pass --sep ';'"),
    "target-empty": ("t.csv", "a,y\n1,\n2,\n", [], "'y' is empty in all 2 rows"),
    "target-constant": ("t.csv", "a,y\n1,k\n2,k\n", [], "same value, 'k', in every"),
    "class-smaller-than-folds": (
        "t.csv",
        "a,y\n" + "1,big\n" * 6 + "2,rare\n2,rare\n",
        ["--cv", "3"],
        "class 'rare' of 'y' (2 classes in 8 rows) has only 2 rows, fewer than "
        "the 3 folds",
    ),
    "too-few-rows-to-regress": (
        "t.csv",
        "a,y\n1,0.5\n2,1.5\n3,2.5\n",
        [],
        "5-fold cross-validation needs at least 10",
    ),
    "text-target-regressed": (
        "t.csv",
        "a,y\n1,x\n2,z\n",
        ["--task", "regression"],
        "needs a numeric target",
    ),
    "no-feature-columns": (
        "t.csv",
        "a,y\n" + ",1\n,2\n" * 5,
        ["--cv", "2"],
        "no feature columns",
    ),
    "unknown-encoding": ("t.csv", "a,y\n1,2\n", ["--encoding", "klingon"], "klingon"),
    "plot-format": ("t.csv", "a,y\n1,2\n", ["--plot", "loss.jpg2"], "'.jpg2'"),
    "plot-folder": ("t.csv", "a,y\n1,2\n", ["--plot", "no/dir/l.png"], "does not"),
    "drop-misspelt": (
        "t.csv",
        "age,town,y\n1,x,a\n",
        ["--drop", "Town"],
        "--drop: no column 'Town' in the CSV file; did you mean 'town'?",
    ),
    "drop-absent": (
        "t.csv",
        "age,town,y\n1,x,a\n",
        ["--drop", "zzz"],
        "--drop: no column 'zzz' in the CSV file; its columns are 'age', 'town', 'y'",
    ),
    "drop-several-absent": (
        "t.csv",
        "age,town,y\n1,x,a\n",
        ["--drop", "ag,town", "--drop", "tonw"],
        "no columns 'ag' (did you mean 'age'?), 'tonw' (did you mean 'town'?)",
    ),
    "drop-target": (
        "t.csv",
        "age,town,y\n1,x,a\n",
        ["--drop", "town,y"],
        "--drop y: 'y' is the target column",
    ),
    "feature-too-large-to-standardize": (
        "t.csv",
        "a,y\n" + "".join(f"{(-1) ** i * 1e300},{'ab'[i % 2]}\n" for i in range(10)),
        [],
        "column 'a' has values as large as 1e+300: standardizing sums their "
        "squares, which can overflow float64 past about 2.12e+153 for 10 rows; "
        "divide it by a power of ten, or leave it out with --drop a",
    ),
    "target-too-large-to-standardize": (
        "t.csv",
        "a,y\n" + "".join(f"{i},{i * 1.5e300}\n" for i in range(10)),
        [],
        "target column 'y' has values as large as 1.35e+301",
    ),
    "drop-every-feature": (
        "t.csv",
        "age,town,y\n" + "1,x,a\n2,z,b\n" * 5,
        ["--drop", "age,town"],
        "no feature columns: every column but the target 'y' is dropped",
    ),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_unusable_input_gives_one_error_line_and_status_2(name, tmp_path, capsys):
    filename, content, options, reason = BAD_INPUTS[name]
    path = tmp_path / filename
    if isinstance(content, str):
        write_csv(path, content)
    elif content is not None:
        path.write_bytes(content)
    options = [o.replace("no/dir", str(tmp_path / "no" / "dir")) for o in options]

    status = main(["compare", str(path), "--target", "y", *options])
    captured = capsys.readouterr()

    assert status == 2
    assert_one_error_line(captured.err, reason)
    assert captured.out == ""


def test_the_largest_numbers_let_through_standardize_without_overflow(tmp_path):
    # The refusal above is at sqrt(max / (4 n)): the squared deviations from
    # the mean of n values below it cannot overflow, and StandardScaler's
    # own overflow warning past it is what the refusal spares the user.
    n = 10
    limit = np.sqrt(np.finfo(np.float64).max / (4 * n))
    signs = (-1.0) ** np.arange(n)
    below = pd.DataFrame({"a": 0.99 * limit * signs, "y": ["a", "b"] * (n // 2)})
    X, _, _ = prepare_data(below, "y", cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = make_preprocessor(X).fit_transform(X)
    np.testing.assert_allclose(np.abs(scaled), 1.0)
    with pytest.warns(RuntimeWarning, match="overflow"):
        StandardScaler().fit((1e300 * signs)[:, None])


def test_whole_numbers_past_int64_are_a_quantity_without_a_runtime_warning():
    # scikit-learn's type_of_target casts them to int64, which numpy warns
    # about (an error under pytest's configuration).
    assert detect_task(pd.Series([1e20, 3e20, 2e20, 5e20])) == "regression"


def test_plot_path_is_checked_before_the_data(tmp_path, capsys):
    # The missing CSV file is not reported: the bad --plot stops everything first.
    argv = ["compare", str(tmp_path / "absent.csv"), "--target", "y"]
    assert main([*argv, "--plot", "curves"]) == 2
    assert_one_error_line(capsys.readouterr().err, "--plot curves has no extension")


def test_missing_matplotlib_is_reported_before_any_work(
    classes_csv, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails
    argv = ["compare", str(classes_csv), "--target", "colour", "--plot", "x.png"]

    assert main(argv) == 2
    assert_one_error_line(capsys.readouterr().err, "--plot needs matplotlib")


def test_ctrl_c_stops_with_one_line_and_status_130(classes_csv, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(compare, "cross_validate_models", interrupted)
    assert main(["compare", str(classes_csv), "--target", "colour"]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "skbp compare: interrupted"
    )


@pytest.mark.parametrize(
    "options",
    [
        ["--hidden", "0"],
        ["--hidden", "64,x"],
        ["--hidden", ""],
        ["--cv", "1"],
        ["--max-iter", "0"],
        ["--task", "clustering"],
        ["--activation", "softmax"],
        ["--solver", "newton"],
        ["--learning-rate", "0"],
        ["--learning-rate", "-0.01"],
        ["--learning-rate", "fast"],
        ["--alpha", "-1"],
        ["--alpha", "nan"],
        [],  # no --target
    ],
    ids=[
        "hidden-0",
        "hidden-text",
        "hidden-empty",
        "one-fold",
        "no-epochs",
        "unknown-task",
        "unknown-activation",
        "unknown-solver",
        "learning-rate-0",
        "learning-rate-negative",
        "learning-rate-text",
        "alpha-negative",
        "alpha-nan",
        "no-target",
    ],
)
def test_invalid_options_exit_2_before_reading_the_file(options, capsys):
    argv = ["compare", "absent.csv", *options]
    if options:
        argv += ["--target", "y"]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: skbp compare" in err
    assert "no such file" not in err


@pytest.mark.parametrize("text, sizes", [("100", (100,)), ("64,32", (64, 32))])
def test_hidden_option_gives_hidden_layer_sizes(text, sizes):
    args = build_parser().parse_args(["compare", "d.csv", "--target", "y"])
    assert args.hidden == (100,)
    args = build_parser().parse_args(
        ["compare", "d.csv", "--target", "y", "--hidden", text]
    )
    assert args.hidden == sizes


def test_python_m_skbp_compare_runs_and_reports_errors(classes_csv, tmp_path):
    def skbp(*argv):
        return subprocess.run(
            [sys.executable, "-m", "skbp", "compare", *argv],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD_SECONDS,
        )

    good = skbp(str(classes_csv), "--target", "colour", *FAST)
    assert good.returncode == 0, good.stderr
    assert "BackpropClassifier" in good.stdout
    assert "MLPClassifier" in good.stdout
    assert "[fold 2/2] MLPClassifier" in good.stderr

    bad = write_csv(tmp_path / "bad.csv", "a,b,y\n1,2,0\n3,4,1,9\n")
    result = skbp(str(bad), "--target", "y")
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_error_line(result.stderr, "line 3")


def test_drop_leaves_columns_out_repeated_or_comma_separated(tmp_path, capsys):
    rows = "".join(f"{i},{i % 3},d{i},c{i % 2},{'ab'[i % 2]}\n" for i in range(12))
    path = write_csv(tmp_path / "ids.csv", "x,z,when,kind,y\n" + rows)

    argv = ["compare", str(path), "--target", "y", *FAST]
    assert main([*argv, "--drop", "when, kind", "--drop", "z"]) == 0
    assert "ids.csv: 12 rows, 1 numeric feature column." in capsys.readouterr().out


def test_drop_takes_a_column_whose_name_has_a_comma(tmp_path, capsys):
    rows = "".join(f"{i},{i % 4},{'ab'[i % 2]}\n" for i in range(12))
    path = write_csv(tmp_path / "comma.csv", 'x,"a,b",y\n' + rows)

    assert main(["compare", str(path), "--target", "y", "--drop", "a,b", *FAST]) == 0
    assert "1 numeric feature column." in capsys.readouterr().out


def test_an_identifier_column_gets_a_note_suggesting_drop(tmp_path, capsys):
    rows = "".join(f"2024-01-{i + 1:02d},{i % 5},{'ab'[i % 2]}\n" for i in range(30))
    path = write_csv(tmp_path / "days.csv", "day,x,y\n" + rows)

    assert main(["compare", str(path), "--target", "y", *FAST]) == 0
    err = capsys.readouterr().err
    assert "column 'day' has 30 distinct values in 30 rows" in err
    assert "--drop day" in err
    # Dropped, the column is not mentioned any more.
    assert main(["compare", str(path), "--target", "y", "--drop", "day", *FAST]) == 0
    assert "'day'" not in capsys.readouterr().err


def test_an_all_distinct_integer_column_gets_one_line_suggesting_drop(tmp_path, capsys):
    # Iris sorted by class, as its CSV files often are, with a row number
    # "id": the id predicts the class by itself. Its float measurements are
    # no identifiers, nor is a float column whose values all differ.
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True).frame.sort_values("target", kind="stable")
    iris.insert(0, "id", np.arange(1, len(iris) + 1))
    iris["noise"] = np.random.default_rng(0).normal(size=len(iris))
    assert iris["noise"].is_unique
    path = tmp_path / "iris.csv"
    iris.to_csv(path, index=False)

    assert main(["compare", str(path), "--target", "target", *FAST]) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if not line.startswith("[fold ")]
    identifier = [line for line in notes if "'id'" in line]
    assert len(identifier) == 1, err
    assert identifier[0].startswith("skbp compare: column 'id' has 150 distinct ")
    assert "--drop id" in identifier[0]
    # Only the id is named: not the measurements, not the float noise.
    assert not [line for line in notes if "'noise'" in line or "(cm)'" in line]

    argv = ["compare", str(path), "--target", "target", "--drop", "id", *FAST]
    assert main(argv) == 0
    assert "'id'" not in capsys.readouterr().err


def test_a_few_names_in_a_small_table_get_no_identifier_note(tmp_path, capsys):
    rows = "".join(f"n{i},{i % 5},{'ab'[i % 2]}\n" for i in range(12))
    path = write_csv(tmp_path / "names.csv", "name,x,y\n" + rows)

    assert main(["compare", str(path), "--target", "y", *FAST]) == 0
    assert "--drop" not in capsys.readouterr().err


def test_model_options_reach_both_networks_and_the_settings(
    quantity_csv, monkeypatch, capsys
):
    built = {}
    cross_validate_models = compare.cross_validate_models

    def recording(models, *args, **kwargs):
        built.update(models)
        return cross_validate_models(models, *args, **kwargs)

    monkeypatch.setattr(compare, "cross_validate_models", recording)
    options = ["--activation", "sigmoid", "--solver", "sgd", "--learning-rate"]
    options += ["0.01", "--alpha", "0", "--early-stopping"]
    argv = ["compare", str(quantity_csv), "--target", "price", *FAST, *options]

    assert main(argv) == 0
    expected = dict(
        activation="logistic",  # what scikit-learn calls sigmoid units
        solver="sgd",
        learning_rate_init=0.01,
        alpha=0.0,
        early_stopping=True,
        max_iter=5,
        hidden_layer_sizes=(4,),
    )
    assert list(built) == ["BackpropRegressor", "MLPRegressor"]
    for model in built.values():
        params = model.regressor.named_steps["net"].get_params()
        assert {key: params[key] for key in expected} == expected
    out = capsys.readouterr().out
    assert "activation='logistic', solver='sgd', learning_rate_init=0.01," in out
    assert "alpha=0.0, early_stopping=True, max_iter=5" in out


def test_model_options_default_to_the_networks_defaults():
    from sklearn.neural_network import MLPClassifier

    args = build_parser().parse_args(["compare", "d.csv", "--target", "y"])
    defaults = MLPClassifier().get_params()
    assert args.learning_rate == defaults["learning_rate_init"]
    assert args.alpha == defaults["alpha"]
    assert args.early_stopping is defaults["early_stopping"] is False
    # Logistic units, as skbp's worked examples have; not scikit-learn's relu.
    assert (args.activation, args.solver) == ("logistic", "adam")

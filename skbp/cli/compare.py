"""``skbp compare DATA.csv --target COL``: skbp against scikit-learn's MLP,
cross-validated on the user's CSV file, both behind the same preprocessing."""

import sys
import textwrap
from pathlib import Path

from .csvfile import read_csv
from .data import make_preprocessor, numeric_columns, prepare_data
from .engine import (
    LOSS_NAMES,
    METRICS,
    cross_validate_models,
    hidden_activation,
    make_models,
    summarize,
)
from .pipes import check_reader
from .report import check_plot_path, describe_settings, format_table, plot_loss_curves


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
    drop=(),
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
        See :func:`~skbp.cli.data.detect_task` for "auto".
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
    drop : sequence of str, default=()
        Columns left out of the features; each item a name or names
        separated by commas.
    activation, solver, learning_rate_init, alpha, early_stopping
        Settings of both networks, see
        :func:`~skbp.cli.engine.make_models`; with hidden units that
        scikit-learn's MLP lacks, skbp's network is the only model.
    dropout, clip_grad_norm, learning_rate, warmup_epochs, weight_decay, \
restore_best
        Settings of skbp's network only; scikit-learn's trains without
        them. The settings printed to ``out`` say so.
    label_smoothing : float, default=0.0
        skbp's classifier only, as the settings above; a regression refuses
        it (InputError).

    Returns
    -------
    table : pandas.DataFrame
        See :func:`~skbp.cli.engine.summarize`.

    Raises
    ------
    InputError
        Any problem with the file, the target or the options; its message
        is one line meant for the user.
    KeyboardInterrupt
        Ctrl-C, even during a fit that skbp ends early.
    BrokenPipeError
        ``out`` is a pipe that nobody reads any more; noticed after each
        fit, not only at the next write.

    Examples
    --------
    >>> import io, tempfile
    >>> from pathlib import Path
    >>> from skbp.cli.compare import run_compare
    >>> rows = "".join(f"{i % 5},{'ab'[i % 2]}\\n" for i in range(12))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "t.csv"
    ...     _ = path.write_text("x,y\\n" + rows)
    ...     table = run_compare(path, "y", cv=2, max_iter=3, hidden_layer_sizes=(2,),
    ...                         out=io.StringIO(), err=io.StringIO())
    >>> table[["model", "n_iter_mean", "n_folds"]]
                    model  n_iter_mean  n_folds
    0  BackpropClassifier          3.0        2
    1       MLPClassifier          3.0        2
    """
    out = out or sys.stdout
    err = err or sys.stderr

    if plot is not None:
        check_plot_path(plot)
    frame = read_csv(path, sep=sep, encoding=encoding)
    # Notes wait until the data is known to be usable, so that an error is
    # the only line printed when it is not.
    notes = []
    X, y, task = prepare_data(
        frame, target, task=task, cv=cv, note=notes.append, drop=drop
    )
    settings = dict(
        activation=hidden_activation(activation),
        solver=solver,
        learning_rate_init=learning_rate_init,
        alpha=alpha,
        early_stopping=early_stopping,
        dropout=dropout,
        clip_grad_norm=clip_grad_norm,
        learning_rate=learning_rate,
        warmup_epochs=warmup_epochs,
        weight_decay=weight_decay,
        label_smoothing=label_smoothing,
        restore_best=restore_best,
    )
    models = make_models(
        task,
        make_preprocessor(X),
        hidden_layer_sizes,
        max_iter,
        random_state,
        **settings,
    )
    # After the models, which refuse settings the task cannot take.
    for line in notes:
        print(f"skbp compare: {line}", file=err, flush=True)

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
        # The next write to out is the table, after every fit: a reader
        # that is gone (skbp compare ... | head -3) stops the work here.
        check_reader(out)

    # The settings first, so that the progress lines below them make sense.
    print(
        _describe_data(path, target, X, y, task, cv)
        + "\n"
        + describe_settings(hidden_layer_sizes, max_iter, random_state, **settings),
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
        print(f"\nLoss curves saved to {plot}", file=out, flush=True)
    return table


def _describe_data(path, target, X, y, task, cv):
    """The paragraphs above the settings: data, task, folds and preprocessing."""
    numeric = len(numeric_columns(X))
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
    return "\n".join(textwrap.fill(text, width=79) for text in (data, what, pipeline))

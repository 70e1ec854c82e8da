"""``skbp trace --html FILE``: a training run as one offline page to step through.

Without a CSV file the run is Matt Mazur's 2-2-2 network; with one, a
network on the user's data, behind the preprocessing of ``skbp compare``.
"""

import sys
import time
from pathlib import Path

import numpy as np

from .csvfile import read_csv
from .data import make_preprocessor, prepare_data
from .errors import InputError


def _check_html_path(path):
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--html {path}: the report is a web page, name it *.html")
    if not path.parent.is_dir():
        raise InputError(f"--html {path}: no folder {path.parent}")
    return path


def write_trace_html(
    html,
    csv=None,
    target=None,
    n_steps=200,
    hidden_layer_sizes=(8,),
    batch_size=None,
    learning_rate_init=None,
    random_state=0,
    sep=",",
    encoding="utf-8",
    drop=(),
    task="auto",
    err=None,
):
    """Record a run and write its page; one line on ``err`` says where and how big.

    Parameters
    ----------
    html : str or Path
        The page to write.
    csv : str or Path, default=None
        The data; None runs Matt Mazur's network (its one sample, its
        weights and learning rate 0.5).
    target : str, default=None
        The column to predict (with ``csv``).
    n_steps : int, default=200
        Steps recorded.
    hidden_layer_sizes : tuple of int, default=(8,)
        The network on the CSV file's data.
    batch_size : int, default=None
        Rows per step; None: every step on all rows.
    learning_rate_init : float, default=None
        SGD's learning rate; None: 0.5 for Mazur's network (his), 0.1 else.
    random_state : int, default=0
        Seed of the initial weights.
    sep, encoding, drop, task
        As for ``skbp compare``.
    err : file, default=None
        Where the closing line goes; None is ``sys.stderr``.

    Returns
    -------
    run : skbp.report.TracedRun

    Examples
    --------
    >>> import io, tempfile
    >>> from pathlib import Path
    >>> from skbp.cli.trace_html import write_trace_html
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     run = write_trace_html(Path(folder) / "mazur.html", n_steps=2,
    ...                            err=io.StringIO())
    >>> round(run.traces[0].loss, 9)
    0.298371109
    """
    from ..report import trace_run

    err = err or sys.stderr
    path = _check_html_path(html)
    started = time.perf_counter()
    if csv is None:
        from ..worked_examples import mazur_network

        overrides = {}
        if learning_rate_init is not None:
            overrides["learning_rate_init"] = learning_rate_init
        net, X, y = mazur_network(**overrides)
        title = f"Matt Mazur's 2-2-2 network: {n_steps} online steps"
    else:
        if target is None:
            raise InputError("a CSV file needs --target COLUMN, the column to predict")
        frame = read_csv(csv, sep=sep, encoding=encoding)
        notes = []
        X, y, task = prepare_data(
            frame, target, task=task, cv=2, note=notes.append, drop=drop
        )
        for line in notes:
            print(f"skbp trace: {line}", file=err, flush=True)
        preprocessor = make_preprocessor(X).set_output(transform="pandas")
        X = preprocessor.fit_transform(X)
        # The column transformer's prefixes say nothing on the page.
        X.columns = [str(c).split("__", 1)[-1] for c in X.columns]
        net, y = _network(task, y, hidden_layer_sizes, learning_rate_init, random_state)
        title = f"{Path(csv).name}: {target!r} from {X.shape[1]} features"
    run = trace_run(net, X, y, n_steps=n_steps, batch_size=batch_size)
    if csv is not None:
        title += f", {n_steps} steps"
    n_bytes = run.write_html(path, title=title)
    seconds = time.perf_counter() - started
    print(
        f"skbp trace: wrote {path} ({n_bytes / 1e6:.2f} MB, {n_steps} steps, "
        f"{seconds:.1f} s); open it in a browser, it needs no network",
        file=err,
        flush=True,
    )
    return run


def _network(task, y, hidden_layer_sizes, learning_rate_init, random_state):
    from .. import BackpropClassifier, BackpropRegressor

    settings = dict(
        hidden_layer_sizes=hidden_layer_sizes,
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.1 if learning_rate_init is None else learning_rate_init,
        random_state=random_state,
    )
    if task == "classification":
        return BackpropClassifier(**settings), y
    # A target in its own units can make the first steps diverge; the page
    # shows the standardized target, as skbp compare fits it.
    y = np.asarray(y, dtype=float)
    return BackpropRegressor(**settings), (y - y.mean()) / y.std()

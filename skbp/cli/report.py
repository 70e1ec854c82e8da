"""What a comparison shows the user: its settings, its table, its loss curves."""

import textwrap
from pathlib import Path

from .engine import METRICS, skbp_only_settings, sklearn_lacks
from .errors import InputError

# Headings of the columns that name a row of a summary, in the order shown.
KEY_HEADINGS = {"dataset": "data set", "model": "model"}


def describe_settings(
    hidden_layer_sizes,
    max_iter,
    random_state,
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
    """The lines that give both networks' settings, as :func:`make_models` sets them.

    Settings that scikit-learn's MLP lacks are said to be skbp's only: its
    dropout and gradient clipping, after which scikit-learn's network
    trains without them, and hidden units it does not have, which leave
    it out.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
    max_iter : int
    random_state : int
    activation : str or tuple of str, default="logistic"
    solver : str, default="adam"
    learning_rate_init : float, default=0.001
    alpha : float, default=0.0001
    early_stopping : bool, default=False
    dropout : float or tuple of float, default=0.0
    clip_grad_norm : float or None, default=None
    learning_rate : {"constant", "cosine"}, default="constant"
    warmup_epochs : int, default=0
    weight_decay : float, default=0.0
    label_smoothing : float, default=0.0
    restore_best : {"score", "loss"}, default="score"

    Returns
    -------
    text : str
        Lines of at most 79 characters and a final newline.

    Examples
    --------
    >>> from skbp.cli.report import describe_settings
    >>> print(describe_settings((64, 32), 50, 0))
    Both networks: activation='logistic', solver='adam', learning_rate_init=0.001,
    alpha=0.0001, early_stopping=False, max_iter=50, hidden_layer_sizes=(64, 32),
    random_state=0 (the same initial weights).
    ConvergenceWarnings suppressed.
    <BLANKLINE>
    >>> print(describe_settings((8,), 50, 0, activation="relu", dropout=0.2))
    Both networks: activation='relu', solver='adam', learning_rate_init=0.001,
    alpha=0.0001, early_stopping=False, max_iter=50, hidden_layer_sizes=(8,),
    random_state=0 (the same initial weights).
    skbp's network only: dropout=0.2. scikit-learn's MLP has no such setting and
    trains without it.
    ConvergenceWarnings suppressed.
    <BLANKLINE>
    >>> print(describe_settings((8, 4), 50, 0, activation=("relu", "softplus")))
    skbp's network: activation=('relu', 'softplus'), solver='adam',
    learning_rate_init=0.001, alpha=0.0001, early_stopping=False, max_iter=50,
    hidden_layer_sizes=(8, 4), random_state=0.
    scikit-learn's MLP left out: it has one activation for all hidden layers, not
    one per layer.
    ConvergenceWarnings suppressed.
    <BLANKLINE>
    """
    left_out = sklearn_lacks(activation)
    only_skbp = skbp_only_settings(
        dropout,
        clip_grad_norm,
        learning_rate,
        warmup_epochs,
        weight_decay,
        label_smoothing,
        restore_best,
    )
    settings = [
        f"activation={activation!r}",
        f"solver={solver!r}",
        f"learning_rate_init={learning_rate_init!r}",
        f"alpha={alpha!r}",
        f"early_stopping={early_stopping!r}",
        f"max_iter={max_iter}",
        f"hidden_layer_sizes={hidden_layer_sizes}",
    ]
    if left_out is None:
        settings.append(f"random_state={random_state} (the same initial weights)")
        lines = _wrap_settings("Both networks:", settings)
        if only_skbp:
            only = [f"{name}={value!r}" for name, value in only_skbp.items()]
            which = "setting" if len(only) == 1 else "settings"
            them = "it" if len(only) == 1 else "them"
            lines += _wrap_settings(
                "skbp's network only:",
                only,
                f"scikit-learn's MLP has no such {which} and trains without {them}.",
            )
    else:
        settings.append(f"random_state={random_state}")
        settings += [f"{name}={value!r}" for name, value in only_skbp.items()]
        lines = _wrap_settings("skbp's network:", settings)
        lines.append(
            textwrap.fill(f"scikit-learn's MLP left out: {left_out}.", width=79)
        )
    return "\n".join(lines) + "\nConvergenceWarnings suppressed.\n"


def _wrap_settings(heading, settings, after=""):
    """``heading``, the settings separated by commas and a full stop, then
    ``after``, in lines of at most 79 characters.

    Wrapped setting by setting (``after`` word by word): textwrap could
    split a tuple such as (64, 32).
    """
    words = [
        setting + ("," if i < len(settings) - 1 else ".")
        for i, setting in enumerate(settings)
    ]
    words += after.split()
    lines = [heading]
    for word in words:
        if len(lines[-1]) + 1 + len(word) > 79:
            lines.append(word)
        else:
            lines[-1] += " " + word
    return lines


def format_table(table, task, max_iter, metrics=None):
    """A summary as aligned text, one row per model (and data set).

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`~skbp.cli.engine.summarize`; its columns
        ``dataset`` (if any) and ``model`` name the rows.
    task : {"classification", "regression"}
    max_iter : int
        To tell apart fits that stopped early from those that ran out of
        epochs.
    metrics : sequence of str, default=None
        The scores to show, by column name (e.g. ``["accuracy"]``); None
        shows every score of ``METRICS[task]``.

    Returns
    -------
    text : str

    Examples
    --------
    >>> import pandas as pd
    >>> from skbp.cli.report import format_table
    >>> table = pd.DataFrame({
    ...     "model": ["BackpropRegressor"], "r2_mean": [0.91], "r2_std": [0.02],
    ...     "rmse_mean": [12345.6], "rmse_std": [789.0], "fit_time_mean": [0.25],
    ...     "n_iter_mean": [37.0], "n_folds": [5]})
    >>> print(format_table(table, "regression", max_iter=200))
    Scores: mean ± std over the 5 test folds. Fit time and epochs: means.
    <BLANKLINE>
    model              R²               RMSE         fit time  epochs
    BackpropRegressor  0.9100 ± 0.0200  12346 ± 789    0.250s    37.0
    """
    shown = [
        (column, heading)
        for column, heading, _ in METRICS[task]
        if metrics is None or column in metrics
    ]
    keys = [column for column in KEY_HEADINGS if column in table.columns]
    header = [KEY_HEADINGS[key] for key in keys] + [heading for _, heading in shown]
    header += ["fit time", "epochs"]
    rows = []
    for row in table.to_dict("records"):
        cells = [str(row[key]) for key in keys]
        for column, _ in shown:
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
    InputError
        matplotlib is missing, the extension names no format matplotlib can
        write, or the folder does not exist.

    Examples
    --------
    >>> from skbp.cli.report import check_plot_path
    >>> check_plot_path("loss.png")
    >>> check_plot_path("loss")
    Traceback (most recent call last):
    ...
    skbp.cli.errors.InputError: --plot loss has no extension; use one of ...
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError(
            "--plot needs matplotlib, which is not installed: pip install matplotlib"
        ) from None
    path = Path(path)
    formats = Figure().canvas.get_supported_filetypes()
    extension = path.suffix.lower().removeprefix(".")
    if extension not in formats:
        found = f"extension {path.suffix!r}" if extension else "no extension"
        raise InputError(
            f"--plot {path} has {found}; use one of ."
            + ", .".join(sorted(formats))
            + f" (e.g. {path.stem or 'loss'}.png)"
        )
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"--plot {path}: folder {folder} does not exist")


def plot_loss_curves(networks, path, title="", ylabel=""):
    """Save every fold's training loss curve of every model to ``path``.

    Each model has its own color; skbp's curves are solid and drawn first,
    the others dashed on top, so that curves which coincide (same initial
    weights, same updates) stay visible.

    Parameters
    ----------
    networks : dict of str to list
        As returned by :func:`~skbp.cli.engine.cross_validate_models`.
    path : str or Path
        Image file; its extension chooses the format.
    title : str, default=""
        Title above the plot.
    ylabel : str, default=""
        What the loss is, shown beside "training loss".

    Examples
    --------
    >>> import tempfile, warnings
    >>> from pathlib import Path
    >>> from skbp import BackpropRegressor
    >>> from skbp.cli.report import plot_loss_curves
    >>> net = BackpropRegressor(max_iter=20, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 20 epochs do not converge
    ...     net = net.fit([[0], [1]], [0, 1])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "loss.png"
    ...     plot_loss_curves({"BackpropRegressor": [net]}, path)
    ...     path.stat().st_size > 0
    True
    """
    # Figure without pyplot: no GUI backend, no global state to clean up.
    from matplotlib.figure import Figure

    from ..plot import LossCurveDisplay

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


def _number(value, column):
    """A score as text: 4 decimals, but 4 significant digits for RMSE."""
    if column != "rmse":
        return f"{value:.4f}"
    # RMSE is in the target's units, which may be thousands or thousandths.
    return f"{value:.0f}" if abs(value) >= 1e4 else f"{value:.4g}"

"""``skbp demo`` and ``skbp trace``: the comparison with scikit-learn's MLP on
its own data sets, and Matt Mazur's 2-2-2 worked example reproduced."""

import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from .. import kernel_choices
from .._kernels import FORMULAS
from ..worked_examples import (
    MAZUR_ERROR_AFTER_10000,
    MAZUR_OUTPUTS_AFTER_10000,
    mazur_network,
)
from .engine import cross_validate_models, make_models, summarize
from .interrupt import CtrlC
from .pipes import check_reader
from .report import describe_settings, format_table

DATASETS = {
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "iris": load_iris,
    "wine": load_wine,
}
DEFAULT_DATASETS = ("breast_cancer", "digits")

# What each CPU class is in words a user can check against their machine.
_CPU_CLASSES = {
    "x86-64-v4": "AVX-512",
    "x86-64-v3": "AVX2, no AVX-512",
    "x86-64-v2": "no AVX2",
}


def compare_with_mlp(
    datasets=DEFAULT_DATASETS,
    cv=5,
    max_iter=200,
    hidden_layer_sizes=(100,),
    progress=None,
):
    """Cross-validate BackpropClassifier and MLPClassifier on sklearn's data sets.

    The comparison of ``skbp compare``
    (:func:`~skbp.cli.engine.cross_validate_models`), with a
    ``StandardScaler`` in front of both networks (the data sets have no
    missing values and no text columns) and unshuffled stratified folds, the
    ones ``sklearn.model_selection.cross_validate`` makes for a classifier.

    Parameters
    ----------
    datasets : sequence of str, default=("breast_cancer", "digits")
        Keys of ``DATASETS``.
    cv : int, default=5
        Number of stratified folds.
    max_iter : int, default=200
        Epochs per fit.
    hidden_layer_sizes : tuple of int, default=(100,)
        Hidden layers of both networks.
    progress : callable, default=None
        Called after each fit, see
        :func:`~skbp.cli.engine.cross_validate_models`.

    Returns
    -------
    table : pandas.DataFrame
        One row per data set and model: ``dataset``, ``model``, then the
        columns of :func:`~skbp.cli.engine.summarize` (``accuracy_mean``,
        ``accuracy_std``, ``fit_time_mean`` in seconds, ...).

    Examples
    --------
    >>> from skbp.cli.demo import compare_with_mlp
    >>> table = compare_with_mlp(["iris"], cv=2, max_iter=3, hidden_layer_sizes=(2,))
    >>> table[["dataset", "model", "n_iter_mean", "n_folds"]]
      dataset               model  n_iter_mean  n_folds
    0    iris  BackpropClassifier          3.0        2
    1    iris       MLPClassifier          3.0        2
    """
    task = "classification"
    models = make_models(task, StandardScaler(), hidden_layer_sizes, max_iter)
    folds = []
    for name in datasets:
        X, y = DATASETS[name](return_X_y=True)
        found, _ = cross_validate_models(
            models, X, y, task, cv=StratifiedKFold(n_splits=cv), progress=progress
        )
        folds.append(found.assign(dataset=name))
    return summarize(pd.concat(folds), task, by=("dataset", "model"))


def describe_machine():
    """One line: the CPU class numpy dispatched to and skbp's kernel choices.

    Returns
    -------
    line : str

    Examples
    --------
    >>> from skbp.cli.demo import describe_machine
    >>> describe_machine()
    "CPU class ... skbp's hidden units compute logistic as ..., tanh as ...."
    """
    report = kernel_choices()
    cpu = report["cpu_class"]
    forms = []
    for name in FORMULAS:
        by_dtype = report[name]
        if len(set(by_dtype.values())) == 1:
            forms.append(f"{name} as {FORMULAS[name][by_dtype['float64']]}")
        else:
            forms.append(
                f"{name} as "
                + " / ".join(
                    f"{FORMULAS[name][form]} ({dtype})"
                    for dtype, form in by_dtype.items()
                )
            )
    forms = ", ".join(forms)
    override = f" (SKBP_KERNELS={report['override']})" if report["override"] else ""
    return (
        f"CPU class {cpu} ({_CPU_CLASSES.get(cpu, 'numpy baseline dispatch')}): "
        f"skbp's hidden units compute {forms}{override}."
    )


def mazur_after(n_steps=10000):
    """Outputs and total error E = Σ½(target - out)² after ``n_steps`` steps.

    Parameters
    ----------
    n_steps : int, default=10000
        Number of online updates of Mazur's network on its single sample.

    Returns
    -------
    outputs : ndarray of shape (2,)
        (out_o1, out_o2) after the last update.
    error : float
        E_total of those outputs.

    Examples
    --------
    >>> from skbp.cli.demo import mazur_after
    >>> outputs, error = mazur_after(10000)
    >>> print(f"{outputs[0]:.9f} {outputs[1]:.9f} {error:.9f}")
    0.015913620 0.984064274 0.000035102
    """
    # One sample and batch_size=1: each epoch is exactly one update. The
    # stopping rule is switched off so that all n_steps are taken.
    net, X, y = mazur_network(max_iter=n_steps, tol=0.0, n_iter_no_change=np.inf)
    # Ctrl-C ends skbp's fit early: the outputs would not be those of n_steps.
    with warnings.catch_warnings(), CtrlC() as ctrl_c:
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X, y)
        ctrl_c.check()
    outputs = net.predict(X)[0]
    return outputs, float(0.5 * np.sum((y[0] - outputs) ** 2))


def print_trace():
    """Print the traced first step of Mazur's example (what ``skbp trace`` shows).

    Examples
    --------
    >>> from skbp.cli.demo import print_trace
    >>> print_trace()
    Matt Mazur's "A Step by Step Backpropagation Example": 2-2-2 sigmoid network,
    ...
    StepTrace(loss=0.298371109, learning_rate=0.5)
    ...
    """
    print(
        'Matt Mazur\'s "A Step by Step Backpropagation Example": 2-2-2 sigmoid '
        "network,\ni = (0.05, 0.10), targets (0.01, 0.99), biases held at "
        "0.35 / 0.6,\none online step with learning rate 0.5.\n"
        "Units count from 0: layer 1 unit 0 is h1, layer 2 unit 0 is o1; the "
        "weight\nfrom_unit j -> to_unit k of layer l is coefs_[l - 1][j, k] "
        "(w5 is layer 2, 0 -> 0).\n",
        flush=True,
    )
    net, X, y = mazur_network()
    print(net.trace_step(X, y), flush=True)


def run_demo(
    datasets=DEFAULT_DATASETS,
    cv=5,
    max_iter=200,
    hidden_layer_sizes=(100,),
    n_steps=10000,
):
    """Print the comparison table and Mazur's example reproduced; return the table.

    Parameters
    ----------
    datasets : sequence of str, default=("breast_cancer", "digits")
        Keys of ``DATASETS``.
    cv : int, default=5
        Number of folds.
    max_iter : int, default=200
        Epochs per fit.
    hidden_layer_sizes : tuple of int, default=(100,)
        Hidden layers of both networks.
    n_steps : int, default=10000
        Steps of Mazur's network before its outputs are printed.

    Returns
    -------
    table : pandas.DataFrame
        See :func:`compare_with_mlp`.

    Examples
    --------
    >>> from skbp.cli.demo import run_demo
    >>> table = run_demo(["iris"], cv=2, max_iter=3, hidden_layer_sizes=(2,),
    ...                  n_steps=1)
    2-fold stratified cross-validation of StandardScaler + network.
    ...
    After 1 steps:       outputs [0.742088111, 0.775284968], E_total 0.291027774
    """
    # Flushed section by section, the settings before the long comparison:
    # a reader that stops early (skbp demo | head -1) has its lines at once,
    # and the command learns that it is gone at the next write or fit.
    print(
        f"{cv}-fold stratified cross-validation of StandardScaler + network.\n"
        + describe_settings(hidden_layer_sizes, max_iter, random_state=0),
        flush=True,
    )
    table = compare_with_mlp(
        datasets,
        cv,
        max_iter,
        hidden_layer_sizes,
        progress=lambda row: check_reader(sys.stdout),
    )
    print(
        format_table(table, "classification", max_iter, metrics=["accuracy"]) + "\n",
        flush=True,
    )
    print(describe_machine() + "\n", flush=True)
    print_trace()
    check_reader(sys.stdout)
    outputs, error = mazur_after(n_steps)
    label = f"After {n_steps} steps:"
    print(
        f"\n{label:<21}outputs [{outputs[0]:.9f}, "
        f"{outputs[1]:.9f}], E_total {error:.9f}",
        flush=True,
    )
    if n_steps == 10000:
        published = MAZUR_OUTPUTS_AFTER_10000
        print(
            f"{'Mazur reports:':<21}outputs [{published[0]:.9f}, "
            f"{published[1]:.9f}], E_total {MAZUR_ERROR_AFTER_10000:.9f}\n"
            "(The ~1.5e-6 gap is in the published figures: his own update rule, "
            "run as a\nplain Python loop, gives the numbers above, and no step "
            "count gives his.)",
            flush=True,
        )
    return table

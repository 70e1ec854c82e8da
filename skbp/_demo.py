"""What ``skbp demo`` and ``skbp trace`` run: a cross-validated comparison
with scikit-learn's MLPClassifier and the 2-2-2 worked example of seed 003."""

import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ._classifier import BackpropClassifier
from ._kernels import FORMULAS, kernel_choices
from ._regressor import BackpropRegressor

DATASETS = {
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "iris": load_iris,
    "wine": load_wine,
}
DEFAULT_DATASETS = ("breast_cancer", "digits")

# Seed 003's figures after 10000 steps, as its text gives them.
SEED_003_OUTPUTS_AFTER_10000 = (0.015912196, 0.984065734)
SEED_003_ERROR_AFTER_10000 = 0.000035085


def seed_003_network(**params):
    """The 2-2-2 network of seed 003, unfitted, with its one training sample.

    Inputs i = (0.05, 0.10), targets (0.01, 0.99), weights w1..w8 = 0.15,
    0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55, sigmoid units everywhere, biases
    b1 = 0.35 and b2 = 0.6 held fixed, learning rate 0.5, plain online
    gradient descent.

    Parameters
    ----------
    **params
        Overrides of the estimator's parameters (e.g. ``max_iter``).

    Returns
    -------
    net : BackpropRegressor
        The unfitted network.
    X : ndarray of shape (1, 2)
        The input (i1, i2).
    y : ndarray of shape (1, 2)
        The targets (o1, o2).

    Examples
    --------
    >>> from skbp._demo import seed_003_network
    >>> net, X, y = seed_003_network()
    >>> round(net.trace_step(X, y).loss, 9)
    0.298371109
    """
    # The seed names the weight from input j to hidden unit k by reading
    # the picture row by row (w1: i1->h1, w2: i2->h1, w3: i1->h2, ...);
    # coefs_[0][j, k] is that weight, so w1..w4 fill the columns.
    w1, w2, w3, w4, w5, w6, w7, w8 = 0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55
    settings = dict(
        hidden_layer_sizes=(2,),
        activation="logistic",
        out_activation="logistic",
        solver="sgd",
        learning_rate_init=0.5,
        momentum=0.0,
        alpha=0.0,
        batch_size=1,
        shuffle=False,
        # The seed's biases are held fixed: not trained, but not zero.
        fit_intercept=False,
        coefs_init=[[[w1, w3], [w2, w4]], [[w5, w7], [w6, w8]]],
        intercepts_init=[[0.35, 0.35], [0.6, 0.6]],
    )
    settings.update(params)
    X = np.array([[0.05, 0.10]])
    y = np.array([[0.01, 0.99]])
    return BackpropRegressor(**settings), X, y


def seed_003_trace():
    """The seed's first step (forward, backward, new weights) as a StepTrace."""
    net, X, y = seed_003_network()
    return net.trace_step(X, y)


def seed_003_after(n_steps=10000):
    """Outputs and total error E = Σ½(target - out)² after ``n_steps`` steps.

    Parameters
    ----------
    n_steps : int, default=10000
        Number of online updates on the seed's single sample.

    Returns
    -------
    outputs : ndarray of shape (2,)
        (out_o1, out_o2) after the last update.
    error : float
        E_total of those outputs.
    """
    # One sample and batch_size=1: each epoch is exactly one update. The
    # stopping rule is switched off so that all n_steps are taken.
    net, X, y = seed_003_network(max_iter=n_steps, tol=0.0, n_iter_no_change=np.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X, y)
    outputs = net.predict(X)[0]
    return outputs, float(0.5 * np.sum((y[0] - outputs) ** 2))


def compare_with_mlp(
    datasets=DEFAULT_DATASETS,
    cv=5,
    max_iter=200,
    hidden_layer_sizes=(100,),
):
    """Cross-validate BackpropClassifier and MLPClassifier with equal settings.

    Both run in a ``StandardScaler`` pipeline with logistic hidden units,
    adam, the same ``hidden_layer_sizes``, ``max_iter`` and
    ``random_state=0`` (hence the same initial weights); everything else is
    the shared default. BLAS runs single-threaded, which is faster for
    networks this small and keeps the fit times comparable on a busy
    machine.

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

    Returns
    -------
    table : pandas.DataFrame
        One row per data set and model; columns ``dataset, model,
        accuracy_mean, accuracy_std, fit_time_mean`` (seconds).
    """
    settings = dict(
        hidden_layer_sizes=hidden_layer_sizes,
        activation="logistic",
        solver="adam",
        max_iter=max_iter,
        random_state=0,
    )
    models = {
        "BackpropClassifier": BackpropClassifier(**settings),
        "MLPClassifier": MLPClassifier(**settings),
    }
    rows = []
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name in datasets:
            X, y = DATASETS[name](return_X_y=True)
            for model_name, model in models.items():
                scores = cross_validate(
                    make_pipeline(StandardScaler(), model), X, y, cv=cv
                )
                rows.append(
                    {
                        "dataset": name,
                        "model": model_name,
                        "accuracy_mean": scores["test_score"].mean(),
                        "accuracy_std": scores["test_score"].std(),
                        "fit_time_mean": scores["fit_time"].mean(),
                    }
                )
    return pd.DataFrame(rows)


def format_table(table, cv, max_iter, hidden_layer_sizes):
    """The comparison table as text, settings in the header."""
    header = (
        f"{cv}-fold cross-validation of StandardScaler + network "
        "(ConvergenceWarnings suppressed).\n"
        "Both models: activation='logistic', solver='adam', "
        f"hidden_layer_sizes={hidden_layer_sizes},\n"
        f"max_iter={max_iter}, random_state=0 (hence the same initial weights).\n"
    )
    lines = [
        f"{'data set':<14} {'model':<19} {'accuracy (mean ± std)':>21} "
        f"{'mean fit time':>13}"
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"{row.dataset:<14} {row.model:<19} "
            f"{row.accuracy_mean:>12.4f} ± {row.accuracy_std:.4f} "
            f"{row.fit_time_mean:>12.3f}s"
        )
    return header + "\n" + "\n".join(lines)


# What each CPU class is in words a user can check against their machine.
_CPU_CLASSES = {
    "x86-64-v4": "AVX-512",
    "x86-64-v3": "AVX2, no AVX-512",
    "x86-64-v2": "no AVX2",
}


def describe_machine():
    """One line: the CPU class numpy dispatched to and skbp's kernel choices.

    Returns
    -------
    line : str
    """
    report = kernel_choices()
    cpu = report["cpu_class"]
    forms = []
    for name in ("logistic", "tanh"):
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
        f"skbp computes {forms}{override}."
    )


def print_trace():
    """Print the traced first step of seed 003 (what ``skbp trace`` shows)."""
    print(
        "Seed 003: 2-2-2 sigmoid network, i = (0.05, 0.10), targets "
        "(0.01, 0.99),\nbiases held at 0.35 / 0.6, one online step with "
        "learning rate 0.5.\nUnits count from 0: layer 1 unit 0 is h1, layer 2 "
        "unit 0 is o1; the weight\nfrom_unit j -> to_unit k of layer l is "
        "coefs_[l - 1][j, k] (w5 is layer 2, 0 -> 0).\n"
    )
    print(seed_003_trace())


def run_demo(
    datasets=DEFAULT_DATASETS,
    cv=5,
    max_iter=200,
    hidden_layer_sizes=(100,),
    n_steps=10000,
):
    """Print the comparison table and seed 003 reproduced; return the table.

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
        Steps of the seed 003 network before its outputs are printed.

    Returns
    -------
    table : pandas.DataFrame
        See :func:`compare_with_mlp`.
    """
    table = compare_with_mlp(datasets, cv, max_iter, hidden_layer_sizes)
    print(format_table(table, cv, max_iter, hidden_layer_sizes))
    print(describe_machine())
    print()
    print_trace()
    outputs, error = seed_003_after(n_steps)
    label = f"After {n_steps} steps:"
    print(
        f"\n{label:<21}outputs [{outputs[0]:.9f}, "
        f"{outputs[1]:.9f}], E_total {error:.9f}"
    )
    if n_steps == 10000:
        seed_out = SEED_003_OUTPUTS_AFTER_10000
        print(
            f"{'Seed 003 reports:':<21}outputs [{seed_out[0]:.9f}, "
            f"{seed_out[1]:.9f}], "
            f"E_total {SEED_003_ERROR_AFTER_10000:.9f}\n"
            "(The ~1.5e-6 gap is in the seed's figures: its own update rule, run "
            "as a plain\nPython loop, gives the numbers above, and no step count "
            "gives the seed's.)"
        )
    return table

"""Published worked examples of backpropagation, as skbp networks.

:func:`mazur_network` returns an unfitted estimator set up as Matt Mazur's
example sets up its network (starting weights, fixed biases, learning rate,
online updates), with the example's data, so that ``fit`` or ``trace_step``
reproduces the example's printed numbers; :func:`load_admissions` returns
the data Udacity's admissions network trains on. The module imports the
estimators; nothing in skbp's library imports it.
"""

from importlib import resources

import numpy as np
import pandas as pd

from ._regressor import BackpropRegressor

# The outputs and total error Mazur reports after 10,000 online steps.
MAZUR_OUTPUTS_AFTER_10000 = (0.015912196, 0.984065734)
MAZUR_ERROR_AFTER_10000 = 0.000035085


def mazur_network(**params):
    """The 2-2-2 network of Matt Mazur's "A Step by Step Backpropagation Example".

    Inputs i = (0.05, 0.10), targets (0.01, 0.99), weights w1..w8 = 0.15,
    0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55, logistic (sigmoid) units
    everywhere, biases b1 = 0.35 and b2 = 0.6 held fixed, learning rate 0.5,
    plain online gradient descent on the squared error E = Σ ½ (target - out)².

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
        The targets of o1 and o2.

    Examples
    --------
    >>> from skbp.worked_examples import mazur_network
    >>> net, X, y = mazur_network()
    >>> round(net.trace_step(X, y).loss, 9)
    0.298371109
    """
    # Mazur names the weight from input j to hidden unit k by reading his
    # picture unit by unit (w1: i1->h1, w2: i2->h1, w3: i1->h2, ...);
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
        # The biases are held fixed: not trained, but not zero.
        fit_intercept=False,
        coefs_init=[[[w1, w3], [w2, w4]], [[w5, w7], [w6, w8]]],
        intercepts_init=[[0.35, 0.35], [0.6, 0.6]],
    )
    settings.update(params)
    X = np.array([[0.05, 0.10]])
    y = np.array([[0.01, 0.99]])
    return BackpropRegressor(**settings), X, y


def load_admissions():
    """UCLA's graduate-admissions data, as Udacity's admissions exercise uses it.

    400 applicants: ``admit`` (1 admitted, 0 not), ``gre`` (GRE score),
    ``gpa`` (grade point average) and ``rank`` (1 to 4, the prestige of the
    undergraduate institution, 1 highest). UCLA's Statistical Consulting
    Group made the data up for its logit-regression examples (``binary.csv``);
    Udacity's deep-learning course trains its 6-2-1 admissions network on the
    same file. skbp ships it unchanged; the file's source and terms are in
    ``skbp/data/README.md``.

    Returns
    -------
    data : pandas.DataFrame of shape (400, 4)
        The columns ``admit``, ``gre``, ``gpa`` and ``rank``, in the file's
        row order.

    Examples
    --------
    >>> from skbp.worked_examples import load_admissions
    >>> data = load_admissions()
    >>> data.shape
    (400, 4)
    >>> data.loc[3].tolist()  # the file's fourth applicant, admitted
    [1.0, 640.0, 3.19, 4.0]
    >>> int(data["admit"].sum())
    127
    """
    with (resources.files(__package__) / "data" / "admissions.csv").open() as f:
        return pd.read_csv(f)

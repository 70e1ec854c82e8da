"""Docstring sections shared by BackpropClassifier and BackpropRegressor.

Inserted into the estimators' docstrings by :func:`fill` where
``{common_parameters}``, ``{extra_parameters}`` and ``{common_attributes}``
stand, so that the parameters both estimators share are documented once.
"""

import re
import textwrap

from ._activations import REGISTRY


def section(text, indent):
    """A shared section, written as it reads in the source, made portable.

    A section is written where its docstring is indented by ``indent``
    spaces (4 in a class, 8 in a method): its first line, which goes where
    the placeholder stands, carries none of them, its later lines all of
    them. They are taken off here, and :func:`fill` puts back the
    placeholder's own indentation, which is what the compiler left of the
    source's: Python 3.13 strips the common indentation from ``__doc__``.

    Parameters
    ----------
    text : str
    indent : int

    Returns
    -------
    section : str
        ``text`` with its later lines indented relative to the first.
    """
    first, *rest = text.split("\n")
    prefix = " " * indent
    for line in rest:
        if line.strip() and not line.startswith(prefix):
            raise ValueError(f"not indented by {indent} spaces: {line!r}")
    return "\n".join([first, *(line[indent:] for line in rest)])


def filled(**sections):
    r"""A decorator that :func:`fill`\ s the function's own docstring.

    Put it nearest the function, so that the decorators above it (which
    copy the docstring) see it filled.

    Parameters
    ----------
    **sections : str
        As for :func:`fill`.

    Returns
    -------
    decorate : callable
    """

    def decorate(function):
        function.__doc__ = fill(function.__doc__, **sections)
        return function

    return decorate


def fill(docstring, **sections):
    r"""``docstring`` with each ``{name}`` replaced by ``sections[name]``.

    The later lines of a section (made by :func:`section`) are indented as
    the placeholder is, so that the section lines up with the docstring
    whether or not the compiler stripped its indentation.

    Examples
    --------
    >>> doc = "Summary.\n\n    Parameters\n    ----------\n    {a}\n"
    >>> a = section("a : int\n        What a is.", indent=4)
    >>> print(fill(doc, a=a))
    Summary.
    <BLANKLINE>
        Parameters
        ----------
        a : int
            What a is.
    <BLANKLINE>
    >>> print(fill("Summary.\n\nParameters\n----------\n{a}\n", a=a))
    Summary.
    <BLANKLINE>
    Parameters
    ----------
    a : int
        What a is.
    <BLANKLINE>
    """
    for name, text in sections.items():
        placeholder = "{" + name + "}"
        found = re.search(rf"^([ \t]*){re.escape(placeholder)}", docstring, re.M)
        indent = found.group(1) if found else ""
        first, _, rest = text.partition("\n")
        if rest:
            first = f"{first}\n{textwrap.indent(rest, indent)}"
        docstring = docstring.replace(placeholder, first)
    return docstring


def choices(names):
    """``names`` as a numpydoc type lists the strings a parameter takes.

    Examples
    --------
    >>> print(choices(["identity", "logistic"]))
    {"identity", "logistic"}
    """
    return "{" + ", ".join(f'"{name}"' for name in names) + "}"


def _activation_parameter():
    """The ``activation`` parameter's entry, from the activations' records."""
    hidden = [unit for unit in REGISTRY.values() if unit.hidden]
    names = [name for unit in hidden for name in (unit.name, *unit.aliases)]
    said = [
        f'``"{unit.name}"``'
        + "".join(f' (or ``"{alias}"``)' for alias in unit.aliases)
        + f" is {unit.formula}"
        for unit in hidden
    ]
    lacking = " or ".join(f'``"{u.name}"``' for u in hidden if not u.sklearn_name)
    text = (
        "Activation of the hidden units: one name for every hidden layer, or "
        "a list or tuple with one name per hidden layer (e.g. "
        '``("relu", "tanh")`` for two hidden layers). '
        f"{', '.join(said[:-1])} and {said[-1]}. The worked examples' units "
        f"are logistic ones. scikit-learn's MLP has no {lacking} units, so "
        "models with them, or with different units in different layers, "
        "cannot be converted by ``to_sklearn``. (scikit-learn's MLP defaults "
        'to ``"relu"``.)'
    )
    description = textwrap.fill(
        text,
        width=76,
        initial_indent="    ",
        subsequent_indent="    ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return (
        f'activation : {choices(names)} or list of them, default="logistic"\n'
        f"{description}"
    )


COMMON_PARAMETERS = section(
    """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.

    {activation}

    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        Weight optimisation. ``"sgd"`` with ``momentum=0``, ``batch_size=1``
        and ``shuffle=False`` is the online update of the worked examples;
        ``batch_size=n_samples`` is full-batch gradient descent.

    alpha : float, default=0.0001
        Strength of the L2 penalty α‖W‖²/(2n) added to the loss.

    batch_size : int or "auto", default="auto"
        Minibatch size for the stochastic solvers; ``"auto"`` is
        ``min(200, n_samples)``.

    learning_rate : {"constant", "invscaling", "adaptive", "cosine"} or callable, \
default="constant"
        Step-size schedule. scikit-learn's three apply to ``solver="sgd"``
        only, as in scikit-learn (Adam keeps ``learning_rate_init``):
        ``"invscaling"`` η = η₀ / (t + 1)^power_t with t the samples seen;
        ``"adaptive"`` η / 5 after ``n_iter_no_change`` epochs without
        improvement. The two skbp adds apply to ``"sgd"`` and ``"adam"``
        alike (for Adam they schedule η in its bias-corrected step
        η·√(1 − β₂ᵗ)/(1 − β₁ᵗ)):

        - ``"cosine"``: per epoch, constant within it. For the epoch of
          index e = 0, 1, ... (the epochs completed before it, counted over
          ``fit`` or across ``partial_fit`` calls), with T = ``max_iter``,
          W = ``warmup_epochs`` and η₀ = ``learning_rate_init``:
          η_e = η₀·(e + 1)/(W + 1) for e < W (linear warm-up), then
          η_e = η_min + ½(η₀ − η_min)(1 + cos(π(e − W)/(T − W))) with
          η_min = 0, so the first epoch after warm-up runs at η₀ and the
          last (e = T − 1) at η₀(1 + cos(π(T − 1 − W)/(T − W)))/2 > 0.
          Epochs past T (``partial_fit`` going on) keep the last one's rate.
          Early stopping may end the fit before T.
        - a callable ``f(epoch, step) -> float``: called before every
          update with ``epoch``, the epochs completed, and ``step``, the
          updates made before this one (both from 0, counted as for
          ``"cosine"``); its return, a finite number >= 0, is η for that
          update. Anything else is refused.

        ``fit`` starts the schedule over; ``partial_fit`` continues it.
        ``history_["learning_rate"]`` records each epoch's rate (for Adam
        its bias-corrected step, as before), ``trace_step`` the step's.
        ``"cosine"`` and a callable need a stochastic solver.

    learning_rate_init : float, default=0.001
        Initial step size η (``learnrate`` in Udacity's exercises).

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).

    shuffle : bool, default=True
        Whether to shuffle samples in each epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, shuffling and the early-stopping
        split; the same value gives scikit-learn's MLP's initial weights.

    tol : float, default=1e-4
        Improvement below which an epoch counts as no progress.

    verbose : bool, default=False
        Print the loss of each epoch.

    warm_start : bool, default=False
        Start ``fit`` from the current weights instead of re-initialising.

    momentum : float, default=0.9
        Momentum for ``solver="sgd"``, in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``solver="sgd"`` and ``momentum > 0``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its score
        stops improving; the best weights are restored. A validation set
        given to ``fit`` (``X_val``, ``y_val``) is used instead of the split.

    validation_fraction : float, default=0.1
        Share of the data held out for early stopping; unused when ``fit``
        is given ``X_val`` and ``y_val``.

    beta_1 : float, default=0.9
        Decay rate of Adam's first moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of Adam's second moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Numerical-stability constant of Adam.

    n_iter_no_change : int or np.inf, default=10
        Epochs without ``tol`` improvement before stopping.

    max_fun : int, default=15000
        Maximum number of loss evaluations for ``solver="lbfgs"``.""",
    indent=4,
)
COMMON_PARAMETERS = fill(COMMON_PARAMETERS, activation=_activation_parameter())

# The parameters skbp adds to scikit-learn's MLP.
EXTRA_PARAMETERS = section(
    """fit_intercept : bool, default=True
        Whether the intercepts (biases) are trained. With ``False`` they stay
        at ``intercepts_init`` (zeros when not given): the worked examples
        use networks without bias, or with a bias held fixed. Switched with
        ``set_params`` before ``partial_fit`` or ``trace_step``, training
        goes on with the new set: the weights keep their optimizer state
        (momentum, Adam's moments), and intercepts that start being trained
        start with none.

    coefs_init : list of array-like, default=None
        Initial weights, ``coefs_init[i]`` of shape (n_in, n_out) for layer
        i -> i+1 (as ``coefs_``). None draws them as scikit-learn does.

    intercepts_init : list of array-like, default=None
        Initial intercepts, ``intercepts_init[i]`` of shape (n_out,).

    clip_grad_norm : float, default=None
        Largest global L2 norm of a batch's gradient (all trained weights
        and intercepts as one vector): a longer gradient is scaled down to
        this norm before the optimizer's update, which keeps a step from
        blowing up the weights. Stochastic solvers only: with
        ``solver="lbfgs"``, whose line search needs the loss's own gradient,
        a fit refuses it, as it refuses ``dropout``.
        None never clips. ``history_`` counts the clipped batches of each
        epoch in a column ``clipped``. The gradient clipped is that of the
        loss with its L2 penalty (``alpha``) included, as
        ``torch.nn.utils.clip_grad_norm_`` on a loss that includes the
        penalty, and unlike the ``weight_decay`` of torch's optimizers,
        which is added after clipping.

    dropout : float or array-like of shape (n_layers - 2,), default=0.0
        Probability p in [0, 1) of dropping each hidden unit, for every
        hidden layer or one per hidden layer. While training, for every
        sample of every batch, each unit's output is multiplied by 0 with
        probability p and by 1 / (1 - p) otherwise (inverted dropout), in
        the forward and the backward pass alike; the expected output is
        unchanged, so ``predict`` and the validation score use the whole
        network as it is. The masks are drawn from ``random_state``: the
        same value gives the same fit, bit for bit. ``loss_curve_`` records
        the training loss with dropout. Stochastic solvers only (L-BFGS
        needs a deterministic loss), and only 0 for a network without hidden
        layers (``hidden_layer_sizes=()``), which has no unit to drop; 0
        leaves training exactly as without it.

    warmup_epochs : int, default=0
        Epochs W of linear warm-up before ``learning_rate="cosine"``'s
        annealing (η₀·(e + 1)/(W + 1) in epoch e < W); less than
        ``max_iter``. 0 starts at η₀; another schedule refuses W > 0.

    weight_decay : float, default=0.0
        λ of decoupled weight decay (Loshchilov & Hutter 2019, AdamW's and
        ``torch.optim.AdamW``'s form), for ``solver="sgd"`` and ``"adam"``:
        every update also shrinks each weight by η·λ·w, outside the
        gradient, w ← w − η·λ·w − (the optimizer's step), where η is the
        scheduled step size of that update -- ``learning_rate_init`` or
        ``"cosine"``'s or the callable's η for Adam (not its bias-corrected
        step), SGD's current rate (``"invscaling"`` and ``"adaptive"``
        included). It acts on the weights only, not the intercepts (as
        ``alpha``), and is no part of the loss or its gradient: momentum
        and Adam's moments do not see it, ``loss_curve_`` and
        ``check_gradients`` are as without it. Unlike ``alpha``'s
        penalty, whose gradient α·w/n Adam divides by √v̂, the decay is the
        same fraction η·λ for every weight. 0 leaves training as
        scikit-learn's. Stochastic solvers only.

    restore_best : {"score", "loss"}, default="score"
        Which epoch's weights early stopping restores at the end of a fit:
        ``"score"``, scikit-learn's, the first with the highest validation
        score (``validation_scores_``); ``"loss"``, the first with the
        lowest validation loss (``validation_loss_curve_``), which moves
        with every change of the outputs where accuracy moves in steps of
        one sample. When to stop is decided by the score either way
        (``n_iter_no_change``, ``tol``). Without early stopping the last
        epoch's weights are kept, as scikit-learn keeps them.""",
    indent=4,
)

COMMON_ATTRIBUTES = section(
    """\
loss_ : float
        Loss after the last epoch (the final loss for lbfgs).

    best_loss_ : float or None
        Lowest training loss seen (stochastic solvers, without early
        stopping). None after a fit with early stopping; a later call that
        follows the training loss instead (``trace_step``, or ``partial_fit``
        once ``early_stopping`` is set to False) starts it from the lowest
        loss in ``loss_curve_``.

    loss_curve_ : list of float
        Loss of each epoch, computed batch by batch before each update
        (stochastic solvers). With one sample per epoch the first entry is
        the loss E of the initial weights.

    history_ : pandas.DataFrame
        One row per epoch (stochastic solvers): loss, validation score and
        validation loss, learning rate, seconds and each layer's gradient norm (before
        clipping), plus the number of clipped batches with ``clip_grad_norm``.

    validation_scores_ : list of float or None
        Validation score of each epoch, with ``early_stopping=True`` or a
        validation set given to ``fit`` (``X_val``, ``y_val``).

    validation_loss_curve_ : list of float or None
        The loss of ``loss_curve_`` on the validation data after each epoch,
        beside ``validation_scores_``: Σw·E/Σw over the validation samples,
        computed with the epoch's final weights and without the L2 term,
        which ``loss_curve_`` includes as scikit-learn's does (that term is
        divided by each batch's size and would differ with the set's size;
        the curve measures the fit to unseen data alone). It is on the
        internal split with ``early_stopping=True`` and no ``X_val``.

    best_validation_score_ : float or None
        Best validation score, with ``early_stopping=True`` or ``X_val``.

    t_ : int
        Number of training samples seen by the solver.

    coefs_ : list of ndarray
        ``coefs_[i]`` of shape (n_in, n_out): weights from layer i to i+1.

    intercepts_ : list of ndarray
        ``intercepts_[i]`` of shape (n_out,): biases of layer i+1.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    n_iter_ : int
        Number of epochs (iterations for lbfgs) run.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Name of the output activation.

    hidden_activations_ : tuple of str
        The hidden units the network was fitted with, one name per hidden
        layer (``"sigmoid"`` given as ``"logistic"``). ``predict``, the
        ONNX export, ``to_sklearn`` and the displays compute with these;
        ``activation`` changed by ``set_params`` takes effect at the next
        fit from scratch. Training these weights on (``partial_fit``,
        ``fit`` with ``warm_start=True``, ``trace_step``,
        :func:`skbp.check_gradients`) with other units is refused, as with
        other layer sizes.""",
    indent=4,
)

# Notes and References shared by both estimators (where ``{references}``
# stands, after See Also).
REFERENCES = section(
    """Notes
    -----
    The weights are trained by backpropagation [1]_ of the loss through the
    layers, one minibatch at a time (or full-batch with L-BFGS). Initial
    weights are drawn uniformly within Glorot and Bengio's bounds [2]_ with
    scikit-learn's factors (2 for logistic units, 6 otherwise), also for relu
    units, for which He et al. [3]_ derive another scale. ``solver="adam"``
    is Kingma and Ba's method [4]_.

    References
    ----------
    .. [1] D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning
       representations by back-propagating errors", Nature 323, 533-536
       (1986). https://doi.org/10.1038/323533a0
    .. [2] X. Glorot and Y. Bengio, "Understanding the difficulty of training
       deep feedforward neural networks", AISTATS, PMLR 9, 249-256 (2010).
       https://proceedings.mlr.press/v9/glorot10a.html
    .. [3] K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers:
       surpassing human-level performance on ImageNet classification",
       ICCV, 1026-1034 (2015). https://arxiv.org/abs/1502.01852
    .. [4] D. P. Kingma and J. Ba, "Adam: A method for stochastic
       optimization", ICLR (2015). https://arxiv.org/abs/1412.6980""",
    indent=4,
)


# fit's X_val, the same in both estimators.
X_VAL = section(
    """X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
default=None
            A validation set of one's own, scored after every epoch
            (``validation_scores_``, ``validation_loss_curve_``). With
            ``early_stopping=True`` it replaces the split of X, which then
            trains on all of X (``validation_fraction`` is unused); without,
            it is only recorded and the weights are those a fit without it
            gives. Stochastic solvers only. In a Pipeline, X_val is not
            transformed by the earlier steps unless the pipeline is told so:
            ``Pipeline(..., transform_input=["X_val"])`` with metadata
            routing enabled (see the user guide's early stopping section).""",
    indent=8,
)

# How partial_fit follows set_params, the same in both estimators.
PARTIAL_FIT = section(
    """Training goes on with the parameters as they are at the call: a
        ``learning_rate_init``, ``momentum``, ``beta_1``, schedule or
        ``solver`` set with ``set_params`` since the last call takes effect.
        The optimizer's momentum or moments, step count and epoch carry over
        and its step size is rescaled by new / old ``learning_rate_init``;
        another solver starts its own state at zero. (scikit-learn's MLP
        keeps the optimizer of its first call and ignores such changes.)""",
    indent=8,
)

# The description of trace_step, shared by both estimators; inserted where
# ``{trace_step}`` stands in their method docstrings.
TRACE_STEP = section(
    """The whole of ``X`` is one batch: one forward pass, one backward pass
        and one optimizer update from the current weights (the initial
        weights -- ``coefs_init``/``intercepts_init`` or the Glorot draw --
        when the estimator is not fitted yet). Afterwards the estimator is
        fitted, exactly as after ``partial_fit`` with ``batch_size=len(X)``
        and ``shuffle=False``.

        With ``clip_grad_norm`` set, the gradient is clipped as in ``fit``:
        the ``updates`` table's ``gradient`` is then the clipped one that the
        optimizer applied, while the ``backward`` table's δ and
        ``history_``'s ``grad_norm_*`` are those before clipping.

        With ``dropout``, the step draws its masks as ``fit`` would; the
        ``forward`` table gains a column ``mask`` (the factor each unit's
        output was multiplied by: 0 or 1 / (1 - p)) and ``trace.masks``
        holds them as arrays, which :func:`skbp.check_gradients` can hold
        fixed. ``output`` is the unit's output before the mask.

        A step that makes a weight, or the network's output for ``X``,
        infinite or NaN is shown as it is, but the model keeps its weights
        (and records) from before the step, and a ``ConvergenceWarning``
        says so -- as ``fit`` rolls back a diverging epoch.

        Any fitted model can be traced, whatever its ``early_stopping``: the
        step holds no data out for validation and records no validation
        score (``partial_fit`` refuses ``early_stopping=True``, as
        scikit-learn's does).

        ``trace.explain()`` writes the step out in the worked examples' order,
        each formula with its numbers substituted
        (:meth:`skbp.StepTrace.explain`).""",
    indent=8,
)

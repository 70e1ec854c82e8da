"""BackpropClassifier: labels in, class probabilities out."""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    check_classification_targets,
    unique_labels,
)
from sklearn.utils.validation import column_or_1d, validate_data

from . import _sklearn_bridge
from ._activations import OUT_ACTIVATION_NAMES
from ._base import BaseBackprop
from ._docstrings import (
    COMMON_ATTRIBUTES,
    COMMON_PARAMETERS,
    EXTRA_PARAMETERS,
    PARTIAL_FIT,
    REFERENCES,
    TRACE_STEP,
    X_VAL,
    choices,
    fill,
    filled,
    section,
)
from ._labels import LabelsMixin, _check_batch_defines_classes, _labels_checked
from ._params import _ListedStrOptions
from ._training import restore_on_error

_LOSS_DOC = section(
    """\
loss : {"log_loss", "squared_error"}, default="log_loss"
        ``"log_loss"``: cross-entropy (binary per logistic output,
        categorical with softmax), as scikit-learn's MLPClassifier.
        ``"squared_error"``: the worked examples' E = ½Σ(y - out)² on the
        0/1 indicator targets.""",
    indent=4,
)

_OUT_DOC = section(
    f"""\
out_activation : {choices(OUT_ACTIVATION_NAMES["classifier"])} or None, \
default=None
        Output units. None picks softmax for multiclass targets and logistic
        for binary and multilabel ones.""",
    indent=4,
)


class BackpropClassifier(LabelsMixin, ClassifierMixin, BaseBackprop):
    """Multilayer perceptron classifier trained by hand-written backpropagation.

    A drop-in for :class:`sklearn.neural_network.MLPClassifier` (same
    parameters, meanings and fitted attributes) whose default hidden unit is
    the logistic sigmoid, which can start from chosen weights
    (``coefs_init``, ``intercepts_init``), and whose every step can be
    inspected with :meth:`trace_step`.

    A fitted :class:`~sklearn.neural_network.MLPClassifier` becomes one with
    :meth:`from_sklearn`, weights and all, and :meth:`to_sklearn` turns
    it back.

    Parameters
    ----------
    {common_parameters}

    {loss}

    {out_activation}

    {extra_parameters}

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``: a dict
        ``{label: weight}``, or ``"balanced"`` for n_samples / (n_classes *
        count(label)), where with ``sample_weight`` a row counts as its
        weight (as scikit-learn's ``compute_class_weight`` counts from 1.7
        on), so a weight of 2 stays the same as the row twice. For multilabel
        targets the weights are per label column (see
        :func:`sklearn.utils.class_weight.compute_sample_weight`).
        ``partial_fit`` refuses ``"balanced"``, since one batch's class
        counts are not the data's: compute the weights once with
        :func:`sklearn.utils.class_weight.compute_class_weight` and pass
        them as a dict.
        scikit-learn's MLPClassifier has no class_weight: ``to_sklearn``
        converts a model trained with it, and warns that the MLP trains on
        without it.

    label_smoothing : float in [0, 1), default=0.0
        Trains against smoothed targets instead of the 0/1 indicator
        (Szegedy et al. 2016; ``torch.nn.CrossEntropyLoss(label_smoothing=)``
        and Keras's ``label_smoothing`` for multiclass):

        - a softmax output over K classes: t = y·(1 − ε) + ε/K, so the
          loss is −Σ_k t_k·log p_k = (1 − ε)·(−log p_y) + ε·(−(1/K)·Σ_k log p_k);
        - every other output (logistic: binary and multilabel targets, each
          label its own two-class problem): t = y·(1 − ε) + ε/2, in
          −(t·log p + (1 − t)·log(1 − p)).

        The gradient at the output is then δ = out − t. With
        ``loss="squared_error"`` the same t replace the 0/1 targets in
        ½Σ(t − out)². The loss is the one against t wherever skbp reports
        it: ``loss_curve_``, ``loss_``, ``trace_step`` (whose ``y`` holds
        the t it trained on), :func:`skbp.check_gradients`, and
        ``validation_loss_curve_``, so that the training and validation
        curves compare (as Keras's loss with ``label_smoothing`` does). The
        labels themselves are what ``classes_``, ``predict``, the
        early-stopping split and ``validation_scores_`` use. 0 trains on
        the labels, with scikit-learn's numbers. scikit-learn's MLPClassifier
        has no label smoothing: ``to_sklearn`` converts a model trained with
        it, and warns that the MLP trains on without it.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels.

    {common_attributes}

    See Also
    --------
    BackpropRegressor : The regressor.
    sklearn.neural_network.MLPClassifier : scikit-learn's MLP classifier.

    {references}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skbp import BackpropClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(
    ...     StandardScaler(),
    ...     BackpropClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.05,
    ...                        max_iter=300, random_state=0),
    ... ).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    >>> clf.predict_proba(X[:1]).round(2)
    array([[1., 0., 0.]])
    """

    _parameter_constraints: dict = {
        **BaseBackprop._parameter_constraints,
        "loss": [StrOptions({"log_loss", "squared_error"})],
        "out_activation": [None, _ListedStrOptions(OUT_ACTIVATION_NAMES["classifier"])],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="logistic",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        loss="log_loss",
        out_activation=None,
        fit_intercept=True,
        coefs_init=None,
        intercepts_init=None,
        clip_grad_norm=None,
        dropout=0.0,
        warmup_epochs=0,
        weight_decay=0.0,
        restore_best="score",
        class_weight=None,
        label_smoothing=0.0,
    ):
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            loss=loss,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            out_activation=out_activation,
            fit_intercept=fit_intercept,
            coefs_init=coefs_init,
            intercepts_init=intercepts_init,
            clip_grad_norm=clip_grad_norm,
            dropout=dropout,
            warmup_epochs=warmup_epochs,
            weight_decay=weight_decay,
            restore_best=restore_best,
        )

    def _default_out_activation(self, n_outputs):
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        with _labels_checked(y):
            # Not NaN for scikit-learn's check (None == None), but unsortable.
            check_classification_targets(y)

        # Labels are (re)learnt on a fresh fit; warm starts and partial_fit
        # keep them and only check the new y against them.
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same "
                        "classes as in the previous call to fit. Previously "
                        f"got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. "
                    f"`self.classes_` has {self.classes_}. 'y' has {classes}."
                )
        return X, self._indicator(y, X.dtype)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the network to data X and labels y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a label indicator matrix for multilabel.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; the loss becomes Σw·E/Σw.
        {x_val}
        y_val : array-like of shape (n_val,) or (n_val, n_labels), default=None
            Its labels, all among those of y; required with X_val.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples, in the score and the loss.

        Returns
        -------
        self : BackpropClassifier
            The fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            incremental=False,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
        )

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    @filled(partial_fit=PARTIAL_FIT)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the network with one epoch over the given data.

        {partial_fit}

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        classes : array-like of shape (n_classes,), default=None
            All classes across calls; required on the first call.

        Returns
        -------
        self : BackpropClassifier
            The updated estimator.
        """
        # The classes are learnt before X is checked: a first call refused
        # must not leave them for the next to be compared against.
        with restore_on_error(self):
            self._learn_classes(y, classes)
            return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def trace_step(self, X, y, sample_weight=None, classes=None):
        """Perform one training step on (X, y) and return every number of it.

        {trace_step}

        The network has one output per class, so an unfitted classifier must
        know all of them: pass ``classes`` as to ``partial_fit``. Without it
        the classes are the labels the batch holds, and a batch of a single
        class is refused. A fitted classifier keeps its classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The batch.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Its class labels, or a label indicator matrix for multilabel.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        classes : array-like of shape (n_classes,), default=None
            All classes of the problem, as for ``partial_fit``; needed on
            the first call when the batch does not hold every class.

        Returns
        -------
        trace : skbp.StepTrace
            Tables ``forward``, ``backward`` and ``updates`` (pandas
            DataFrames) and the batch ``loss`` before the step.

        Raises
        ------
        ValueError
            If the classifier is unfitted, ``classes`` is not given and the
            batch holds a single class; or if ``classes`` differs from the
            classes of a fitted classifier.

        Examples
        --------
        A binary problem has one logistic output unit. ``forward`` has a row
        per sample, layer and unit; ``loss`` is the batch's log loss before
        the step, the mean of -log(1 - 0.7436) for the sample of class 0 and
        -log(0.7510) for the one of class 1:

        >>> from skbp import BackpropClassifier
        >>> net = BackpropClassifier(hidden_layer_sizes=(2,), solver="sgd",
        ...                          random_state=0)
        >>> trace = net.trace_step([[0.05, 0.10], [0.90, 0.20]], [0, 1])
        >>> trace.forward.shape  # 2 samples x (2 hidden + 1 output) units
        (6, 5)
        >>> print(trace.forward.query("layer == 2").round(4).to_string(index=False))
         sample  layer  unit  net_input  output
              0      2     0     1.0647  0.7436
              1      2     0     1.1038  0.7510
        >>> round(trace.loss, 4)
        0.8237

        A batch of two samples of a three-class problem:

        >>> net = BackpropClassifier(hidden_layer_sizes=(2,), solver="sgd",
        ...                          random_state=0)
        >>> trace = net.trace_step([[0.0, 1.0], [1.0, 0.0]], [0, 2],
        ...                        classes=[0, 1, 2])
        >>> net.n_outputs_, net.out_activation_
        (3, 'softmax')
        >>> trace.backward.query("layer == 2").shape[0]  # 2 samples x 3 units
        6
        """
        with restore_on_error(self):
            if classes is not None:
                self._learn_classes(y, classes)
            elif not hasattr(self, "classes_"):
                with _labels_checked(y):
                    _check_batch_defines_classes(y)
            return super().trace_step(X, y, sample_weight=sample_weight)

    @classmethod
    def from_sklearn(cls, mlp):
        """Turn a fitted scikit-learn MLPClassifier into a BackpropClassifier.

        The result has the MLP's parameters (its own ``activation``, not
        skbp's default), weights, classes and training records (``n_iter_``,
        ``t_``, ``loss_``, ``loss_curve_``, ``best_loss_``,
        ``validation_scores_``, ``best_validation_score_``), all copied. It
        predicts as the MLP does, and ``trace_step``, ``partial_fit`` and
        :func:`skbp.check_gradients` work on it. The state of an SGD or
        Adam optimizer -- momentum velocities, Adam's moments and step
        count, the current step size -- is carried over, so that
        ``partial_fit`` continues as the MLP's own ``partial_fit`` would.

        Parameters
        ----------
        mlp : sklearn.neural_network.MLPClassifier
            A fitted MLP; it is not changed and shares no array with the
            result.

        Returns
        -------
        net : BackpropClassifier
            The fitted network.

        Raises
        ------
        TypeError
            If ``mlp`` is not an MLPClassifier.
        sklearn.exceptions.NotFittedError
            If ``mlp`` is not fitted.

        See Also
        --------
        to_sklearn : The other way.

        Notes
        -----
        Predicted labels are the MLP's; probabilities agree with its to a few
        units in the last place, as skbp computes the logistic and softmax
        outputs with formulations of its own. ``history_`` lists the MLP's
        epochs with their losses (and validation scores); scikit-learn does
        not record learning rates, timings or gradient norms, so those
        columns are NaN for them.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.neural_network import MLPClassifier
        >>> from skbp import BackpropClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> mlp = MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs",
        ...                     max_iter=1000, random_state=0).fit(X, y)
        >>> net = BackpropClassifier.from_sklearn(mlp)
        >>> net.activation, net.classes_
        ('relu', array([0, 1, 2]))
        >>> bool((net.predict(X) == mlp.predict(X)).all())
        True
        >>> trace = net.set_params(solver="sgd").trace_step(X[:2], y[:2])
        >>> trace.updates.shape[0]  # 4*5 + 5*3 weights, 5 + 3 intercepts
        43
        """
        return _sklearn_bridge.from_sklearn(cls, mlp)

    def to_sklearn(self):
        """This fitted network as a scikit-learn MLPClassifier.

        The MLP gets the parameters scikit-learn has (``activation="sigmoid"``
        becomes ``"logistic"``), copies of the weights, classes and training
        records, and the state of the SGD or Adam optimizer, so that its
        ``partial_fit`` continues where this network's would. The hidden
        units are those the network was fitted with,
        ``hidden_activations_``. skbp's own parameters are not carried:
        ``coefs_init`` and ``intercepts_init`` only chose the starting
        weights, and the settings scikit-learn lacks that act in training
        only (``dropout``, ``clip_grad_norm``, ``class_weight``,
        ``label_smoothing``, ``weight_decay``, ``learning_rate="cosine"`` or
        a callable, ``restore_best="loss"``) leave a model that converts to
        an MLP that predicts as it does -- but would train on without them
        (at a constant ``learning_rate_init`` in place of skbp's schedule).

        Returns
        -------
        mlp : sklearn.neural_network.MLPClassifier
            Fitted; shares no array with this network.

        Raises
        ------
        ValueError
            If scikit-learn cannot express the model; the message names the
            parameter: ``loss="squared_error"``, ``fit_intercept=False``,
            hidden units scikit-learn lacks (e.g. ``"softplus"``) or
            different ones in different layers, or
            an ``out_activation`` that gives other output units than
            MLPClassifier's (softmax for multiclass targets, logistic
            otherwise).
        sklearn.exceptions.NotFittedError
            If the network is not fitted.

        Warns
        -----
        UserWarning
            If the model uses any of the training-only settings above,
            naming each: MLPClassifier has none of them, and its
            ``partial_fit`` or warm-started ``fit`` trains without them.

        See Also
        --------
        from_sklearn : The other way.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from skbp import BackpropClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> net = BackpropClassifier(hidden_layer_sizes=(5,), solver="lbfgs",
        ...                          max_iter=1000, random_state=0).fit(X, y)
        >>> mlp = net.to_sklearn()
        >>> mlp.activation, mlp.out_activation_
        ('logistic', 'softmax')
        >>> bool((mlp.predict(X) == net.predict(X)).all())
        True
        >>> net.set_params(out_activation="logistic").fit(X, y).to_sklearn()
        Traceback (most recent call last):
        ...
        ValueError: out_activation='logistic' cannot be converted: ...
        """
        return _sklearn_bridge.to_sklearn(self)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted classes.
        """
        return self._targets(self._output(X))

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``. Logistic
            outputs of a multiclass target are scaled to sum to 1 in each
            row, as :class:`~sklearn.multiclass.OneVsRestClassifier` scales
            its classifiers' (uniform where all of them are 0); those of a
            multilabel target are each label's own probability.
        """
        out = self._output(X)
        if self.n_outputs_ == 1:
            p = out[:, 0]
            return np.column_stack([1 - p, p])
        if self.out_activation_ != "softmax" and self._label_binarizer.y_type_ == (
            "multiclass"
        ):
            # One logistic unit per class scores each class against the rest;
            # scikit-learn's scorers (roc_auc_ovr, log_loss) and ensembles
            # read predict_proba as a distribution over the classes.
            total = out.sum(axis=1, keepdims=True)
            np.divide(out, total, out=out, where=total > 0)
            out[total[:, 0] == 0] = 1 / out.shape[1]
        return out

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``; -inf where a probability is 0.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def _score_outputs(self, out, y, sample_weight=None):
        y_pred = self._targets(out)
        return accuracy_score(self._targets(y), y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


BackpropClassifier.fit.__doc__ = fill(BackpropClassifier.fit.__doc__, x_val=X_VAL)
BackpropClassifier.__doc__ = fill(
    BackpropClassifier.__doc__,
    common_parameters=COMMON_PARAMETERS,
    extra_parameters=EXTRA_PARAMETERS,
    loss=_LOSS_DOC,
    out_activation=_OUT_DOC,
    common_attributes=COMMON_ATTRIBUTES,
    references=REFERENCES,
)
BackpropClassifier.trace_step.__doc__ = fill(
    BackpropClassifier.trace_step.__doc__, trace_step=TRACE_STEP
)

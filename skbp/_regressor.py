"""BackpropRegressor: real-valued targets, one output unit per target."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, column_or_1d, validate_data

from . import _sklearn_bridge
from ._activations import OUT_ACTIVATION_NAMES
from ._base import BaseBackprop
from ._docstrings import (
    COMMON_ATTRIBUTES,
    COMMON_PARAMETERS,
    EXTRA_PARAMETERS,
    PARTIAL_FIT,
    REFERENCES,
    X_VAL,
    choices,
    fill,
    filled,
    section,
)
from ._network import quiet_overflow
from ._params import _ListedStrOptions

_LOSS_DOC = section(
    """\
loss : {"squared_error", "poisson"}, default="squared_error"
        ``"squared_error"``: E = mean over samples of Σ_k ½(y_k - out_k)²,
        the worked examples' total error (scikit-learn also divides by the
        number of outputs). ``"poisson"``: half Poisson deviance with an exp
        output; targets must be non-negative.""",
    indent=4,
)

_OUT_DOC = section(
    f"""\
out_activation : {choices(OUT_ACTIVATION_NAMES["regressor"])} or None, \
default=None
        Output units. None is identity (exp for ``loss="poisson"``);
        ``"logistic"`` reproduces the worked examples, whose outputs are
        sigmoid units.""",
    indent=4,
)


class BackpropRegressor(RegressorMixin, BaseBackprop):
    """Multilayer perceptron regressor trained by hand-written backpropagation.

    A drop-in for :class:`sklearn.neural_network.MLPRegressor` (same
    parameters, meanings and fitted attributes) whose default hidden unit is
    the logistic sigmoid, which can start from chosen weights and whose
    output units can be sigmoid as in the worked examples.

    A fitted :class:`~sklearn.neural_network.MLPRegressor` becomes one with
    :meth:`from_sklearn`, weights and all, and :meth:`to_sklearn` turns
    it back.

    Parameters
    ----------
    {loss}

    {common_parameters}

    {out_activation}

    {extra_parameters}

    Attributes
    ----------
    {common_attributes}

    See Also
    --------
    BackpropClassifier : The classifier.
    sklearn.neural_network.MLPRegressor : scikit-learn's MLP regressor.

    {references}

    Examples
    --------
    Udacity's backpropagation exercise: one online step of a 3-2-1 network
    without bias, learning rate 0.5, changes the hidden-to-output weights by
    the exercise's ``delta_w_h_o``:

    >>> import numpy as np
    >>> from skbp import BackpropRegressor
    >>> w_i_h = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    >>> w_h_o = np.array([[0.1], [-0.3]])
    >>> net = BackpropRegressor(
    ...     hidden_layer_sizes=(2,), solver="sgd", learning_rate_init=0.5,
    ...     momentum=0, alpha=0, max_iter=1, shuffle=False,
    ...     out_activation="sigmoid", fit_intercept=False,
    ...     coefs_init=[w_i_h, w_h_o])
    >>> net = net.partial_fit([[0.5, 0.1, -0.2]], [0.6])
    >>> (net.coefs_[1] - w_h_o).ravel()
    array([0.00804047, 0.00555918])
    """

    _parameter_constraints: dict = {
        **BaseBackprop._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
        "out_activation": [
            None,
            _ListedStrOptions(OUT_ACTIVATION_NAMES["regressor"]),
        ],
    }

    def __init__(
        self,
        loss="squared_error",
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
        out_activation=None,
        fit_intercept=True,
        coefs_init=None,
        intercepts_init=None,
        clip_grad_norm=None,
        dropout=0.0,
        warmup_epochs=0,
        weight_decay=0.0,
        restore_best="score",
    ):
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
        return "identity"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.dtype.kind in "US":
            # scikit-learn converts only object targets to numbers; an array
            # of strings would fail later, in the arithmetic, without saying
            # it is y (numbers written as text still convert, as before).
            y = y.astype(X.dtype)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "loss='poisson'."
            )
        return X, y

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
        """Fit the network to data X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; the loss becomes Σw·E/Σw.
        {x_val}
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Its targets; required with X_val.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples, in the score and the loss.

        Returns
        -------
        self : BackpropRegressor
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
    def partial_fit(self, X, y, sample_weight=None):
        """Update the network with one epoch over the given data.

        {partial_fit}

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : BackpropRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    @classmethod
    def from_sklearn(cls, mlp):
        """Turn a fitted scikit-learn MLPRegressor into a BackpropRegressor.

        The result has the MLP's parameters (its own ``activation`` and
        ``loss``, not skbp's defaults), weights and training records
        (``n_iter_``, ``t_``, ``loss_``, ``loss_curve_``, ``best_loss_``,
        ``validation_scores_``, ``best_validation_score_``), all copied. It
        predicts as the MLP does, and ``trace_step``, ``partial_fit`` and
        :func:`skbp.check_gradients` work on it. The state of an SGD or
        Adam optimizer -- momentum velocities, Adam's moments and step
        count, the current step size -- is carried over, so that
        ``partial_fit`` moves the weights as the MLP's own ``partial_fit``
        would.

        Parameters
        ----------
        mlp : sklearn.neural_network.MLPRegressor
            A fitted MLP; it is not changed and shares no array with the
            result.

        Returns
        -------
        net : BackpropRegressor
            The fitted network.

        Raises
        ------
        TypeError
            If ``mlp`` is not an MLPRegressor.
        sklearn.exceptions.NotFittedError
            If ``mlp`` is not fitted.

        See Also
        --------
        to_sklearn : The other way.

        Notes
        -----
        ``loss_``, ``loss_curve_`` and ``best_loss_`` are copied as
        scikit-learn computed them. Its squared error is divided by the
        number of outputs and skbp's is not, so for several outputs they are
        1/n_outputs of the values skbp reports for the same weights, and
        epochs trained afterwards add values of skbp's convention. The
        gradients, and so the weights and predictions, are the same.
        ``history_`` lists the MLP's epochs with their losses (and validation
        scores); scikit-learn does not record learning rates, timings or
        gradient norms, so those columns are NaN for them.

        Examples
        --------
        >>> from sklearn.datasets import load_diabetes
        >>> from sklearn.neural_network import MLPRegressor
        >>> from skbp import BackpropRegressor
        >>> X, y = load_diabetes(return_X_y=True)
        >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs",
        ...                    max_iter=2000, random_state=0).fit(X, y / 100)
        >>> net = BackpropRegressor.from_sklearn(mlp)
        >>> net.activation, net.out_activation_
        ('relu', 'identity')
        >>> bool(abs(net.predict(X) - mlp.predict(X)).max() < 1e-12)
        True
        """
        return _sklearn_bridge.from_sklearn(cls, mlp)

    def to_sklearn(self):
        """This fitted network as a scikit-learn MLPRegressor.

        The MLP gets the parameters scikit-learn has (``activation="sigmoid"``
        becomes ``"logistic"``), copies of the weights and training records,
        and the state of the SGD or Adam optimizer, so that its
        ``partial_fit`` continues where this network's would. The hidden
        units are those the network was fitted with,
        ``hidden_activations_``. skbp's own parameters are not carried:
        ``coefs_init`` and ``intercepts_init`` only chose the starting
        weights, and the settings scikit-learn lacks that act in training
        only (``dropout``, ``clip_grad_norm``, ``weight_decay``,
        ``learning_rate="cosine"`` or a callable, ``restore_best="loss"``)
        leave a model that converts to an MLP that predicts as it does --
        but would train on without them (at a constant
        ``learning_rate_init`` in place of skbp's schedule). ``loss_``,
        ``loss_curve_`` and ``best_loss_`` are copied as skbp computed them
        (for several outputs, n_outputs times scikit-learn's squared error).

        Returns
        -------
        mlp : sklearn.neural_network.MLPRegressor
            Fitted; shares no array with this network.

        Raises
        ------
        ValueError
            If scikit-learn cannot express the model; the message names the
            parameter: ``fit_intercept=False``, hidden units scikit-learn
            lacks (e.g. ``"softplus"``) or different ones in different
            layers, a ``loss`` this scikit-learn's MLPRegressor
            lacks, or an ``out_activation`` other than its output units
            (identity; exp for Poisson).
        sklearn.exceptions.NotFittedError
            If the network is not fitted.

        Warns
        -----
        UserWarning
            If the model uses any of the training-only settings above,
            naming each: MLPRegressor has none of them, and its
            ``partial_fit`` or warm-started ``fit`` trains without them.

        See Also
        --------
        from_sklearn : The other way.

        Examples
        --------
        >>> import numpy as np
        >>> from skbp import BackpropRegressor
        >>> rng = np.random.RandomState(0)
        >>> X = rng.randn(40, 3)
        >>> y = X @ [1.0, -2.0, 0.5]
        >>> net = BackpropRegressor(hidden_layer_sizes=(4,), solver="lbfgs",
        ...                         random_state=0).fit(X, y)
        >>> mlp = net.to_sklearn()
        >>> bool(np.array_equal(mlp.coefs_[0], net.coefs_[0]))
        True
        >>> net.set_params(out_activation="logistic").fit(X, y > 0).to_sklearn()
        Traceback (most recent call last):
        ...
        ValueError: out_activation='logistic' cannot be converted: ...
        """
        return _sklearn_bridge.to_sklearn(self)

    def predict(self, X):
        """Predict targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values.
        """
        return self._targets(self._output(X))

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R² of the predictions for X.

        scikit-learn's regressors' ``score``, ``r2_score(y, predict(X))``,
        without numpy's overflow warnings: predictions so far from ``y``
        that their squared residuals overflow score ``-inf``, the limit R²
        takes as they grow (NaN when the spread of ``y`` itself overflows
        as well).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` against ``y``, averaged uniformly over
            the outputs.
        """
        y_pred = self.predict(X)
        with quiet_overflow():
            return r2_score(y, y_pred, sample_weight=sample_weight)

    def _targets(self, out):
        """Targets in the user's shape: 1-D for a single output."""
        return out.ravel() if out.shape[1] == 1 else out

    def _score_outputs(self, out, y, sample_weight=None):
        return r2_score(
            self._targets(y), self._targets(out), sample_weight=sample_weight
        )

    def _validation_targets(self, y_val, dtype):
        y_val = check_array(y_val, ensure_2d=False, dtype=dtype, input_name="y_val")
        if y_val.ndim == 1:
            y_val = y_val.reshape(-1, 1)
        n_outputs = self.coefs_[-1].shape[1]
        if y_val.ndim != 2 or y_val.shape[1] != n_outputs:
            raise ValueError(
                f"y_val has {y_val.shape[1:]} outputs per sample, y has {n_outputs}."
            )
        if self.loss == "poisson" and np.any(y_val < 0):
            raise ValueError(
                "Some value(s) of y_val are negative which is not allowed for "
                "loss='poisson'."
            )
        return y_val


BackpropRegressor.fit.__doc__ = fill(BackpropRegressor.fit.__doc__, x_val=X_VAL)
BackpropRegressor.__doc__ = fill(
    BackpropRegressor.__doc__,
    common_parameters=COMMON_PARAMETERS,
    extra_parameters=EXTRA_PARAMETERS,
    loss=_LOSS_DOC,
    out_activation=_OUT_DOC,
    common_attributes=COMMON_ATTRIBUTES,
    references=REFERENCES,
)

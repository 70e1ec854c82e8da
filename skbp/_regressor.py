"""BackpropRegressor: real-valued targets, one output unit per target."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import column_or_1d, validate_data

from ._base import BaseBackprop
from ._docstrings import COMMON_ATTRIBUTES, COMMON_PARAMETERS, EXTRA_PARAMETERS

_LOSS_DOC = """\
loss : {"squared_error", "poisson"}, default="squared_error"
        ``"squared_error"``: E = mean over samples of Σ_k ½(y_k - out_k)²,
        the worked examples' total error (scikit-learn also divides by the
        number of outputs). ``"poisson"``: half Poisson deviance with an exp
        output; targets must be non-negative."""

_OUT_DOC = """\
out_activation : {"identity", "logistic", "sigmoid", "tanh", "relu", \
"softmax"} or None, default=None
        Output units. None is identity (exp for ``loss="poisson"``);
        ``"logistic"`` reproduces the worked examples, whose outputs are
        sigmoid units."""


class BackpropRegressor(RegressorMixin, BaseBackprop):
    """Multilayer perceptron regressor trained by hand-written backpropagation.

    A drop-in for :class:`sklearn.neural_network.MLPRegressor` (same
    parameters, meanings and fitted attributes) whose default hidden unit is
    the logistic sigmoid, which can start from chosen weights and whose
    output units can be sigmoid as in the worked examples.

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
            StrOptions({"identity", "logistic", "sigmoid", "tanh", "relu", "softmax"}),
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
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "loss='poisson'."
            )
        return X, y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; the loss becomes Σw·E/Σw.

        Returns
        -------
        self : BackpropRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the network with one epoch over the given data.

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

    def _targets(self, out):
        """Targets in the user's shape: 1-D for a single output."""
        return out.ravel() if out.shape[1] == 1 else out

    def _score(self, X, y, sample_weight=None):
        return r2_score(
            self._targets(y),
            self._targets(self._forward(X)),
            sample_weight=sample_weight,
        )


BackpropRegressor.__doc__ = (
    BackpropRegressor.__doc__.replace("{common_parameters}", COMMON_PARAMETERS)
    .replace("{extra_parameters}", EXTRA_PARAMETERS)
    .replace("{loss}", _LOSS_DOC)
    .replace("{out_activation}", _OUT_DOC)
    .replace("{common_attributes}", COMMON_ATTRIBUTES)
)

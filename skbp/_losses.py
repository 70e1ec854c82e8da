"""Loss functions: the value of E and the error signal at the output layer.

Conventions (fixed across skbp, see CONTRIBUTING.md):

* E is a mean over samples of a sum over outputs. For squared error this is
  the worked examples' E = mean_n sum_k 1/2 (y - out)**2 -- sklearn divides
  again by the number of outputs, which makes its multi-output loss disagree with
  its gradient; skbp does not.
* With sample weights w the mean becomes sum(w * E_n) / sum(w).
* The L2 penalty alpha * ||W||**2 / (2 sum(w)) is added by the caller
  (``_network.backprop``), not here.

Each loss knows its *canonical* output activations: for those pairs the
error signal at the output's net input simplifies to δ = out - y
(squared error with identity, log-loss with logistic or softmax, Poisson
deviance with exp). Other pairs -- the worked examples' squared error on a logistic
output -- take the general chain rule δ = ∂E/∂out · f'(net).
"""

import numpy as np
from scipy.special import xlogy

from ._activations import DERIVATIVES


def _weighted_mean(per_sample, sample_weight):
    if sample_weight is None:
        return float(per_sample.mean())
    total = float(sample_weight.sum())
    # An all-zero-weight batch carries no loss (and must not divide by 0); a
    # NaN total gives a NaN loss, which training sees, not 0.
    return float(per_sample @ sample_weight) / total if total != 0 else 0.0


def squared_error(y, out, sample_weight=None):
    """Half squared error summed over outputs, averaged over samples.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_outputs)
        Targets.
    out : ndarray of shape (n_samples, n_outputs)
        Network outputs.
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    loss : float
        ``mean_n sum_k 0.5 * (y - out)**2``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp._losses import squared_error
    >>> out = np.array([[0.75136507, 0.772928465]])
    >>> round(squared_error(np.array([[0.01, 0.99]]), out), 9)
    0.298371109
    """
    diff = out - y
    return 0.5 * _weighted_mean(np.einsum("ij,ij->i", diff, diff), sample_weight)


def binary_log_loss(y, out, sample_weight=None):
    """Binary cross-entropy summed over logistic outputs, averaged over samples.

    Probabilities are clipped to [eps, 1 - eps] of their dtype, so the value
    is finite even for saturated outputs.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_outputs)
        0/1 targets (one column per binary or multilabel output).
    out : ndarray of shape (n_samples, n_outputs)
        Predicted probabilities of the positive class.
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    loss : float
    """
    eps = np.finfo(out.dtype).eps
    p = np.clip(out, eps, 1 - eps)
    per_sample = -(xlogy(y, p) + xlogy(1 - y, 1 - p)).sum(axis=1)
    return _weighted_mean(per_sample, sample_weight)


def categorical_log_loss(y, out, sample_weight=None):
    """Categorical cross-entropy of softmax outputs, averaged over samples.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_classes)
        One-hot targets.
    out : ndarray of shape (n_samples, n_classes)
        Predicted class probabilities.
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    loss : float
    """
    # Clipped below at eps, p > 0, so a plain log replaces xlogy (several
    # times slower); clipping above at 1 - eps would change log p by ~eps.
    log_p = np.maximum(out, np.finfo(out.dtype).eps)
    np.log(log_p, out=log_p)
    if sample_weight is None:
        # One dot product over the whole batch instead of one per row.
        return -float(np.vdot(y, log_p)) / y.shape[0]
    return _weighted_mean(-np.einsum("ij,ij->i", y, log_p), sample_weight)


def poisson(y, out, sample_weight=None):
    """Half Poisson deviance summed over outputs, averaged over samples.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_outputs)
        Non-negative targets.
    out : ndarray of shape (n_samples, n_outputs)
        Predicted means (positive).
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    loss : float
    """
    mu = np.maximum(out, np.finfo(out.dtype).tiny)
    per_sample = (xlogy(y, y) - xlogy(y, mu) - y + mu).sum(axis=1)
    return _weighted_mean(per_sample, sample_weight)


def _squared_error_dout(y, out, delta):
    # ∂/∂out of 1/2 (y - out)**2 is out - y: the worked examples' -(target - out).
    np.subtract(out, y, out=delta)


class Loss:
    """A loss: its value, its canonical output activations, and ∂E/∂out.

    Parameters
    ----------
    value : callable
        ``value(y, out, sample_weight) -> float``.
    canonical : frozenset of str
        Output activations for which δ = out - y.
    dout : callable or None
        ``dout(y, out, delta)`` writing ∂E_n/∂out into ``delta``; None when
        the loss is only defined with its canonical activations.
    name : str, default=""
        Its key in :data:`LOSSES`.
    title : str, default=""
        What :meth:`skbp.StepTrace.explain` calls it.
    error_formula : str, default=""
        One output's share of a sample's loss E_n, as
        :meth:`skbp.StepTrace.explain` writes and computes it: a Python
        expression in ``y`` (the target) and ``out`` (``"0.5 * (y - out) **
        2"``; ``skbp._expressions.parse`` lists the functions).
    dout_formula : str or None, default=None
        ∂E_n/∂out as ``dout`` computes it, in ``y`` and ``out``; None
        without ``dout``. With a canonical activation δ = out − y instead.
    clipped_formula : str or None, default=None
        ``error_formula`` with ``out`` clipped as ``value`` clips it (also
        in ``eps``, the dtype's machine epsilon, and ``tiny``, its smallest
        normal number); written where the clip changes the error.
    """

    def __init__(
        self,
        value,
        canonical,
        dout=None,
        *,
        name="",
        title="",
        error_formula="",
        dout_formula=None,
        clipped_formula=None,
    ):
        self.value = value
        self.clipped_formula = clipped_formula
        self.canonical = frozenset(canonical)
        self.dout = dout
        self.name, self.title = name, title
        self.error_formula, self.dout_formula = error_formula, dout_formula

    def supports(self, out_activation):
        """Whether the loss can be paired with this output activation.

        Parameters
        ----------
        out_activation : str
            Table name of the output activation.

        Returns
        -------
        supported : bool
        """
        return out_activation in self.canonical or self.dout is not None

    def output_delta(self, y, out, out_activation, delta):
        """Write each sample's δ = ∂E_n/∂net at the output layer into ``delta``.

        Parameters
        ----------
        y : ndarray of shape (n_samples, n_outputs)
            Targets.
        out : ndarray of shape (n_samples, n_outputs)
            Output-layer activations.
        out_activation : str
            Table name of the output activation.
        delta : ndarray of shape (n_samples, n_outputs)
            Buffer, overwritten.
        """
        if out_activation in self.canonical:
            np.subtract(out, y, out=delta)
        else:
            self.dout(y, out, delta)
            DERIVATIVES[out_activation](out, delta)


LOSSES = {
    "squared_error": Loss(
        squared_error,
        {"identity"},
        _squared_error_dout,
        name="squared_error",
        title="squared error",
        error_formula="0.5 * (y - out) ** 2",
        dout_formula="out - y",
    ),
    "binary_log_loss": Loss(
        binary_log_loss,
        {"logistic"},
        name="binary_log_loss",
        title="log-loss of each logistic output",
        error_formula="-(xlogy(y, out) + xlogy(1 - y, 1 - out))",
        clipped_formula="-(xlogy(y, min(max(out, eps), 1 - eps))"
        " + xlogy(1 - y, 1 - min(max(out, eps), 1 - eps)))",
    ),
    "log_loss": Loss(
        categorical_log_loss,
        {"softmax"},
        name="log_loss",
        title="log-loss of the softmax output",
        error_formula="-xlogy(y, out)",
        clipped_formula="-xlogy(y, max(out, eps))",
    ),
    "poisson": Loss(
        poisson,
        {"exp"},
        name="poisson",
        title="half Poisson deviance",
        error_formula="xlogy(y, y) - xlogy(y, out) - y + out",
        clipped_formula="xlogy(y, y) - xlogy(y, max(out, tiny)) - y + max(out, tiny)",
    ),
}


def get_loss(name, out_activation):
    """Look up the loss for a name and output activation.

    ``"log_loss"`` on logistic outputs is the binary (per-output) form, on a
    softmax output the categorical form.

    Parameters
    ----------
    name : {"squared_error", "log_loss", "poisson"}
        The estimator's ``loss`` parameter.
    out_activation : str
        Table name of the output activation.

    Returns
    -------
    loss : Loss
    """
    if name == "log_loss" and out_activation == "logistic":
        name = "binary_log_loss"
    return LOSSES[name]

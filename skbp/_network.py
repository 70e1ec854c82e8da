"""Forward and backward passes over a list of weight matrices.

Shapes follow scikit-learn: ``coefs[i]`` is (n_in, n_out) and
``intercepts[i]`` is (n_out,), so layer i+1 computes, for a batch ``a`` of
layer-i outputs (one row per sample)::

    net = a @ coefs[i] + intercepts[i]        out = f(net)

Backward, with δ = ∂E/∂net, one row per sample (the worked examples' "error term",
divided by the batch size, since E is the mean over the batch)::

    δ_L     = (out_L - y) / n                (canonical loss/activation pair)
    δ_{i-1} = (δ_i @ coefs[i].T) * f'(out_{i-1})
    ∂E/∂coefs[i]      = a_i.T @ δ_i + alpha / n * coefs[i]
    ∂E/∂intercepts[i] = sum_n δ_i

(with sample weights, n becomes sum(w) and row n of δ_L is multiplied by w_n).

All work goes into preallocated buffers (:class:`Workspace`); no array is
allocated per batch apart from small temporaries in the loss value.
"""

import functools
import itertools

import numpy as np
import scipy.sparse as sp

from ._activations import ACTIVATIONS, DERIVATIVES

# Overflow while training is detected (non-finite loss or weights) and
# handled by rolling back, and at predict time by a clear error; numpy's own
# warnings about it would only be noise.
quiet_overflow = functools.partial(
    np.errstate, over="ignore", invalid="ignore", divide="ignore"
)


def _dot(a, b, out):
    """``out[...] = a @ b`` for dense or sparse ``a``, into ``out``."""
    if sp.issparse(a):
        out[...] = a @ b
    else:
        np.matmul(a, b, out=out)
    return out


def layer_views(flat, layer_units):
    """Split a flat parameter vector into per-layer coefs and intercepts views.

    The layout is scikit-learn's packing order: every ``coefs[i]`` (row-major)
    first, then every ``intercepts[i]``. Keeping all parameters in one
    contiguous vector lets an optimizer update them in a handful of numpy
    calls and lets L-BFGS read and write them without packing.

    Parameters
    ----------
    flat : ndarray of shape (n_params,)
        The vector; the views share its memory.
    layer_units : list of int
        Units per layer, input first.

    Returns
    -------
    coefs, intercepts : list of ndarray
        Views of shapes (n_in, n_out) and (n_out,).

    Examples
    --------
    >>> import numpy as np
    >>> from skbp._network import layer_views
    >>> coefs, intercepts = layer_views(np.arange(9.0), [2, 2, 1])
    >>> coefs[0], coefs[1].ravel(), intercepts[1]
    (array([[0., 1.],
           [2., 3.]]), array([4., 5.]), array([8.]))
    """
    coefs, intercepts = [], []
    start = 0
    for n_in, n_out in itertools.pairwise(layer_units):
        coefs.append(flat[start : start + n_in * n_out].reshape(n_in, n_out))
        start += n_in * n_out
    for n_out in layer_units[1:]:
        intercepts.append(flat[start : start + n_out])
        start += n_out
    return coefs, intercepts


def n_coefs(layer_units):
    """Number of weights (intercepts excluded) of a network.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input first.

    Returns
    -------
    n : int
    """
    return sum(a * b for a, b in itertools.pairwise(layer_units))


class Workspace:
    """Preallocated buffers for batches of up to ``batch_size`` samples.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input first, e.g. ``[2, 2, 2]`` for Mazur's example.
    batch_size : int
        Largest batch the buffers hold; smaller batches use leading rows.
    dtype : numpy dtype
        Floating dtype of the network.

    Attributes
    ----------
    outs : list of ndarray
        Output of each non-input layer, shape (batch_size, units).
    deltas : list of ndarray
        δ = ∂E_n/∂net of each non-input layer, same shapes as ``outs``.
    grads : ndarray of shape (n_params,)
        All gradients in one vector, laid out as :func:`layer_views`.
    coef_grads, intercept_grads : list of ndarray
        Views of ``grads`` shaped like the coefs and intercepts.
    """

    def __init__(self, layer_units, batch_size, dtype):
        self.batch_size = batch_size
        self.outs = [np.empty((batch_size, u), dtype=dtype) for u in layer_units[1:]]
        self.deltas = [np.empty_like(o) for o in self.outs]
        n_params = n_coefs(layer_units) + sum(layer_units[1:])
        self.grads = np.zeros(n_params, dtype=dtype)
        self.coef_grads, self.intercept_grads = layer_views(self.grads, layer_units)
        # Room for one layer's temporaries -- an activation derivative over a
        # layer's outputs, or the L2 term of a weight matrix -- so that no
        # array is allocated per batch.
        largest = max(
            *(batch_size * u for u in layer_units[1:]),
            *(a * b for a, b in itertools.pairwise(layer_units)),
        )
        self.scratch = np.empty(largest, dtype=dtype)
        # Column sums over a batch as a vector-matrix product (BLAS), several
        # times faster than a reduction down the columns.
        self.ones = np.ones(batch_size, dtype=dtype)

    def scratch_like(self, a):
        """A scratch view with the shape of ``a`` (contents undefined).

        Parameters
        ----------
        a : ndarray

        Returns
        -------
        view : ndarray
        """
        return self.scratch[: a.size].reshape(a.shape)


def forward(X, coefs, intercepts, hidden, output, outs, nets=None):
    """Propagate a batch through the network, filling ``outs``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input batch.
    coefs, intercepts : list of ndarray
        Weights and biases.
    hidden, output : str
        Table names of the hidden and output activations.
    outs : list of ndarray
        Buffers with at least n_samples rows; on return the first n_samples
        rows of ``outs[i]`` hold the output of layer i+1.
    nets : list of ndarray, default=None
        If given, the net inputs are copied here before activation (used by
        the step trace; training does not need them since every derivative
        is written from the outputs).

    Returns
    -------
    outs : list of ndarray
        Views of the first n_samples rows of each buffer.
    """
    n = X.shape[0]
    last = len(coefs) - 1
    a = X
    views = []
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        # Only the input can be sparse.
        z = _dot(a, W, outs[i][:n]) if i == 0 else np.matmul(a, W, out=outs[i][:n])
        z += b
        if nets is not None:
            nets[i][...] = z
        ACTIVATIONS[output if i == last else hidden](z)
        views.append(z)
        a = z
    return views


# Rows per chunk in predict: small enough that a chunk's layer outputs stay
# in the CPU's L2 cache between the product and the activation passes over
# them (measured: 65536 rows -> 2048 rows is 1.2x faster in float32, 1.3x in
# float64), large enough for efficient matrix products.
PREDICT_CHUNK = 2048


def predict(X, coefs, intercepts, hidden, output):
    """Output of the network for ``X``, in freshly allocated arrays.

    Rows are processed in chunks of ``PREDICT_CHUNK`` through reused
    buffers. Allocating per call (rather than sharing a workspace)
    keeps prediction safe to run from several threads on one fitted model.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input data.
    coefs, intercepts : list of ndarray
        Weights and biases.
    hidden, output : str
        Table names of the hidden and output activations.

    Returns
    -------
    out : ndarray of shape (n_samples, n_outputs)
    """
    n, dtype = X.shape[0], coefs[0].dtype
    result = np.empty((n, coefs[-1].shape[1]), dtype=dtype)
    chunk = min(n, PREDICT_CHUNK)
    outs = [np.empty((chunk, W.shape[1]), dtype=dtype) for W in coefs[:-1]]
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        forward(
            X[start:stop],
            coefs,
            intercepts,
            hidden,
            output,
            [*outs, result[start:stop]],
        )
    return result


def weight_total(n_samples, sample_weight):
    """Σw of a batch: its number of samples when unweighted.

    Parameters
    ----------
    n_samples : int
        Rows in the batch.
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights.

    Returns
    -------
    total : float
    """
    return n_samples if sample_weight is None else float(sample_weight.sum())


def l2_penalty(coefs, alpha, sw_sum):
    """The L2 term alpha * ||W||**2 / (2 sum(w)) added to the loss.

    Parameters
    ----------
    coefs : list of ndarray
        Weight matrices (intercepts are not penalised).
    alpha : float
        L2 strength.
    sw_sum : float
        Number of samples, or the sum of their weights.

    Returns
    -------
    penalty : float
    """
    if alpha == 0:
        return 0.0
    sq = sum(float(np.dot(W.ravel(), W.ravel())) for W in coefs)
    return 0.5 * alpha * sq / sw_sum


def backward(
    X,
    y,
    coefs,
    outs,
    workspace,
    hidden,
    output,
    loss,
    alpha=0.0,
    sample_weight=None,
    fit_intercept=True,
    sw_sum=None,
):
    """Backpropagate the error of one batch, filling deltas and gradients.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input batch, as given to :func:`forward`.
    y : ndarray of shape (n_samples, n_outputs)
        Targets.
    coefs : list of ndarray
        Weights used in the forward pass.
    outs : list of ndarray
        Layer outputs returned by :func:`forward`.
    workspace : Workspace
        Its ``deltas`` receive δ = ∂E/∂net_n of the batch loss E for each
        sample n -- the worked examples' error term of that sample times w_n / Σw --
        and its ``coef_grads`` and ``intercept_grads`` ∂E/∂coefs and
        ∂E/∂intercepts.
    hidden, output : str
        Table names of the hidden and output activations.
    loss : skbp._losses.Loss
        The loss.
    alpha : float, default=0.0
        L2 strength.
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.
    fit_intercept : bool, default=True
        When False the intercept gradients are not computed.
    sw_sum : float, default=None
        Σw of the batch, when the caller has it already.

    Returns
    -------
    deltas : list of ndarray
        Views of the first n_samples rows of each delta buffer.
    """
    n = X.shape[0]
    last = len(coefs) - 1
    if sw_sum is None:
        sw_sum = weight_total(n, sample_weight)
    # The batch mean (1 / Σw) is applied once, to the output layer's δ, which
    # has few columns; by linearity every later δ and gradient inherits it.
    # An all-zero-weight batch contributes nothing.
    scale = 1.0 / sw_sum if sw_sum > 0 else 0.0
    views = [d[:n] for d in workspace.deltas]
    loss.output_delta(y, outs[last], output, views[last])
    if sample_weight is None:
        views[last] *= scale
    else:
        views[last] *= (sample_weight * scale)[:, np.newaxis]
    derivative = DERIVATIVES[hidden]
    for i in range(last, -1, -1):
        if i:
            g = np.matmul(outs[i - 1].T, views[i], out=workspace.coef_grads[i])
        else:
            g = _dot(X.T, views[i], workspace.coef_grads[i])
        if alpha:
            decay = workspace.scratch_like(g)
            np.multiply(coefs[i], alpha * scale, out=decay)
            g += decay
        if fit_intercept:
            np.matmul(workspace.ones[:n], views[i], out=workspace.intercept_grads[i])
        if i > 0:
            np.matmul(views[i], coefs[i].T, out=views[i - 1])
            derivative(outs[i - 1], views[i - 1], workspace.scratch_like(views[i - 1]))
    return views


def backprop(
    X,
    y,
    coefs,
    intercepts,
    workspace,
    hidden,
    output,
    loss,
    alpha=0.0,
    sample_weight=None,
    fit_intercept=True,
    nets=None,
):
    """One forward and backward pass: the batch loss, gradients in ``workspace``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input batch.
    y : ndarray of shape (n_samples, n_outputs)
        Targets.
    coefs, intercepts : list of ndarray
        Weights and biases.
    workspace : Workspace
        Buffers; gradients are left in ``coef_grads`` and ``intercept_grads``.
    hidden, output : str
        Table names of the hidden and output activations.
    loss : skbp._losses.Loss
        The loss.
    alpha : float, default=0.0
        L2 strength.
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.
    fit_intercept : bool, default=True
        Whether intercept gradients are needed.
    nets : list of ndarray, default=None
        If given, receives each layer's net input (see :func:`forward`).

    Returns
    -------
    loss : float
        Batch loss before the update, L2 term included.
    """
    outs = forward(X, coefs, intercepts, hidden, output, workspace.outs, nets)
    value = loss.value(y, outs[-1], sample_weight)
    sw_sum = weight_total(X.shape[0], sample_weight)
    if sw_sum > 0:
        value += l2_penalty(coefs, alpha, sw_sum)
    backward(
        X,
        y,
        coefs,
        outs,
        workspace,
        hidden,
        output,
        loss,
        alpha,
        sample_weight,
        fit_intercept,
        sw_sum,
    )
    return value

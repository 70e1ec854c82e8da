"""Forward and backward passes over a list of weight matrices.

Shapes follow scikit-learn, in the user guide's notation: layer 0 is the
input and layer L the output; the weights into layer l are
W^(l) = ``coefs[l - 1]``, of shape (n_in, n_out), and its intercepts
b^(l) = ``intercepts[l - 1]``, of shape (n_out,). For a batch a^(l-1) of
layer l - 1's outputs (one row per sample) layer l computes::

    net^(l) = a^(l-1) @ W^(l) + b^(l)        a^(l) = f(net^(l))

Backward, with δ^(l) = ∂E/∂net^(l), one row per sample (the worked examples'
"error term", divided by the batch size, since E is the mean over the batch)::

    δ^(L)     = (a^(L) - y) / n              (canonical loss/activation pair)
    δ^(l)     = (δ^(l+1) @ W^(l+1).T) * f'(net^(l))    (f' written from a^(l))
    ∂E/∂W^(l) = a^(l-1).T @ δ^(l) + alpha / n * W^(l)
    ∂E/∂b^(l) = δ^(l) summed over the samples

(with sample weights, n becomes sum(w) and row s of δ^(L) is multiplied by w_s).

All work goes into preallocated buffers (:class:`Workspace`); no array is
allocated per batch apart from small temporaries in the loss value.
"""

import functools
import itertools

import numpy as np
import scipy.sparse as sp

from ._activations import ACTIVATIONS, DERIVATIVES, OUTPUT_ACTIVATIONS

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
    r"""Preallocated buffers for batches of up to ``batch_size`` samples.

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
        :math:`\delta^{(l)} = \partial E / \partial \mathrm{net}^{(l)}` of
        each layer l = 1 ... L, same shapes as ``outs``.
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


class Dropout:
    r"""Inverted dropout masks for the hidden layers of one batch.

    During training each hidden unit's output is multiplied by a mask entry:
    0 with probability p (the unit is dropped for that sample), else
    1 / (1 - p), so that every unit's expected output -- and hence what the
    next layer receives on average -- is the same as without dropout, and
    prediction needs no rescaling. The backward pass multiplies the units'
    :math:`\delta` by the same entries.

    Parameters
    ----------
    rates : sequence of float
        Drop probability p in [0, 1) of each hidden layer (0: no dropout
        there).
    layer_units : list of int
        Units per layer, input first.
    batch_size : int
        Largest batch.
    dtype : numpy dtype
        Floating dtype of the network.
    seed : int
        Seeds the masks' random stream (see :meth:`start`).

    Attributes
    ----------
    masks : list of ndarray or None
        Per hidden layer, the mask of the current batch (leading rows of a
        (batch_size, units) buffer), or None for a layer without dropout.
    outs : list of ndarray or None
        Per hidden layer, the masked outputs passed on to the next layer.
    fixed : bool
        Whether the masks are held (:meth:`hold`) instead of drawn per batch.
    """

    def __init__(self, rates, layer_units, batch_size, dtype, seed):
        self.rates = tuple(float(r) for r in rates)
        hidden_units = layer_units[1:-1]
        self.masks = [
            np.empty((batch_size, u), dtype=dtype) if r > 0 else None
            for r, u in zip(self.rates, hidden_units, strict=True)
        ]
        self.outs = [None if m is None else np.empty_like(m) for m in self.masks]
        self.seed = seed
        self.fixed = False
        self._rng = None

    def start(self, position):
        """Restart the mask stream at ``position`` (e.g. the samples seen so far).

        The masks are a function of the seed and the position, so that an
        epoch resumed from a checkpoint, or the same sequence of calls on a
        copy, draws the same masks.
        """
        self._rng = np.random.default_rng([self.seed, int(position)])

    def draw(self, n):
        """Draw new masks for a batch of ``n`` samples (unless held fixed)."""
        if self.fixed:
            return
        if self._rng is None:
            self.start(0)
        for p, mask in zip(self.rates, self.masks):
            if mask is None:
                continue
            m = mask[:n]
            self._rng.random(out=m, dtype=m.dtype)
            # Kept where the uniform draw is >= p, probability 1 - p; the
            # comparison's booleans are written as 0.0/1.0 into m.
            np.greater_equal(m, p, out=m)
            m *= 1.0 / (1.0 - p)

    def hold(self, masks):
        """Use the given masks for every batch (e.g. to check gradients).

        Parameters
        ----------
        masks : list of ndarray
            One (n_samples, units) array per hidden layer with dropout.
        """
        for mask, given in zip(self.masks, masks):
            if mask is not None:
                mask[: len(given)] = given
        self.fixed = True

    def current(self, n):
        """Copies of the masks of the last batch of ``n`` samples."""
        return [None if m is None else m[:n].copy() for m in self.masks]


def forward(X, coefs, intercepts, hidden, output, outs, nets=None, dropout=None):
    """Propagate a batch through the network, filling ``outs``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input batch.
    coefs, intercepts : list of ndarray
        Weights and biases.
    hidden : str or sequence of str
        Table name of the hidden activation, or one per hidden layer.
    output : str
        Table name of the output activation.
    outs : list of ndarray
        Buffers with at least n_samples rows; on return the first n_samples
        rows of ``outs[i]`` hold the output of layer i+1.
    nets : list of ndarray, default=None
        If given, the net inputs are copied here before activation (used by
        the step trace; training does not need them since every derivative
        is written from the outputs).
    dropout : Dropout, default=None
        Masks to apply to the hidden layers' outputs (training only). The
        unmasked outputs stay in ``outs``; the next layer reads the masked
        ones from ``dropout.outs``.

    Returns
    -------
    outs : list of ndarray
        Views of the first n_samples rows of each buffer.
    """
    n = X.shape[0]
    last = len(coefs) - 1
    # One name for every hidden layer is the common case, looked up as such
    # (this runs once per batch, also for batches of one sample).
    single = isinstance(hidden, str)
    a = X
    views = []
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        # Only the input can be sparse.
        z = _dot(a, W, outs[i][:n]) if i == 0 else np.matmul(a, W, out=outs[i][:n])
        z += b
        if nets is not None:
            nets[i][...] = z
        if i == last:
            OUTPUT_ACTIVATIONS[output](z)
        else:
            ACTIVATIONS[hidden if single else hidden[i]](z)
        views.append(z)
        a = z
        if dropout is not None and i < last and dropout.masks[i] is not None:
            a = np.multiply(z, dropout.masks[i][:n], out=dropout.outs[i][:n])
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
    hidden : str or sequence of str
        Table name of the hidden activation, or one per hidden layer.
    output : str
        Table name of the output activation.

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
    dropout=None,
):
    r"""Backpropagate the error of one batch, filling deltas and gradients.

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
        Its ``deltas`` receive
        :math:`\delta^{(l)} = \partial E / \partial \mathrm{net}^{(l)}` of
        the batch loss E, whose row n is the worked examples' error term of
        sample n times :math:`w_n / \sum w`, and its ``coef_grads`` and
        ``intercept_grads`` :math:`\partial E / \partial W^{(l)}` and
        :math:`\partial E / \partial b^{(l)}`.
    hidden : str or sequence of str
        Table name of the hidden activation, or one per hidden layer.
    output : str
        Table name of the output activation.
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
    dropout : Dropout, default=None
        The masks the forward pass applied.

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
    single = isinstance(hidden, str)
    if single:
        derivative = DERIVATIVES[hidden]
    else:
        derivatives = [DERIVATIVES[name] for name in hidden]
    for i in range(last, -1, -1):
        if i:
            mask = None if dropout is None else dropout.masks[i - 1]
            # The layer's input: the previous layer's outputs as masked.
            a = outs[i - 1] if mask is None else dropout.outs[i - 1][:n]
            g = np.matmul(a.T, views[i], out=workspace.coef_grads[i])
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
            if mask is not None:
                views[i - 1] *= mask[:n]
            (derivative if single else derivatives[i - 1])(
                outs[i - 1], views[i - 1], workspace.scratch_like(views[i - 1])
            )
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
    dropout=None,
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
    hidden : str or sequence of str
        Table name of the hidden activation, or one per hidden layer.
    output : str
        Table name of the output activation.
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
    dropout : Dropout, default=None
        Draws this batch's masks (unless they are held fixed) and applies
        them in both passes.

    Returns
    -------
    loss : float
        Batch loss before the update, L2 term included.
    """
    if dropout is not None:
        dropout.draw(X.shape[0])
    outs = forward(X, coefs, intercepts, hidden, output, workspace.outs, nets, dropout)
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
        dropout,
    )
    return value

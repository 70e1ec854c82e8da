"""L-BFGS: the full-batch loss handed to scipy's L-BFGS-B.

scipy works on one flat float64 vector; the network's parameters are a list
of arrays in the model's dtype. :func:`pack` and :func:`unpack` convert, and
:class:`LbfgsIterations` reports each accepted iterate and its loss the same
way on every supported scipy.
"""

import numpy as np
import scipy.optimize


def pack(arrays):
    """Concatenate arrays into one flat float64 vector (for scipy).

    Parameters
    ----------
    arrays : list of ndarray

    Returns
    -------
    flat : ndarray of shape (total_size,)
    """
    return np.concatenate([a.ravel() for a in arrays]).astype(np.float64)


def unpack(flat, arrays):
    """Copy a flat vector back into ``arrays`` in place (inverse of :func:`pack`).

    Parameters
    ----------
    flat : ndarray of shape (total_size,)
    arrays : list of ndarray
        Overwritten.
    """
    start = 0
    for a in arrays:
        a[...] = flat[start : start + a.size].reshape(a.shape)
        start += a.size


class LbfgsIterations:
    """The function handed to scipy's L-BFGS-B and its per-iteration report.

    The training loop is told each accepted iterate as ``callback(x, loss)``
    on every scipy version. scipy 1.11 and later pass the callback an
    ``OptimizeResult`` holding ``x`` and ``fun`` (when its only parameter is
    named ``intermediate_result``, as :meth:`report`'s is); scipy 1.10
    passes only a copy of the iterate ``xk``. Its loss is then the one of
    the last function evaluation, which L-BFGS-B makes at the accepted
    point (the line search ends there) before it reports the iteration --
    the value scipy 1.11 and later put in ``fun`` too. :meth:`fun` keeps that
    evaluation; :meth:`report` checks it was made at ``xk`` and otherwise
    evaluates the loss at ``xk`` again.

    Parameters
    ----------
    loss_grad : callable
        ``loss_grad() -> float``: the loss at the current ``params``, leaving
        the gradient in ``grads``.
    params : list of ndarray
        Parameters, written by :meth:`fun`.
    grads : list of ndarray
        Gradient buffers written by ``loss_grad``.
    callback : callable or None
        ``callback(x, loss)``, called by :meth:`report`.
    """

    def __init__(self, loss_grad, params, grads, callback=None):
        self.loss_grad = loss_grad
        self.params = params
        self.grads = grads
        self.callback = callback
        self._last_x = None
        self._last_loss = None

    def fun(self, x):
        """The loss at ``x`` and its gradient, as one flat float64 vector."""
        unpack(x, self.params)
        value = self.loss_grad()
        self._last_x = np.array(x, dtype=np.float64)
        self._last_loss = value
        return value, pack(self.grads)

    def report(self, intermediate_result):
        """scipy's callback: pass the iterate and its loss on to ``callback``.

        Parameters
        ----------
        intermediate_result : scipy.optimize.OptimizeResult or ndarray
            ``OptimizeResult(x, fun)`` from scipy 1.11 on; the iterate
            ``xk`` alone from scipy 1.10.
        """
        if self.callback is None:
            return
        if isinstance(intermediate_result, np.ndarray):
            x = intermediate_result
            if self._last_x is not None and np.array_equal(
                x, self._last_x, equal_nan=True
            ):
                loss = self._last_loss
            else:
                # Not expected from L-BFGS-B; evaluating again keeps the
                # pair right (scipy keeps its own copy of f and g).
                unpack(x, self.params)
                loss = self.loss_grad()
        else:
            x, loss = intermediate_result.x, intermediate_result.fun
        self.callback(x, float(loss))


def minimize_lbfgs(loss_grad, params, grads, max_iter, max_fun, tol, callback=None):
    """Minimise a full-batch loss over ``params`` with scipy's L-BFGS-B.

    Parameters
    ----------
    loss_grad : callable
        ``loss_grad() -> float``: the loss at the current ``params``, leaving
        the gradient in ``grads``.
    params : list of ndarray
        Parameters, updated in place (left at the solution).
    grads : list of ndarray
        Gradient buffers written by ``loss_grad``.
    max_iter, max_fun : int
        Iteration and function-evaluation limits.
    tol : float
        Projected-gradient tolerance (``gtol``).
    callback : callable, default=None
        ``callback(x, loss)`` after each iteration: the accepted iterate (a
        flat float64 vector) and the loss there, the same on every scipy
        version (:class:`LbfgsIterations`).

    Returns
    -------
    result : scipy.optimize.OptimizeResult
    """
    iterations = LbfgsIterations(loss_grad, params, grads, callback)
    result = scipy.optimize.minimize(
        iterations.fun,
        pack(params),
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        callback=iterations.report if callback is not None else None,
    )
    unpack(result.x, params)
    return result

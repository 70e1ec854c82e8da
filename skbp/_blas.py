"""In-place vector updates through BLAS level 1, with a numpy fallback.

``axpy`` (y += a x) and ``scal`` (x *= a) make one pass over memory where
numpy needs a temporary and two passes. Optimizer states and weight matrices
are as large as the network, so for them passes are what an update costs.
BLAS writes in place only into a C-contiguous float32/float64 array of the
other operand's dtype (scipy would otherwise hand back a converted copy and
leave the caller's array unchanged), hence the numpy fallback for the rest.
"""

import functools

import numpy as np
import scipy.linalg.blas

_BLAS_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


@functools.cache
def _routine(name, dtype):
    return scipy.linalg.blas.get_blas_funcs(name, dtype=dtype)


def _in_place_ok(x, y):
    return y.flags.c_contiguous and x.dtype == y.dtype and y.dtype in _BLAS_DTYPES


def axpy(a, x, y):
    """``y += a * x`` in place.

    Parameters
    ----------
    a : float
        Scale of ``x``.
    x : ndarray
        Added, unchanged; same shape as ``y``.
    y : ndarray
        Updated in place.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp._blas import axpy
    >>> y = np.ones(3)
    >>> axpy(2.0, np.arange(3.0), y)
    >>> y
    array([1., 3., 5.])
    """
    if _in_place_ok(x, y):
        _routine("axpy", y.dtype)(x.reshape(-1), y.reshape(-1), a=a)
    else:
        y += a * x


def scal(a, x):
    """``x *= a`` in place.

    Parameters
    ----------
    a : float
        The factor.
    x : ndarray
        Scaled in place.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp._blas import scal
    >>> x = np.arange(3.0)
    >>> scal(0.5, x)
    >>> x
    array([0. , 0.5, 1. ])
    """
    if _in_place_ok(x, x):
        _routine("scal", x.dtype)(a, x.reshape(-1))
    else:
        x *= a

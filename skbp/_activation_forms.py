"""The exact formulations of the logistic and tanh units, each in place.

Each unit can be computed several ways that agree to a few ulp; which one
runs depends on the CPU and dtype (``_kernels`` chooses once per process).
The records in ``_activations.REGISTRY`` list them as the unit's ``forms``.
"""

import numpy as np
from scipy.special import expit

# Largest argument of exp that stays finite with room for rounding, yet whose
# reciprocal 1 / (1 + exp(limit)) is below the dtype's smallest normal
# number: clipping there changes no output by more than that.
_EXP_LIMIT = {
    np.dtype(t): np.log(np.finfo(t).max) - 0.5 for t in (np.float32, np.float64)
}


def _exp_limit(dtype):
    limit = _EXP_LIMIT.get(dtype)
    return np.log(np.finfo(dtype).max) - 0.5 if limit is None else limit


def logistic_tanh_form(z):
    """Logistic as ``0.5 * tanh(z / 2) + 0.5``, in place.

    Exact algebra; cannot overflow. Fastest where numpy has a SIMD ``tanh``
    (AVX-512).

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def logistic_exp_form(z):
    """Logistic as ``1 / (1 + exp(-z))``, in place.

    ``-z`` is clipped where ``exp`` would overflow; outputs there are below
    the smallest normal number either way. Fastest where numpy's ``tanh`` has
    no SIMD loop (AVX2 and older x86, float64 above all).

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    np.negative(z, out=z)
    np.minimum(z, _exp_limit(z.dtype), out=z)
    np.exp(z, out=z)
    z += 1
    return np.reciprocal(z, out=z)


def logistic_expit_form(z):
    """Logistic as ``scipy.special.expit`` (scikit-learn's), in place.

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    return expit(z, out=z)


def tanh_tanh_form(z):
    """Hyperbolic tangent as numpy's ``tanh``, in place.

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    return np.tanh(z, out=z)


def tanh_exp_form(z):
    """Hyperbolic tangent as ``2 / (1 + exp(-2 z)) - 1``, in place.

    Exact to a few ulp of the output range [-1, 1] (not relative to tiny
    outputs); ``z`` is clipped where ``-2 z`` or its ``exp`` would overflow
    (tanh is ±1 to the last bit there).

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    half = 0.5 * _exp_limit(z.dtype)
    np.clip(z, -half, half, out=z)
    z *= -2.0
    np.exp(z, out=z)
    z += 1
    np.divide(2.0, z, out=z)
    z -= 1
    return z

"""The exact formulations of the logistic and tanh units, each in place.

Each unit can be computed several ways that agree to a few ulp; which one
runs depends on the CPU and dtype (``_kernels`` chooses once per process).
The records in ``_activations.REGISTRY`` list them as the unit's ``forms``.
"""

import numpy as np
from scipy.special import expit


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

    Where ``exp(-z)`` overflows the output is 0, as the tanh form's and
    ``expit``'s are (clipping ``-z`` instead gave every saturated unit the
    same subnormal output, slow to compute with on many CPUs, and cost a
    pass). Fastest where numpy's ``tanh`` has no SIMD loop (AVX2 and older
    x86, float64 above all).

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
    with np.errstate(over="ignore"):
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
    outputs); where ``-2 z`` or its ``exp`` overflows the output is ±1, as
    tanh is to the last bit there.

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    with np.errstate(over="ignore"):
        z *= -2.0
        np.exp(z, out=z)
    z += 1
    np.divide(2.0, z, out=z)
    z -= 1
    return z

"""BLAS level-1 helpers: in place, equal to numpy's arithmetic, any layout."""

import numpy as np
import pytest

from skbp._blas import axpy, scal


def _layouts(dtype):
    rng = np.random.default_rng(0)
    base = rng.normal(size=(5, 4)).astype(dtype)
    return {
        "1-D": base.ravel().copy(),
        "2-D": base.copy(),
        "view of a flat vector": np.arange(30.0).astype(dtype)[3:23].reshape(5, 4),
        "transposed": base.T.copy().T,
        "every other row": np.repeat(base, 2, axis=0)[::2],
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", list(_layouts(np.float64)))
def test_axpy_and_scal_update_the_given_array_as_numpy_would(layout, dtype):
    y = _layouts(dtype)[layout]
    x = np.linspace(-1, 1, y.size).astype(dtype).reshape(y.shape)
    expected = y + np.asarray(0.3, dtype) * x
    axpy(0.3, x, y)
    np.testing.assert_allclose(y, expected, rtol=1e-6 if dtype == np.float32 else 1e-15)
    expected = y * np.asarray(-2.5, dtype)
    scal(-2.5, y)
    np.testing.assert_allclose(y, expected, rtol=1e-6 if dtype == np.float32 else 1e-15)


def test_axpy_with_another_dtype_still_updates_in_place():
    # scipy's BLAS would convert y and return a copy: the fallback catches it.
    y = np.zeros(4)
    axpy(2.0, np.ones(4, dtype=np.float32), y)
    np.testing.assert_array_equal(y, [2.0, 2.0, 2.0, 2.0])

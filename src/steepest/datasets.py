"""Generated problems with a known answer, for examples, tests and benchmarks."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["make_regression"]


def make_regression(
    n_samples: int,
    n_features: int,
    *,
    noise: float = 0.1,
    intercept: float = 0.5,
    dtype: Any = np.float64,
    random_state: Any = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A linear regression problem y = X @ coef + intercept + noise·ε with standard normal X and ε.

    Returns ``(X, y, coef)``: X C-contiguous of shape (n_samples, n_features) in `dtype`, y of
    shape (n_samples,), and the true coefficients (standard normal, float64). Features are
    independent with unit variance, so the Hessian of the mean squared error is close to 2·I and
    learning rates up to about 0.5 are stable for full-batch gradient descent.
    """
    rng = np.random.default_rng(random_state)
    X = rng.standard_normal((n_samples, n_features), dtype=np.float64)
    coef = rng.standard_normal(n_features)
    y = X @ coef + intercept + noise * rng.standard_normal(n_samples)
    return np.ascontiguousarray(X, dtype=dtype), y.astype(dtype), coef

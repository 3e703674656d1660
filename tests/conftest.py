import numpy as np
import pytest

from steepest.datasets import make_regression


def relative_error(actual, expected) -> float:
    """Largest absolute difference, relative to the largest magnitude of the expected value."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(actual - expected)) / np.max(np.abs(expected)))


def least_squares(X, y, l2=0.0, fit_intercept=True):
    """Minimiser of mean((X w + b - y)^2) + l2 ||w||^2 from the normal equations (lstsq when l2 = 0)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    if l2 == 0.0:
        A = np.c_[X, np.ones(n)] if fit_intercept else X
        solution = np.linalg.lstsq(A, y, rcond=None)[0]
    else:
        # Augmented rows sqrt(n*l2) I penalise w and leave the intercept column alone.
        A = np.c_[X, np.ones(n)] if fit_intercept else X
        penalty = np.sqrt(n * l2) * np.eye(d, A.shape[1])
        solution = np.linalg.lstsq(np.r_[A, penalty], np.r_[y, np.zeros(d)], rcond=None)[0]
    return (solution[:d], solution[d]) if fit_intercept else (solution, 0.0)


@pytest.fixture(scope="session")
def problem():
    """A well-conditioned 10,000 x 20 float64 regression problem."""
    X, y, _ = make_regression(10_000, 20, random_state=42)
    return X, y

"""The C++ loss and gradient against the NumPy reference and centered finite differences."""

import numpy as np
import pytest
from conftest import relative_error

import steepest
from steepest import reference

BATCHES = [1, 7, 32, None]  # None: all rows


def batch_rows(size, n_rows, seed=0):
    return None if size is None else np.random.default_rng(seed).choice(n_rows, size=size, replace=False)


def reference_on(X, y, rows, coef, intercept, l2):
    selected = slice(None) if rows is None else rows
    return reference.loss_and_gradient(X[selected], y[selected], coef, intercept, l2)


@pytest.mark.parametrize("size", BATCHES)
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_core_gradient_equals_numpy_reference(problem, size, l2):
    X, y = problem
    rng = np.random.default_rng(1)
    coef, intercept = rng.standard_normal(X.shape[1]), 0.7
    rows = batch_rows(size, X.shape[0])
    loss, grad, grad_b = steepest.loss_and_gradient(X, y, coef, intercept, l2, rows=rows)
    ref_loss, ref_grad, ref_grad_b = reference_on(X, y, rows, coef, intercept, l2)
    assert abs(loss - ref_loss) <= 1e-12 * abs(ref_loss)
    assert relative_error(grad, ref_grad) <= 1e-12
    assert abs(grad_b - ref_grad_b) <= 1e-12 * max(abs(ref_grad_b), np.max(np.abs(ref_grad)))


@pytest.mark.parametrize("size", BATCHES)
def test_core_gradient_equals_centered_finite_differences(problem, size):
    X, y = problem
    rng = np.random.default_rng(2)
    coef, intercept, l2 = rng.standard_normal(X.shape[1]), -0.4, 0.05
    rows = batch_rows(size, X.shape[0], seed=3)

    def objective(w, b):
        return steepest.loss_and_gradient(X, y, w, b, l2, rows=rows)[0]

    h = 1e-5
    numeric = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        step = np.zeros_like(coef)
        step[j] = h
        numeric[j] = (objective(coef + step, intercept) - objective(coef - step, intercept)) / (2 * h)
    numeric_b = (objective(coef, intercept + h) - objective(coef, intercept - h)) / (2 * h)

    _, grad, grad_b = steepest.loss_and_gradient(X, y, coef, intercept, l2, rows=rows)
    assert relative_error(grad, numeric) <= 1e-6
    assert abs(grad_b - numeric_b) <= 1e-6 * max(abs(numeric_b), np.max(np.abs(numeric)))


def test_gradient_of_gathered_rows_with_repeats_equals_gathered_copy(problem):
    X, y = problem
    rows = np.array([5, 5, 9_999, 0, 17, 5])
    coef = np.linspace(-1, 1, X.shape[1])
    loss, grad, grad_b = steepest.loss_and_gradient(X, y, coef, 0.1, rows=rows)
    ref_loss, ref_grad, ref_grad_b = reference.loss_and_gradient(X[rows], y[rows], coef, 0.1)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    assert relative_error(grad, ref_grad) <= 1e-12
    assert grad_b == pytest.approx(ref_grad_b, rel=1e-12)


def test_float32_gradient_stays_float32_and_is_accurate(problem):
    X64, y64 = problem
    X, y = X64.astype(np.float32), y64.astype(np.float32)
    coef = np.random.default_rng(4).standard_normal(X.shape[1]).astype(np.float32)
    loss, grad, grad_b = steepest.loss_and_gradient(X, y, coef, 0.25)
    assert grad.dtype == np.float32
    # The exact answer for the float32 data, computed in float64.
    ref_loss, ref_grad, ref_grad_b = reference.loss_and_gradient(
        X.astype(np.float64), y.astype(np.float64), coef.astype(np.float64), 0.25
    )
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    assert relative_error(grad, ref_grad) <= 1e-5
    assert grad_b == pytest.approx(ref_grad_b, rel=1e-4, abs=1e-5 * np.max(np.abs(ref_grad)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_is_bit_identical_with_one_and_two_threads(dtype):
    # Large enough for the parallel path: many reduction blocks and > 65,536 elements.
    X, y, _ = steepest.datasets.make_regression(50_000, 30, dtype=dtype, random_state=5)
    coef = np.full(30, 0.1, dtype=dtype)
    one = steepest.loss_and_gradient(X, y, coef, 0.2, 0.01, n_threads=1)
    two = steepest.loss_and_gradient(X, y, coef, 0.2, 0.01, n_threads=2)
    assert one[0] == two[0]
    assert np.array_equal(one[1], two[1])
    assert one[2] == two[2]

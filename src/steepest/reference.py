"""The same algorithms as steepest's C++ core, in plain NumPy, written to be read.

This module is the oracle the tests compare the core with, and the baseline the benchmarks time it
against. ``reference.fit`` takes the same arguments as ``steepest.fit``, draws the same
permutations from the same ``random_state``, and returns the same ``FitResult``: the two differ
only by floating-point rounding.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ._fit import FULL_BATCH, BatchSize, Shuffle, prepare
from ._result import FitResult

__all__ = ["fit", "loss_and_gradient", "minibatch_epoch", "sgd_epoch"]


def loss_and_gradient(
    X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: float = 0.0, l2: float = 0.0
) -> tuple[float, np.ndarray, float]:
    """Mean squared error plus l2·‖coef‖², and its gradients with respect to coef and intercept."""
    n = X.shape[0]
    residual = X @ coef + intercept - y
    loss = residual @ residual / n + l2 * (coef @ coef)
    grad_coef = (2.0 / n) * (X.T @ residual) + 2.0 * l2 * coef
    grad_intercept = (2.0 / n) * residual.sum()
    return float(loss), grad_coef, float(grad_intercept)


def minibatch_epoch(
    X: np.ndarray,
    y: np.ndarray,
    coef: np.ndarray,
    intercept: float,
    order: Optional[np.ndarray],
    *,
    batch_size: int,
    learning_rate: float,
    l2: float,
    fit_intercept: bool,
) -> tuple[np.ndarray, float, float]:
    """One epoch of mini-batch SGD over the rows in `order`, batch_size rows per step.

    order None takes the rows in order, as contiguous slices (no gather). Returns (coef,
    intercept, mean objective), the mean taken over the batch objectives measured just before
    each step and weighted by the batch's rows.
    """
    n = X.shape[0]
    total = 0.0
    for start in range(0, n, batch_size):
        batch = slice(start, start + batch_size) if order is None else order[start : start + batch_size]
        X_batch, y_batch = X[batch], y[batch]
        loss, grad_coef, grad_intercept = loss_and_gradient(X_batch, y_batch, coef, intercept, l2)
        total += loss * len(y_batch)
        coef = coef - learning_rate * grad_coef
        if fit_intercept:
            intercept = intercept - learning_rate * grad_intercept
    return coef, intercept, total / n


def sgd_epoch(
    X: np.ndarray,
    y: np.ndarray,
    coef: np.ndarray,
    intercept: float,
    order: Optional[np.ndarray],
    *,
    learning_rate: float,
    l2: float,
    fit_intercept: bool,
) -> tuple[np.ndarray, float, float]:
    """One epoch of SGD: mini-batch SGD with one example per step."""
    return minibatch_epoch(
        X, y, coef, intercept, order, batch_size=1, learning_rate=learning_rate, l2=l2, fit_intercept=fit_intercept
    )


def fit(
    X: Any,
    y: Any,
    *,
    batch_size: BatchSize = 32,
    learning_rate: float = 0.01,
    max_epochs: int = 1000,
    l2: float = 0.0,
    tol: Optional[float] = 1e-4,
    n_iter_no_change: int = 5,
    shuffle: Shuffle = True,
    shuffle_block_rows: Optional[int] = None,
    random_state: Any = None,
    fit_intercept: bool = True,
    n_threads: Optional[int] = None,
) -> FitResult:
    """``steepest.fit`` in NumPy: same arguments, same row orders, same result up to rounding.

    The orders come from the core's portable generator (``steepest._core.epoch_order``), so that
    both visit the rows in the same order; everything else is NumPy. n_threads is accepted for a
    like-for-like call and ignored (NumPy's BLAS picks its own).
    """
    p = prepare(
        X,
        y,
        batch_size=batch_size,
        learning_rate=learning_rate,
        max_epochs=max_epochs,
        l2=l2,
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        shuffle=shuffle,
        shuffle_block_rows=shuffle_block_rows,
        random_state=random_state,
        fit_intercept=fit_intercept,
        n_threads=n_threads,
    )
    X, y = p.X, p.y
    coef = np.zeros(X.shape[1], dtype=X.dtype)
    intercept = X.dtype.type(0)
    step = dict(learning_rate=X.dtype.type(p.learning_rate), l2=X.dtype.type(p.l2), fit_intercept=p.fit_intercept)
    history: list[float] = []
    best = np.inf
    epochs_without_improvement = 0

    def stop_after_epoch(loss: float) -> Optional[str]:
        nonlocal best, epochs_without_improvement
        history.append(loss)
        if not np.isfinite(loss):
            return "diverged"
        if p.tol < 0:
            return None
        improved = not np.isfinite(best) or loss < best - p.tol * abs(best)
        epochs_without_improvement = 0 if improved else epochs_without_improvement + 1
        best = min(best, loss)
        return "tol" if epochs_without_improvement >= p.n_iter_no_change else None

    stop_reason: Optional[str] = None
    if p.batch_size == FULL_BATCH:
        # Each pass gives the objective at the current weights, i.e. after the previous epoch, so
        # the history costs no extra pass; only a fit that runs out of epochs needs one more.
        for epoch in range(p.max_epochs + 1):
            loss, grad_coef, grad_intercept = loss_and_gradient(X, y, coef, intercept, p.l2)
            if epoch > 0 and (stop_reason := stop_after_epoch(loss)):
                break
            if epoch == p.max_epochs:
                break
            coef = coef - step["learning_rate"] * grad_coef
            if p.fit_intercept:
                intercept = intercept - step["learning_rate"] * grad_intercept
    else:
        for epoch in range(p.max_epochs):
            order = p.epoch_order(epoch)
            coef, intercept, loss = minibatch_epoch(X, y, coef, intercept, order, batch_size=p.batch_size, **step)
            if stop_reason := stop_after_epoch(loss):
                break
    return p.result(coef.astype(X.dtype, copy=False), intercept, np.array(history), stop_reason or "max_epochs")

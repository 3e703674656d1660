"""steepest.fit and steepest.loss_and_gradient: validation here, arithmetic in the C++ core."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Optional, Union

import numpy as np

from . import _core
from ._result import FitResult
from ._validation import (
    as_coef,
    as_matrix,
    as_row_indices,
    as_target,
    check_finite_number,
    check_float,
    check_int,
    check_n_threads,
    make_rng,
)

BatchSize = Union[int, Literal["full"]]
FULL_BATCH = 0  # the core's encoding of full-batch gradient descent


@dataclass(frozen=True)
class Problem:
    """Validated data and hyperparameters, shared by the C++ fit and the NumPy reference."""

    X: np.ndarray
    y: np.ndarray
    batch_size: int  # FULL_BATCH or 1..n_rows-1
    learning_rate: float
    max_epochs: int
    l2: float
    tol: float  # negative: never stop on tol
    n_iter_no_change: int
    shuffle: bool
    rng: np.random.Generator
    fit_intercept: bool
    n_threads: int
    params: dict[str, Any]

    def order_source(self) -> Optional[Callable[[int], np.ndarray]]:
        """A fresh permutation every epoch, or None where order does not matter or is not wanted."""
        if not self.shuffle or self.batch_size == FULL_BATCH:
            return None
        n_rows = self.X.shape[0]
        return lambda epoch: self.rng.permutation(n_rows).astype(np.int64, copy=False)

    def result(self, coef: np.ndarray, intercept: float, history: np.ndarray, stop_reason: str) -> FitResult:
        if stop_reason == "diverged":
            raise FloatingPointError(
                f"the fit diverged in epoch {len(history)} (objective {history[-1]}): "
                f"learning_rate={self.learning_rate} is too large for this data. Try a smaller "
                "learning_rate, or standardise the features (zero mean, unit variance)."
            )
        return FitResult(
            coef=coef,
            intercept=self.X.dtype.type(intercept),
            loss_history=np.asarray(history, dtype=np.float64),
            stop_reason=stop_reason,
            params=self.params,
        )


def prepare(
    X: Any,
    y: Any,
    *,
    batch_size: BatchSize,
    learning_rate: float,
    max_epochs: int,
    l2: float,
    tol: Optional[float],
    n_iter_no_change: int,
    shuffle: bool,
    random_state: Any,
    fit_intercept: bool,
    n_threads: Optional[int],
) -> Problem:
    X = as_matrix(X)
    y = as_target(y, X.shape[0], X.dtype)
    n_rows = X.shape[0]
    if isinstance(batch_size, str):
        if batch_size != "full":
            raise ValueError(f"batch_size must be a positive int or 'full', got {batch_size!r}")
        core_batch = FULL_BATCH
    else:
        # A batch as large as the data set is full-batch gradient descent.
        core_batch = check_int("batch_size", batch_size, 1)
        if core_batch >= n_rows:
            core_batch = FULL_BATCH
    if tol is not None:
        tol = check_float("tol", tol, positive=False)
    for name, flag in (("shuffle", shuffle), ("fit_intercept", fit_intercept)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    params = dict(
        batch_size="full" if core_batch == FULL_BATCH else core_batch,
        learning_rate=check_float("learning_rate", learning_rate, positive=True),
        max_epochs=check_int("max_epochs", max_epochs, 1),
        l2=check_float("l2", l2, positive=False),
        tol=tol,
        n_iter_no_change=check_int("n_iter_no_change", n_iter_no_change, 1),
        shuffle=bool(shuffle),
        random_state=random_state,
        fit_intercept=bool(fit_intercept),
        n_threads=n_threads,
    )
    return Problem(
        X=X,
        y=y,
        batch_size=core_batch,
        learning_rate=params["learning_rate"],
        max_epochs=params["max_epochs"],
        l2=params["l2"],
        tol=-1.0 if tol is None else tol,
        n_iter_no_change=params["n_iter_no_change"],
        shuffle=params["shuffle"],
        rng=make_rng(random_state),
        fit_intercept=params["fit_intercept"],
        n_threads=check_n_threads(n_threads),
        params=params,
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
    shuffle: bool = True,
    random_state: Any = None,
    fit_intercept: bool = True,
    n_threads: Optional[int] = None,
) -> FitResult:
    """Fit a linear model y ≈ X @ coef + intercept by gradient descent on the mean squared error.

    The objective is ``mean((X @ coef + intercept - y) ** 2) + l2 * ||coef||²``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        float32 input is trained in float32; any other real dtype in float64. A C-contiguous
        float32 or float64 array is read in place (no copy); other layouts are copied once.
    y : array-like of shape (n_samples,)
    batch_size : int or "full", default 32
        Rows per gradient step: 1 is SGD, "full" (or any value >= n_samples) is full-batch
        gradient descent, anything between is mini-batch SGD. 32 is the usual mini-batch default:
        cheap steps that still average out much of the noise of single examples.
    learning_rate : float, default 0.01
        Constant step size (scikit-learn's default eta0). It suits standardised features; for
        full batch, the fastest safe rate is about 1 / (largest eigenvalue of (2/n) XᵀX + 2·l2).
    max_epochs : int, default 1000
        Passes over the data at most (scikit-learn's max_iter).
    l2 : float, default 0.0
        Ridge penalty λ in λ‖coef‖²; the intercept is never penalised.
    tol : float or None, default 1e-4
        Stop when the epoch objective has not fallen below ``best * (1 - tol)`` for
        ``n_iter_no_change`` epochs in a row. Relative, so it does not depend on the scale of y or
        on n_samples. None never stops early.
    n_iter_no_change : int, default 5
    shuffle : bool, default True
        Draw a fresh permutation of the rows every epoch (ignored for full batch, whose gradient
        does not depend on the order).
    random_state : None, int or numpy.random.Generator
        Seeds the shuffling; a Generator passed in is advanced. The same int gives bit-identical
        results on every run and with any number of threads.
    fit_intercept : bool, default True
    n_threads : int or None
        OpenMP threads for large batches; None respects OMP_NUM_THREADS and threadpoolctl.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError, TypeError
        On invalid data or hyperparameters, before any work starts.
    FloatingPointError
        When the objective becomes non-finite (the learning rate is too large for the data).
    """
    problem = prepare(
        X,
        y,
        batch_size=batch_size,
        learning_rate=learning_rate,
        max_epochs=max_epochs,
        l2=l2,
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        shuffle=shuffle,
        random_state=random_state,
        fit_intercept=fit_intercept,
        n_threads=n_threads,
    )
    coef = np.zeros(problem.X.shape[1], dtype=problem.X.dtype)
    intercept, history, stop_reason = _core.fit(
        problem.X,
        problem.y,
        coef,
        0.0,
        problem.batch_size,
        problem.learning_rate,
        problem.l2,
        problem.fit_intercept,
        problem.max_epochs,
        problem.tol,
        problem.n_iter_no_change,
        problem.n_threads,
        problem.order_source(),
        None,
    )
    return problem.result(coef, intercept, history, stop_reason)


def loss_and_gradient(
    X: Any,
    y: Any,
    coef: Any,
    intercept: float = 0.0,
    l2: float = 0.0,
    *,
    rows: Any = None,
    n_threads: Optional[int] = None,
) -> tuple[float, np.ndarray, float]:
    """The objective and its gradients at (coef, intercept), computed by the C++ core.

    Returns ``(loss, grad_coef, grad_intercept)`` with
    ``loss = mean(r²) + l2·‖coef‖²``, ``grad_coef = (2/n) Xᵀr + 2·l2·coef`` and
    ``grad_intercept = (2/n) Σ r`` for the residuals ``r = X @ coef + intercept - y``.

    rows : array of int, optional
        Evaluate on this batch of row indices (read in place, repeats allowed) instead of all rows.
    """
    X = as_matrix(X)
    y = as_target(y, X.shape[0], X.dtype)
    coef = as_coef(coef, X.shape[1], X.dtype)
    intercept = check_finite_number("intercept", intercept)
    l2 = check_float("l2", l2, positive=False)
    if rows is not None:
        rows = as_row_indices(rows, X.shape[0])
    loss, grad, grad_intercept = _core.loss_and_gradient(
        X, y, coef, intercept, l2, rows, check_n_threads(n_threads)
    )
    return float(loss), grad, float(grad_intercept)


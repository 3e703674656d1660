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
Shuffle = Union[bool, Literal["rows", "blocks", "none"]]
FULL_BATCH = 0  # the core's encoding of full-batch gradient descent
BLOCK_BYTES = 64 * 1024


def _shuffle_mode(shuffle: Any) -> str:
    if isinstance(shuffle, (bool, np.bool_)):
        return "rows" if shuffle else "none"
    accepted = "True, False, 'rows', 'blocks' or 'none'"
    if not isinstance(shuffle, str):
        raise TypeError(f"shuffle must be {accepted}, got {shuffle!r}")
    if shuffle not in ("rows", "blocks", "none"):
        raise ValueError(f"shuffle must be {accepted}, got {shuffle!r}")
    return shuffle


@dataclass(frozen=True)
class EpochInfo:
    """What a callback sees after each epoch.

    coef is a read-only view of the weights being trained: copy it to keep it.
    """

    epoch: int  # 1-based
    loss: float  # the epoch's entry of loss_history
    learning_rate: float
    coef: np.ndarray
    intercept: float


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
    shuffle: str  # "rows", "blocks" or "none"
    shuffle_block_rows: int
    seed: int  # of the core's per-epoch orders, drawn from random_state
    fit_intercept: bool
    n_threads: int
    params: dict[str, Any]

    def epoch_order(self, epoch: int) -> Optional[np.ndarray]:
        """The rows of a (0-based) epoch in the order the core visits them; None for natural order."""
        if self.shuffle == "none" or self.batch_size == FULL_BATCH:
            return None
        return _core.epoch_order(self.shuffle, self.X.shape[0], self.shuffle_block_rows, self.seed, epoch)

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
    shuffle: Shuffle,
    shuffle_block_rows: Optional[int],
    random_state: Any,
    fit_intercept: bool,
    n_threads: Optional[int],
) -> Problem:
    # Scalars first: a wrong hyperparameter is reported before any pass over X.
    if isinstance(batch_size, str):
        if batch_size != "full":
            raise ValueError(f"batch_size must be a positive int or 'full', got {batch_size!r}")
        core_batch = FULL_BATCH
    else:
        core_batch = check_int("batch_size", batch_size, 1)
    if tol is not None:
        tol = check_float("tol", tol, positive=False)
    if not isinstance(fit_intercept, (bool, np.bool_)):
        raise TypeError(f"fit_intercept must be True or False, got {fit_intercept!r}")
    mode = _shuffle_mode(shuffle)
    if shuffle_block_rows is not None:
        shuffle_block_rows = check_int("shuffle_block_rows", shuffle_block_rows, 1)
    learning_rate = check_float("learning_rate", learning_rate, positive=True)
    max_epochs = check_int("max_epochs", max_epochs, 1)
    l2 = check_float("l2", l2, positive=False)
    n_iter_no_change = check_int("n_iter_no_change", n_iter_no_change, 1)
    core_threads = check_n_threads(n_threads)
    rng = make_rng(random_state)

    X = as_matrix(X)
    y = as_target(y, X.shape[0], X.dtype)
    if core_batch >= X.shape[0]:
        core_batch = FULL_BATCH  # a batch as large as the data set is full-batch gradient descent
    # About 64 KiB of consecutive rows by default: long enough to read at sequential speed.
    block_rows = shuffle_block_rows or max(1, BLOCK_BYTES // (X.shape[1] * X.itemsize))
    params = dict(
        batch_size="full" if core_batch == FULL_BATCH else core_batch,
        learning_rate=learning_rate,
        max_epochs=max_epochs,
        l2=l2,
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        shuffle=mode,
        shuffle_block_rows=block_rows,
        random_state=random_state,
        fit_intercept=bool(fit_intercept),
        n_threads=n_threads,
    )
    return Problem(
        X=X,
        y=y,
        batch_size=core_batch,
        learning_rate=learning_rate,
        max_epochs=max_epochs,
        l2=l2,
        tol=-1.0 if tol is None else tol,
        n_iter_no_change=n_iter_no_change,
        shuffle=mode,
        shuffle_block_rows=block_rows,
        seed=int(rng.integers(0, 2**64, dtype=np.uint64)),
        fit_intercept=bool(fit_intercept),
        n_threads=core_threads,
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
    shuffle: Shuffle = True,
    shuffle_block_rows: Optional[int] = None,
    random_state: Any = None,
    fit_intercept: bool = True,
    n_threads: Optional[int] = None,
    callback: Optional[Callable[[EpochInfo], Optional[bool]]] = None,
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
    shuffle : True, False, "rows", "blocks" or "none", default True
        The order of the rows in each epoch (ignored for full batch, whose gradient does not
        depend on it). True or "rows": a fresh uniform permutation every epoch, as scikit-learn
        and PyTorch do; rows are then gathered from random places in memory, which costs about
        2-3x a sequential read of X. "blocks": runs of ``shuffle_block_rows`` consecutive rows,
        the runs in a fresh random order every epoch; it reads X at nearly sequential speed and
        mixes less (rows of one run always travel together). False or "none": rows in order.
    shuffle_block_rows : int or None
        Rows per run for ``shuffle="blocks"``; None picks about 64 KiB of rows.
    random_state : None, int or numpy.random.Generator
        Seeds the shuffling; a Generator passed in is advanced. The orders are drawn in the core
        by a portable generator seeded from this, so the same int gives bit-identical results on
        every run, platform and thread count.
    fit_intercept : bool, default True
    n_threads : int or None
        OpenMP threads; None respects OMP_NUM_THREADS and threadpoolctl.
    callback : callable, optional
        ``callback(info: EpochInfo)`` after every epoch; returning True stops the fit
        (stop_reason "callback").

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError, TypeError
        On invalid data or hyperparameters, before any work starts.
    FloatingPointError
        When the fit diverges: the objective becomes non-finite, explodes, or (full batch) rises.
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
        shuffle_block_rows=shuffle_block_rows,
        random_state=random_state,
        fit_intercept=fit_intercept,
        n_threads=n_threads,
    )
    coef = np.zeros(problem.X.shape[1], dtype=problem.X.dtype)
    observer = None
    if callback is not None:
        coef_view = coef.view()
        coef_view.flags.writeable = False

        def observer(epoch: int, loss: float, intercept: float) -> bool:
            info = EpochInfo(epoch, loss, problem.learning_rate, coef_view, intercept)
            return bool(callback(info))

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
        problem.shuffle,
        problem.shuffle_block_rows,
        problem.seed,
        problem.n_threads,
        observer,
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


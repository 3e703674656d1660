"""steepest.fit and steepest.loss_and_gradient: validation here, arithmetic in the C++ core."""

from __future__ import annotations

import numbers
import sys
from dataclasses import dataclass, field
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
    check_choice,
    check_n_threads,
    check_unit_interval,
    make_rng,
    LOSSES,
    SMOOTH_LOSSES,
    CLASSIFICATION_LOSSES,
    as_binary_target,
    as_sample_weight,
    as_class_indices,
    negative_label,
    MULTINOMIAL,
    REGRESSION_LOSSES,
)
from .schedules import Constant, Schedule

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

    coef is a read-only view of the weights being trained (not averaged, not yet restored to
    the best validation epoch): copy it to keep it.
    """

    epoch: int  # 1-based
    loss: float  # the epoch's entry of loss_history
    learning_rate: float  # the rate of the epoch's last update
    coef: np.ndarray
    intercept: float
    validation_loss: Optional[float] = None  # with early_stopping


METHODS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "newton")
ADAPTIVE_METHODS = ("adagrad", "rmsprop", "adam")
LearningRate = Union[float, Literal["auto"], Schedule]


@dataclass(frozen=True)
class Problem:
    """Validated data and hyperparameters, shared by the C++ fit and the NumPy reference."""

    X: np.ndarray
    y: np.ndarray
    batch_size: int  # FULL_BATCH or 1..n_rows-1
    learning_rate: float  # the first update's rate; 0 for "auto" (the core chooses)
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
    core_options: dict[str, Any] = field(default_factory=dict)
    train_rows: Optional[np.ndarray] = None
    validation_rows: Optional[np.ndarray] = None
    sample_weight: Optional[np.ndarray] = None
    loss: str = "squared_error"
    n_classes: int = 0  # multinomial only

    def epoch_order(self, epoch: int) -> Optional[np.ndarray]:
        """The rows of a (0-based) epoch in the order the core visits them; None for natural order."""
        if self.shuffle == "none" or self.batch_size == FULL_BATCH:
            return None
        return _core.epoch_order(self.shuffle, self.X.shape[0], self.shuffle_block_rows, self.seed, epoch)

    def result(
        self,
        coef: np.ndarray,
        intercept: float,
        history: np.ndarray,
        stop_reason: str,
        learning_rate_history: Optional[np.ndarray] = None,
        validation_loss_history: Optional[np.ndarray] = None,
        n_updates: int = 0,
    ) -> FitResult:
        if stop_reason == "diverged":
            rates = learning_rate_history if learning_rate_history is not None and len(learning_rate_history) else None
            rate = self.params["learning_rate"]
            used = f" (rate {rates[-1]:.6g} in its last epoch)" if rates is not None else ""
            raise FloatingPointError(
                f"the fit diverged in epoch {len(history)}: the objective became {history[-1]:.6g}. "
                f"learning_rate={rate!r}{used} is too large for this data. Try a learning_rate 10 "
                "times smaller, or learning_rate='auto' (steps from the Hessian), or standardise "
                "the features (zero mean, unit variance). No result is returned."
            )
        return FitResult(
            coef=coef,
            intercept=intercept if isinstance(intercept, np.ndarray) else self.X.dtype.type(intercept),
            loss_history=np.asarray(history, dtype=np.float64),
            stop_reason=stop_reason,
            params=self.params,
            learning_rate_history=np.asarray(
                learning_rate_history if learning_rate_history is not None else [], dtype=np.float64
            ),
            validation_loss_history=np.asarray(
                validation_loss_history if validation_loss_history is not None else [], dtype=np.float64
            ),
            n_updates=int(n_updates),
        )


def _learning_rate(learning_rate: Any, method: str, loss: str) -> tuple[Optional[Schedule], bool, Any]:
    """(schedule, auto, value for params) from the learning_rate argument."""
    if learning_rate is None:
        learning_rate = 1.0 if method == "newton" else 0.01
    if isinstance(learning_rate, str):
        if learning_rate != "auto":
            raise ValueError(f"learning_rate must be a positive number, 'auto' or a schedule, got {learning_rate!r}")
        if loss not in SMOOTH_LOSSES:
            raise ValueError(
                f"learning_rate='auto' needs a loss with a bounded second derivative "
                f"({', '.join(SMOOTH_LOSSES)}); loss={loss!r} has a kink: pass a number or a schedule"
            )
        if method not in ("sgd", "momentum", "nesterov"):
            raise ValueError(
                f"learning_rate='auto' sets the step of gradient descent (method 'sgd', 'momentum' or "
                f"'nesterov'); method={method!r} needs a number or a schedule"
            )
        return None, True, "auto"
    if isinstance(learning_rate, Schedule):
        return learning_rate, False, learning_rate
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
        raise TypeError(f"learning_rate must be a positive number, 'auto' or a schedule, got {learning_rate!r}")
    rate = check_float("learning_rate", learning_rate, positive=True)
    return Constant(rate), False, rate


def prepare(
    X: Any,
    y: Any,
    *,
    batch_size: Optional[BatchSize],
    learning_rate: LearningRate | None,
    max_epochs: int,
    l2: float,
    tol: Optional[float],
    n_iter_no_change: int,
    shuffle: Shuffle,
    shuffle_block_rows: Optional[int],
    random_state: Any,
    fit_intercept: bool,
    n_threads: Optional[int],
    method: str = "sgd",
    l1: float = 0.0,
    momentum: float = 0.9,
    betas: tuple[float, float] = (0.9, 0.999),
    rho: float = 0.99,
    eps: float = 1e-8,
    average: Union[bool, int] = False,
    line_search: bool = False,
    gtol: Optional[float] = None,
    early_stopping: bool = False,
    validation_fraction: float = 0.1,
    loss: str = "squared_error",
    epsilon: float = 0.1,
    sample_weight: Any = None,
) -> Problem:
    # Scalars first: a wrong hyperparameter is reported before any pass over X.
    method = check_choice("method", method, METHODS)
    loss = check_choice("loss", loss, LOSSES)
    epsilon = check_float("epsilon", epsilon, positive=False)
    if method == "newton" and loss != "squared_error":
        raise ValueError(f"method='newton' solves least squares: it needs loss='squared_error', got {loss!r}")
    if loss == MULTINOMIAL and (line_search or early_stopping):
        raise ValueError("loss='multinomial' supports neither line_search nor early_stopping yet")
    if not isinstance(line_search, (bool, np.bool_)):
        raise TypeError(f"line_search must be True or False, got {line_search!r}")
    whole_batch = method == "newton" or bool(line_search)
    if batch_size is None:
        batch_size = "full" if whole_batch else 32
    if isinstance(batch_size, str):
        if batch_size != "full":
            raise ValueError(f"batch_size must be a positive int or 'full', got {batch_size!r}")
        core_batch = FULL_BATCH
    else:
        core_batch = check_int("batch_size", batch_size, 1)
    if tol is not None:
        tol = check_float("tol", tol, positive=False)
    if gtol is not None:
        gtol = check_float("gtol", gtol, positive=False)
    if not isinstance(fit_intercept, (bool, np.bool_)):
        raise TypeError(f"fit_intercept must be True or False, got {fit_intercept!r}")
    if not isinstance(early_stopping, (bool, np.bool_)):
        raise TypeError(f"early_stopping must be True or False, got {early_stopping!r}")
    mode = _shuffle_mode(shuffle)
    if shuffle_block_rows is not None:
        shuffle_block_rows = check_int("shuffle_block_rows", shuffle_block_rows, 1)
    schedule, auto_rate, rate_param = _learning_rate(learning_rate, method, loss)
    max_epochs = check_int("max_epochs", max_epochs, 1)
    l2 = check_float("l2", l2, positive=False)
    l1 = check_float("l1", l1, positive=False)
    n_iter_no_change = check_int("n_iter_no_change", n_iter_no_change, 1)
    momentum = check_unit_interval("momentum", momentum, include_zero=True)
    if not isinstance(betas, tuple) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    beta1 = check_unit_interval("betas[0]", betas[0], include_zero=True)
    beta2 = check_unit_interval("betas[1]", betas[1], include_zero=True)
    rho = check_unit_interval("rho", rho, include_zero=True)
    eps = check_float("eps", eps, positive=True)
    if isinstance(average, (bool, np.bool_)):
        average_start = 0 if average else -1
    else:
        average_start = check_int("average", average, 1)
    validation_fraction = check_unit_interval("validation_fraction", validation_fraction, include_zero=False)
    core_threads = check_n_threads(n_threads)
    if method == "newton" and l1 > 0:
        raise ValueError("method='newton' needs a twice-differentiable objective: l1 must be 0")
    if method == "newton" and isinstance(schedule, Schedule) and not isinstance(schedule, Constant):
        raise ValueError("method='newton' takes a constant learning_rate (1.0 is the full Newton step)")
    if line_search and method != "sgd":
        raise ValueError(f"line_search=True works with method='sgd' only, got method={method!r}")
    rng = make_rng(random_state)

    X = as_matrix(X)
    y = as_target(y, X.shape[0], X.dtype)
    labels = None
    n_classes = 0
    if loss in CLASSIFICATION_LOSSES:
        labels = (negative_label(y), 1.0)
        y = as_binary_target(y, loss)
    elif loss == MULTINOMIAL:
        y, n_classes = as_class_indices(y)
    weights = None if sample_weight is None else as_sample_weight(sample_weight, X.shape[0], X.dtype)
    seed = int(rng.integers(0, 2**64, dtype=np.uint64))
    train_rows = validation_rows = None
    n_rows = X.shape[0]
    if early_stopping:
        n_validation = int(np.ceil(validation_fraction * n_rows))
        if n_validation >= n_rows:
            raise ValueError(
                f"validation_fraction={validation_fraction} of {n_rows} rows leaves no row to train on"
            )
        held_out = rng.permutation(n_rows)
        # Sorted, so that both sets are read in memory order where the shuffle allows.
        validation_rows = np.sort(held_out[:n_validation]).astype(np.int64)
        train_rows = np.sort(held_out[n_validation:]).astype(np.int64)
        n_rows = train_rows.shape[0]
    if core_batch >= n_rows:
        core_batch = FULL_BATCH  # a batch as large as the data set is full-batch gradient descent
    if whole_batch and core_batch != FULL_BATCH:
        raise ValueError(
            f"{'method=newton' if method == 'newton' else 'line_search=True'} needs batch_size='full', got {batch_size!r}"
        )
    # About 64 KiB of consecutive rows by default: long enough to read at sequential speed.
    block_rows = shuffle_block_rows or max(1, BLOCK_BYTES // (X.shape[1] * X.itemsize))
    initial_rate = 0.0 if schedule is None else schedule.initial_rate
    params = dict(
        loss=loss,
        epsilon=epsilon,
        labels=labels,
        batch_size="full" if core_batch == FULL_BATCH else core_batch,
        learning_rate=rate_param,
        method=method,
        max_epochs=max_epochs,
        l2=l2,
        l1=l1,
        tol=tol,
        gtol=gtol,
        n_iter_no_change=n_iter_no_change,
        early_stopping=bool(early_stopping),
        validation_fraction=validation_fraction,
        momentum=momentum,
        betas=(beta1, beta2),
        rho=rho,
        eps=eps,
        average=average,
        line_search=bool(line_search),
        shuffle=mode,
        shuffle_block_rows=block_rows,
        random_state=random_state,
        fit_intercept=bool(fit_intercept),
        n_threads=n_threads,
    )
    core_options = dict(
        loss=loss,
        loss_epsilon=epsilon,
        batch_size=core_batch,
        learning_rate=initial_rate if not auto_rate else 1.0,
        auto_learning_rate=auto_rate,
        schedule=schedule._spec() if schedule is not None else {"kind": "constant"},
        l2=l2,
        l1=l1,
        method=method,
        momentum=momentum,
        beta1=beta1,
        beta2=beta2,
        rho=rho,
        epsilon=eps,
        average_start=average_start,
        line_search=bool(line_search),
        gtol=-1.0 if gtol is None else gtol,
        fit_intercept=bool(fit_intercept),
        max_epochs=max_epochs,
        tol=-1.0 if tol is None else tol,
        n_iter_no_change=n_iter_no_change,
        shuffle=mode,
        shuffle_block_rows=block_rows,
        seed=seed,
        n_threads=core_threads,
    )
    return Problem(
        X=X,
        y=y,
        batch_size=core_batch,
        learning_rate=initial_rate,
        max_epochs=max_epochs,
        l2=l2,
        tol=-1.0 if tol is None else tol,
        n_iter_no_change=n_iter_no_change,
        shuffle=mode,
        shuffle_block_rows=block_rows,
        seed=seed,
        fit_intercept=bool(fit_intercept),
        n_threads=core_threads,
        params=params,
        core_options=core_options,
        train_rows=train_rows,
        validation_rows=validation_rows,
        sample_weight=weights,
        loss=loss,
        n_classes=n_classes,
    )


class _Progress:
    """A tqdm bar with the loss when tqdm is installed, else one plain line per epoch on stderr."""

    def __init__(self, total: int) -> None:
        self.total = total
        try:
            from tqdm.auto import tqdm  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError:
            self.bar: Any = None
        else:
            self.bar = tqdm(total=total, unit="epoch", desc="steepest.fit")

    def update(self, info: EpochInfo) -> None:
        shown = {"loss": f"{info.loss:.6g}", "lr": f"{info.learning_rate:.3g}"}
        if info.validation_loss is not None:
            shown["val"] = f"{info.validation_loss:.6g}"
        if self.bar is not None:
            self.bar.set_postfix(shown, refresh=False)
            self.bar.update(1)
        else:
            text = ", ".join(f"{k} {v}" for k, v in shown.items())
            print(f"steepest.fit epoch {info.epoch}/{self.total}: {text}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def fit(
    X: Any,
    y: Any,
    *,
    loss: str = "squared_error",
    epsilon: float = 0.1,
    sample_weight: Any = None,
    batch_size: Optional[BatchSize] = None,
    learning_rate: Optional[LearningRate] = None,
    method: str = "sgd",
    max_epochs: int = 1000,
    l2: float = 0.0,
    l1: float = 0.0,
    tol: Optional[float] = 1e-4,
    gtol: Optional[float] = None,
    n_iter_no_change: int = 5,
    early_stopping: bool = False,
    validation_fraction: float = 0.1,
    momentum: float = 0.9,
    betas: tuple[float, float] = (0.9, 0.999),
    rho: float = 0.99,
    eps: float = 1e-8,
    average: Union[bool, int] = False,
    line_search: bool = False,
    shuffle: Shuffle = True,
    shuffle_block_rows: Optional[int] = None,
    random_state: Any = None,
    fit_intercept: bool = True,
    n_threads: Optional[int] = None,
    callback: Optional[Callable[[EpochInfo], Optional[bool]]] = None,
    progress: bool = False,
) -> FitResult:
    """Fit a linear model with decision function X @ coef + intercept by gradient descent.

    The objective is ``mean(sample_weight * loss(X @ coef + intercept, y)) + l2 * ||coef||² +
    l1 * ||coef||₁``, by default the mean squared error; the intercept is never penalised.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        float32 input is trained in float32; any other real dtype in float64. A C-contiguous
        float32 or float64 array is read in place (no copy); other layouts are copied once.
    y : array-like of shape (n_samples,)
        Targets; for a classification loss, the labels -1/+1 or 0/1 (steepest.SGDClassifier takes
        labels of any kind and several classes).
    loss : str, default "squared_error"
        Regression: "squared_error" ((p − y)², the mean squared error), "huber", "epsilon_insensitive",
        "squared_epsilon_insensitive". Classification: "log_loss" (logistic regression), "hinge"
        (linear SVM), "squared_hinge", "modified_huber", "perceptron". The formulas are scikit-learn's
        (cpp/include/steepest/losses.hpp lists them), except that squared_error has no factor ½.
    epsilon : float, default 0.1
        The width of huber's quadratic zone and of the epsilon-insensitive losses' dead zone.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weight of each row's loss (and of its gradient); None weighs all rows 1.
    batch_size : int or "full", default 32 ("full" for method="newton" or line_search=True)
        Rows per gradient step: 1 is SGD, "full" (or any value >= n_samples) is full-batch
        gradient descent, anything between is mini-batch SGD. 32 is the usual mini-batch default:
        cheap steps that still average out much of the noise of single examples.
    learning_rate : float, "auto" or a steepest.schedules schedule, default 0.01 (1.0 for newton)
        A float is a constant step size (scikit-learn's default eta0 is 0.01; it suits
        standardised features). A schedule from :mod:`steepest.schedules` varies it per update or
        per epoch. "auto" needs no tuning: each coefficient gets its own step from the diagonal of
        the Hessian H = (2/n)[X 1]ᵀ[X 1] + 2·l2 (a Jacobi preconditioner, which cancels differences
        of feature scale), times one rate for the preconditioned Hessian, whose largest eigenvalue L
        is estimated by 12 power-iteration passes over X before the first epoch: 1/L for full
        batch; for batches of B rows B / (β + (B − 1)·L), β the largest curvature of a single
        preconditioned row (Ma, Bassily & Belkin 2018), which shrinks the step as batches get
        smaller and noisier, down to 1/β for B = 1; with momentum and batches, times (1 − μ),
        since momentum multiplies the effective step by 1/(1 − μ). For method="newton" the rate scales the Newton
        step; 1.0 lands on the minimum of the quadratic objective in one step.
    method : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "newton"}, default "sgd"
        The update rule, with PyTorch's conventions: momentum ``v = μv + g; w -= η v``; Nesterov
        ``v = μv + g; w -= η (g + μv)``; AdaGrad ``s += g²; w -= η g / (√s + ε)``; RMSProp
        ``s = ρs + (1 − ρ)g²``; Adam with bias correction (betas, eps). "newton" uses the
        exact inverse Hessian (XᵀX built in one parallel pass, factored once): full batch only.
    max_epochs : int, default 1000
        Passes over the data at most (scikit-learn's max_iter).
    l2 : float, default 0.0
        Ridge penalty λ in λ‖coef‖²; exact (its gradient 2λ·coef is part of every step).
    l1 : float, default 0.0
        Lasso penalty in l1·‖coef‖₁, applied by a proximal (soft-thresholding) step after each
        update, so that coefficients become exactly 0.0. l1 and l2 together give the elastic net.
        scikit-learn's Lasso(alpha) is l1=2·alpha; ElasticNet(alpha, l1_ratio) is
        l1=2·alpha·l1_ratio, l2=alpha·(1 − l1_ratio).
    tol : float or None, default 1e-4
        Stop when the epoch objective (penalty included) has not fallen below ``best − tol·|best|``
        for ``n_iter_no_change`` epochs in a row. Relative, so it depends neither on the scale of
        y nor on n_samples. None never stops early.
    gtol : float or None
        Full batch: also stop (stop_reason "gtol") once the objective's gradient norm (with l1,
        of its smallest subgradient) is at most gtol.
    n_iter_no_change : int, default 5
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the rows (chosen at random from random_state), train
        on the rest, record the mean squared error on the held-out rows after every epoch
        (``validation_loss_history``), stop on it instead of the training objective (stop_reason
        "validation") and return the weights of the epoch with the lowest validation loss.
    validation_fraction : float, default 0.1
    momentum : float, default 0.9
        μ for method "momentum" and "nesterov".
    betas : (float, float), default (0.9, 0.999)
        Adam's decay rates of its moving averages of g and g².
    rho : float, default 0.99
        RMSProp's decay rate of its moving average of g² (PyTorch's alpha).
    eps : float, default 1e-8
        Added to the denominators of AdaGrad, RMSProp and Adam.
    average : bool or int, default False
        Averaged SGD (Polyak–Ruppert): return the mean of the weights after every update (True),
        or after every update past the first ``average`` updates (an int).
    line_search : bool, default False
        Full batch, method "sgd": backtracking line search. Each epoch starts from the previous
        accepted step (learning_rate for the first) and halves it until the sufficient
        decrease condition f(w⁺) ≤ f(w) + g·(w⁺ − w) + ‖w⁺ − w‖²/(2η) holds (Armijo's with c = ½;
        with l1, the proximal version of Beck and Teboulle), tested in its exact equivalent for
        a quadratic, (w⁺ − w)·(g⁺ − g) ≤ ‖w⁺ − w‖²/η, which stays reliable near the minimum where
        differences of objectives sink below rounding. Every trial is one pass over X.
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
        Seeds the shuffling and the validation split; a Generator passed in is advanced. The
        orders are drawn in the core by a portable generator seeded from this, so the same int
        gives bit-identical results on every run, platform and thread count.
    fit_intercept : bool, default True
    n_threads : int or None
        OpenMP threads; None respects OMP_NUM_THREADS and threadpoolctl.
    callback : callable, optional
        ``callback(info: EpochInfo)`` after every epoch, with the epoch, the objective, the
        learning rate, the validation loss and read-only coefficients; returning True stops the
        fit (stop_reason "callback").
    progress : bool, default False
        Show a progress bar with the loss (tqdm, when installed; otherwise one line per epoch on
        stderr).

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError, TypeError
        On invalid data or hyperparameters, before any work starts.
    FloatingPointError
        When the fit diverges: the objective becomes non-finite, explodes, or (plain full batch)
        rises. The message names the learning rate; nothing is returned.
    """
    options: dict[str, Any] = dict(
        loss=loss, epsilon=epsilon, sample_weight=sample_weight, batch_size=batch_size,
        learning_rate=learning_rate, method=method, max_epochs=max_epochs, l2=l2, l1=l1, tol=tol, gtol=gtol,
        n_iter_no_change=n_iter_no_change, early_stopping=early_stopping, validation_fraction=validation_fraction,
        momentum=momentum, betas=betas, rho=rho, eps=eps, average=average, line_search=line_search,
        shuffle=shuffle, shuffle_block_rows=shuffle_block_rows, fit_intercept=fit_intercept, n_threads=n_threads,
    )
    if _several_outputs(y):
        return _fit_outputs(X, y, callback=callback, progress=progress, random_state=random_state, kwargs=options)
    problem = prepare(X, y, random_state=random_state, **options)
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {callback!r}")
    return run(problem, callback=callback, progress=bool(progress))


def run(
    problem: Problem,
    *,
    coef: Optional[np.ndarray] = None,
    intercept: Any = 0.0,
    callback: Optional[Callable[[EpochInfo], Optional[bool]]] = None,
    progress: bool = False,
) -> FitResult:
    """Runs a prepared fit in the core, from coef (zeros when None) and intercept (for
    multinomial, a scalar or one per class); coef is trained in place."""
    multinomial = problem.loss == MULTINOMIAL
    shape = (problem.n_classes, problem.X.shape[1]) if multinomial else (problem.X.shape[1],)
    weights = np.zeros(shape, dtype=problem.X.dtype) if coef is None else coef
    intercepts = np.array(np.broadcast_to(np.asarray(intercept, dtype=problem.X.dtype), (problem.n_classes,)))
    if not multinomial:
        intercept = float(intercept)
    bar = _Progress(problem.max_epochs) if progress else None
    observer = None
    if callback is not None or bar is not None:
        coef_view = weights.view()
        coef_view.flags.writeable = False

        def observer(epoch: int, loss: float, rate: float, validation: float, intercept: float) -> bool:
            info = EpochInfo(
                epoch, loss, rate, coef_view, intercept, None if np.isnan(validation) else validation
            )
            if bar is not None:
                bar.update(info)
            return bool(callback(info)) if callback is not None else False

    out: Any
    try:
        if multinomial:
            options = {k: v for k, v in problem.core_options.items() if k not in ("loss", "loss_epsilon")}
            out = _core.fit_softmax(
                problem.X, problem.y, weights, intercepts, options, observer, problem.sample_weight
            )
            out["intercept"] = intercepts
        else:
            out = _core.fit(
                problem.X,
                problem.y,
                weights,
                intercept,
                problem.core_options,
                problem.train_rows,
                problem.validation_rows,
                observer,
                problem.sample_weight,
            )
    finally:
        if bar is not None:
            bar.close()
    return problem.result(
        weights,
        out["intercept"],
        out["loss_history"],
        out["stop_reason"],
        out["learning_rate_history"],
        out["validation_loss_history"],
        out["n_updates"],
    )


def loss_and_gradient(
    X: Any,
    y: Any,
    coef: Any,
    intercept: float = 0.0,
    l2: float = 0.0,
    *,
    l1: float = 0.0,
    loss: str = "squared_error",
    epsilon: float = 0.1,
    sample_weight: Any = None,
    rows: Any = None,
    n_threads: Optional[int] = None,
) -> tuple[float, np.ndarray, float]:
    """The objective and its gradients at (coef, intercept), computed by the C++ core.

    Returns ``(value, grad_coef, grad_intercept)`` with ``value = mean(s·ℓ(p, y)) + l2·‖coef‖² +
    l1·‖coef‖₁`` for the predictions ``p = X @ coef + intercept``, row weights s (1 by default) and
    the loss ℓ named by ``loss`` (see :func:`fit`), ``grad_coef = Xᵀ(s·ℓ'(p, y))/n + 2·l2·coef +
    l1·sign(coef)`` (a subgradient: 0 where a coefficient is 0) and ``grad_intercept = mean(s·ℓ'(p, y))``.
    For the default squared error: ``mean(r²)``, ``(2/n) Xᵀr`` and ``(2/n) Σ r`` with ``r = p − y``.
    Classification losses take y as -1/+1 or 0/1.

    rows : array of int, optional
        Evaluate on this batch of row indices (read in place, repeats allowed) instead of all rows.
    """
    loss = check_choice("loss", loss, LOSSES)
    epsilon = check_float("epsilon", epsilon, positive=False)
    X = as_matrix(X)
    y = as_target(y, X.shape[0], X.dtype)
    l2 = check_float("l2", l2, positive=False)
    l1 = check_float("l1", l1, positive=False)
    weights = None if sample_weight is None else as_sample_weight(sample_weight, X.shape[0], X.dtype)
    if loss == MULTINOMIAL:
        return _softmax_loss_and_gradient(X, y, coef, intercept, l2, l1, weights, check_n_threads(n_threads), rows)
    if loss in CLASSIFICATION_LOSSES:
        y = as_binary_target(y, loss)
    coef = as_coef(coef, X.shape[1], X.dtype)
    intercept = check_finite_number("intercept", intercept)
    if rows is not None:
        rows = as_row_indices(rows, X.shape[0])
    value, grad, grad_intercept = _core.loss_and_gradient(
        X, y, coef, intercept, l2, l1, rows, check_n_threads(n_threads), loss, epsilon, weights
    )
    _check_finite_objective(value, grad, grad_intercept)
    return float(value), grad, float(grad_intercept)


def _check_finite_objective(value: float, grad: np.ndarray, grad_intercept: Any) -> None:
    if not (np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(grad_intercept))):
        raise FloatingPointError(
            "the objective or its gradient overflows at these coefficients (X, y or coef are too large for "
            "the dtype): rescale the data, or use float64"
        )


def _softmax_loss_and_gradient(
    X: np.ndarray, y: np.ndarray, coef: Any, intercept: Any, l2: float, l1: float,
    weights: Optional[np.ndarray], n_threads: int, rows: Any,
) -> tuple[float, np.ndarray, Any]:
    if rows is not None:
        raise ValueError("rows is not supported for loss='multinomial'")
    y, _ = as_class_indices(y)
    W = np.ascontiguousarray(np.asarray(coef, dtype=X.dtype))
    if W.ndim != 2 or W.shape[1] != X.shape[1] or W.shape[0] < int(y.max()) + 1 or not np.all(np.isfinite(W)):
        raise ValueError(
            f"coef must be a finite (n_classes, {X.shape[1]}) array with a row for every class in y, got {W.shape}"
        )
    B = np.ascontiguousarray(np.broadcast_to(np.asarray(intercept, dtype=X.dtype), (W.shape[0],)))
    if not np.all(np.isfinite(B)):
        raise ValueError("intercept must be finite")
    value, grad, grad_intercept = _core.softmax_loss_and_gradient(X, y, W, B, l2, l1, n_threads, weights)
    _check_finite_objective(value, grad, grad_intercept)
    return float(value), grad, grad_intercept


def _fit_outputs(
    X: Any, y: Any, *, callback: Any, progress: Any, random_state: Any, kwargs: dict[str, Any]
) -> FitResult:
    """Multi-output regression: y of shape (n_samples, n_outputs).

    Every regression loss and penalty is a sum over outputs, and an output's updates depend on its
    own coefficients only, so the joint fit is one fit per output, all with the same row orders
    (the same seed). Each output stops by its own rule; the result stacks them.
    """
    if kwargs["loss"] not in REGRESSION_LOSSES:
        raise ValueError(f"y with several columns needs a regression loss ({', '.join(REGRESSION_LOSSES)}), got {kwargs['loss']!r}")
    if callback is not None or progress:
        raise ValueError("callback and progress are not supported for y with several columns yet")
    X = as_matrix(X)
    targets = _as_real_array_2d(y, X.shape[0])
    seed = int(make_rng(random_state).integers(0, 2**63))
    results = [fit(X, np.ascontiguousarray(targets[:, k]), random_state=seed, **kwargs) for k in range(targets.shape[1])]
    longest = max(results, key=lambda r: r.n_epochs)
    epochs = longest.n_epochs
    history = np.sum([np.pad(r.loss_history, (0, epochs - r.n_epochs), mode="edge") for r in results], axis=0)
    validation = [r.validation_loss_history for r in results]
    return FitResult(
        coef=np.stack([r.coef for r in results]),
        intercept=np.array([r.intercept for r in results], dtype=X.dtype),
        loss_history=history,
        stop_reason=longest.stop_reason,
        params={**results[0].params, "random_state": random_state, "n_outputs": targets.shape[1]},
        learning_rate_history=np.array(longest.learning_rate_history),
        validation_loss_history=(
            np.sum([np.pad(v, (0, epochs - len(v)), mode="edge") for v in validation], axis=0)
            if all(len(v) for v in validation) else np.zeros(0)
        ),
        n_updates=longest.n_updates,
    )


def _several_outputs(y: Any) -> bool:
    """True for a y of shape (n_samples, n_outputs >= 2); anything unreadable is left to the checks."""
    try:
        shape = np.shape(y)
    except ValueError:
        return False
    return len(shape) == 2 and shape[1] > 1


def _as_real_array_2d(y: Any, n_rows: int) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 2 or arr.shape[0] != n_rows:
        raise ValueError(f"y must have shape ({n_rows},) or ({n_rows}, n_outputs), got {arr.shape}")
    if arr.dtype.kind not in "biuf" or not np.all(np.isfinite(arr)):
        raise ValueError("y must hold finite real numbers")
    return arr

"""steepest.check_gradient: the core's analytic gradient against centered finite differences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from . import _core
from ._validation import (
    CLASSIFICATION_LOSSES,
    LOSSES,
    MULTINOMIAL,
    as_class_indices,
    as_binary_target,
    as_coef,
    as_matrix,
    as_sample_weight,
    as_target,
    check_choice,
    check_finite_number,
    check_float,
)
Gradient = Callable[[np.ndarray, float], "tuple[np.ndarray, float]"]


@dataclass(frozen=True, repr=False)
class GradientCheck:
    """The outcome of :func:`check_gradient`; coordinates are the coefficients, then the intercept."""

    analytic: np.ndarray
    numeric: np.ndarray
    max_abs_error: float
    max_rel_error: float
    worst_index: int  # n_features stands for the intercept
    passed: bool

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        where = "intercept" if self.worst_index == self.analytic.shape[0] - 1 else f"coef[{self.worst_index}]"
        return (
            f"GradientCheck(passed={self.passed}, max_rel_error={self.max_rel_error:.3g}, "
            f"max_abs_error={self.max_abs_error:.3g}, worst={where})"
        )


def check_gradient(
    X: Any,
    y: Any,
    coef: Any,
    intercept: float = 0.0,
    *,
    loss: str = "squared_error",
    epsilon: float = 0.1,
    sample_weight: Any = None,
    l2: float = 0.0,
    l1: float = 0.0,
    step: Optional[float] = None,
    rtol: float = 1e-6,
    gradient: Optional[Gradient] = None,
) -> GradientCheck:
    """Compare the analytic gradient of the objective with centered finite differences.

    For every coefficient j (and the intercept, last), the numeric derivative is
    ``[f(w + h·eⱼ) − f(w − h·eⱼ)] / 2h`` with f the objective the core computes (any loss of
    :func:`steepest.fit`, sample weights and penalties included) and h = step·max(1, |wⱼ|) (step defaults to ε^(1/3) ≈ 6e-6, which balances the
    truncation error of the formula against rounding). Everything is evaluated in float64 (X is
    converted if needed), one pass over X per evaluation: 2·(n_features + 1) passes in all.

    The relative error of a coordinate is ``|analytic − numeric| / max(|analytic|, |numeric|, s)``
    with s = √ε · max(1, max |analytic|), so that coordinates whose derivative is ~0 are judged
    on the scale of the whole gradient. The check passes when the largest is at most rtol.

    With l1 > 0 every coefficient must be nonzero (|w| has no derivative at 0), and h is kept
    below |wⱼ| so that no difference crosses the kink. The kinked losses (hinge, perceptron,
    epsilon_insensitive) are checked away from their kinks: a row whose prediction lies within h
    of one would make any finite difference disagree, which happens with probability ~h per row.

    gradient : callable, optional
        ``gradient(coef, intercept) -> (grad_coef, grad_intercept)`` to check instead of the
        core's gradient, e.g. a hand-written one.
    """
    check_choice("loss", loss, LOSSES)
    epsilon = check_float("epsilon", epsilon, positive=False)
    X = np.ascontiguousarray(as_matrix(X), dtype=np.float64)
    y = as_target(y, X.shape[0], X.dtype)
    if loss in CLASSIFICATION_LOSSES:
        y = as_binary_target(y, loss)
    weights = None if sample_weight is None else as_sample_weight(sample_weight, X.shape[0], X.dtype)
    l2 = check_float("l2", l2, positive=False)
    l1 = check_float("l1", l1, positive=False)
    rtol = check_float("rtol", rtol, positive=True)
    base_step = np.cbrt(np.finfo(np.float64).eps) if step is None else check_float("step", step, positive=True)

    # Every coordinate in one flat vector, the coefficients first, then the intercept(s).
    if loss == MULTINOMIAL:
        y, _ = as_class_indices(y)
        W = np.array(coef, dtype=np.float64)
        if W.ndim != 2 or W.shape[1] != X.shape[1] or not np.all(np.isfinite(W)):
            raise ValueError(
                f"coef must be a finite (n_classes, {X.shape[1]}) array for loss='multinomial', got {np.shape(coef)}"
            )
        B = np.array(np.broadcast_to(np.asarray(intercept, dtype=np.float64), (W.shape[0],)))
        shape = W.shape

        def core(params: np.ndarray) -> tuple[float, np.ndarray, Any]:
            Wp = np.ascontiguousarray(params[: W.size].reshape(shape))
            Bp = np.ascontiguousarray(params[W.size :])
            return _core.softmax_loss_and_gradient(X, y, Wp, Bp, l2, l1, 0, weights)

        def user_gradient(params: np.ndarray) -> Any:
            return gradient(params[: W.size].reshape(shape).copy(), params[W.size :].copy())  # type: ignore[misc, arg-type]

        params = np.concatenate([W.ravel(), B])
    else:
        w = as_coef(coef, X.shape[1], X.dtype)
        b = check_finite_number("intercept", intercept)
        shape = w.shape

        def core(params: np.ndarray) -> tuple[float, np.ndarray, Any]:
            return _core.loss_and_gradient(X, y, params[:-1].copy(), float(params[-1]), l2, l1, None, 0, loss,
                                           epsilon, weights)

        def user_gradient(params: np.ndarray) -> Any:
            return gradient(params[:-1].copy(), float(params[-1]))  # type: ignore[misc]

        params = np.append(w, b)
    n_coef = int(np.prod(shape))
    zeros = np.flatnonzero(params[:n_coef] == 0)
    if l1 > 0 and zeros.size:
        where = ", ".join(str(int(i)) for i in np.unravel_index(zeros[0], shape))
        raise ValueError(
            f"coef[{where}] is 0: with l1 > 0 the objective has no derivative there; check at nonzero coefficients"
        )

    grad_w, grad_b = core(params)[1:] if gradient is None else user_gradient(params)
    analytic = np.concatenate([np.ravel(grad_w), np.ravel(grad_b)]).astype(np.float64)
    if analytic.shape != params.shape:
        raise ValueError(f"gradient returned {analytic.shape[0]} values, expected {params.shape[0]}")
    numeric = np.empty_like(params)
    for j in range(params.shape[0]):
        h = base_step * max(1.0, abs(params[j]))
        if l1 > 0 and j < n_coef:
            h = min(h, abs(params[j]) / 2)  # never across the kink of |w| at 0
        plus, minus = params.copy(), params.copy()
        plus[j] += h
        minus[j] -= h
        numeric[j] = (core(plus)[0] - core(minus)[0]) / (plus[j] - minus[j])
    return _report(analytic, numeric, rtol)


def _report(analytic: np.ndarray, numeric: np.ndarray, rtol: float) -> GradientCheck:
    errors = np.abs(analytic - numeric)
    floor = np.sqrt(np.finfo(np.float64).eps) * max(1.0, float(np.max(np.abs(analytic))))
    relative = errors / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    worst = int(np.argmax(relative))
    max_rel = float(relative[worst])
    return GradientCheck(
        analytic=analytic,
        numeric=numeric,
        max_abs_error=float(np.max(errors)),
        max_rel_error=max_rel,
        worst_index=worst,
        passed=bool(max_rel <= rtol),
    )

"""Learning-rate schedules for :func:`steepest.fit`.

Pass one as ``learning_rate=``; a plain float means :class:`Constant`. Each schedule gives the rate
of update number ``t`` (1 for the first update of a fit; an update is one step, of one row or one
mini-batch) in epoch ``e`` (0 for the first). The core computes it (``rate`` below calls the same
code), per update for :class:`InverseScaling`, :class:`Optimal` and :class:`Warmup`, once per epoch
for the others.

=====================  ===============================================================
schedule               rate
=====================  ===============================================================
Constant               η₀
InverseScaling         η₀ / t^p                               (scikit-learn "invscaling")
Optimal                1 / (α (t₀ + t − 1))                    (scikit-learn "optimal")
StepDecay              η₀ γ^⌊e / step_size⌋                     (PyTorch StepLR)
ExponentialDecay       η₀ γ^e                                   (PyTorch ExponentialLR)
CosineAnnealing        η_min + (η₀ − η_min)(1 + cos(π min(e, T) / T)) / 2
ReduceOnPlateau        η₀ · factor^k after k plateaus           (scikit-learn "adaptive")
Warmup(s, n)           s(t, e) · min(1, t / n)
=====================  ===============================================================

A plateau is ``n_iter_no_change`` epochs in a row in which the monitored objective (the training
objective, or the validation loss with early stopping) fails to fall below ``best − tol·|best|``.
Instead of stopping the fit there, :class:`ReduceOnPlateau` multiplies the rate by ``factor``
(default 0.2: divided by 5, as scikit-learn does); the fit stops (``stop_reason="tol"``) once the
rate falls below ``min_rate``.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from . import _core
from ._validation import check_float, check_int, check_unit_interval

__all__ = [
    "Constant",
    "CosineAnnealing",
    "ExponentialDecay",
    "InverseScaling",
    "Optimal",
    "ReduceOnPlateau",
    "Schedule",
    "StepDecay",
    "Warmup",
]


class Schedule:
    """Base class: a learning rate as a function of the update count and the epoch."""

    def _spec(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def initial_rate(self) -> float:
        """The rate of the first update, before any warm-up (the core's ``learning_rate``)."""
        return float(self._spec()["eta0"])

    def rate(self, step: int, epoch: int = 0, plateaus: int = 0) -> float:
        """The rate of update number ``step`` (1-based) in epoch ``epoch`` (0-based); for
        :class:`ReduceOnPlateau`, after ``plateaus`` reductions."""
        check_int("step", step, 1)
        check_int("epoch", epoch, 0)
        check_int("plateaus", plateaus, 0)
        return float(_core.schedule_rate(self._spec(), step, epoch, plateaus))

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(vars(self).items(), key=lambda item: item[0]))))


class Constant(Schedule):
    """η₀ for every update."""

    def __init__(self, eta0: float = 0.01) -> None:
        self.eta0 = check_float("eta0", eta0, positive=True)

    def _spec(self) -> dict[str, Any]:
        return {"kind": "constant", "eta0": self.eta0}


class InverseScaling(Schedule):
    """η₀ / t^power_t, t the update number from 1 (scikit-learn's "invscaling")."""

    def __init__(self, eta0: float = 0.01, power_t: float = 0.25) -> None:
        self.eta0 = check_float("eta0", eta0, positive=True)
        self.power_t = check_float("power_t", power_t, positive=False)

    def _spec(self) -> dict[str, Any]:
        return {"kind": "inverse_scaling", "eta0": self.eta0, "power": self.power_t}


class Optimal(Schedule):
    """1 / (alpha · (t0 + t − 1)), t the update number from 1 (scikit-learn's "optimal").

    alpha is the strength of the regularisation the rate is tuned for (Bottou's heuristic).
    t0=None takes scikit-learn's choice for squared error, which makes the first rate
    1/sqrt(sqrt(alpha)): t0 = 1 / (alpha · alpha^-1/4).
    """

    def __init__(self, alpha: float = 1e-4, t0: Optional[float] = None) -> None:
        self.alpha = check_float("alpha", alpha, positive=True)
        typical_weight = math.sqrt(1.0 / math.sqrt(self.alpha))
        self.t0 = check_float("t0", t0, positive=True) if t0 is not None else 1.0 / (typical_weight * self.alpha)

    def _spec(self) -> dict[str, Any]:
        return {"kind": "optimal", "eta0": 1.0 / (self.alpha * self.t0), "alpha": self.alpha, "t0": self.t0}


class StepDecay(Schedule):
    """η₀ · gamma^⌊epoch / step_size⌋ (PyTorch's StepLR, stepped once per epoch)."""

    def __init__(self, eta0: float, step_size: int, gamma: float = 0.1) -> None:
        self.eta0 = check_float("eta0", eta0, positive=True)
        self.step_size = check_int("step_size", step_size, 1)
        self.gamma = check_float("gamma", gamma, positive=True)

    def _spec(self) -> dict[str, Any]:
        return {"kind": "step", "eta0": self.eta0, "step_epochs": self.step_size, "gamma": self.gamma}


class ExponentialDecay(Schedule):
    """η₀ · gamma^epoch (PyTorch's ExponentialLR)."""

    def __init__(self, eta0: float, gamma: float) -> None:
        self.eta0 = check_float("eta0", eta0, positive=True)
        self.gamma = check_float("gamma", gamma, positive=True)

    def _spec(self) -> dict[str, Any]:
        return {"kind": "exponential", "eta0": self.eta0, "gamma": self.gamma}


class CosineAnnealing(Schedule):
    """eta_min + (η₀ − eta_min)(1 + cos(π · min(epoch, period) / period)) / 2: from η₀ down to
    eta_min over ``period`` epochs, then eta_min (PyTorch's CosineAnnealingLR without restarts)."""

    def __init__(self, eta0: float, period: int, eta_min: float = 0.0) -> None:
        self.eta0 = check_float("eta0", eta0, positive=True)
        self.period = check_int("period", period, 1)
        self.eta_min = check_float("eta_min", eta_min, positive=False)
        if self.eta_min > self.eta0:
            raise ValueError(f"eta_min ({eta_min}) must not exceed eta0 ({eta0})")

    def _spec(self) -> dict[str, Any]:
        return {"kind": "cosine", "eta0": self.eta0, "period": self.period, "eta_min": self.eta_min}


class ReduceOnPlateau(Schedule):
    """η₀, multiplied by ``factor`` at every plateau of the monitored objective; the fit stops
    once the rate falls below ``min_rate`` (scikit-learn's "adaptive" with the defaults)."""

    def __init__(self, eta0: float = 0.01, factor: float = 0.2, min_rate: float = 1e-6) -> None:
        self.eta0 = check_float("eta0", eta0, positive=True)
        self.factor = check_unit_interval("factor", factor, include_zero=False)
        self.min_rate = check_float("min_rate", min_rate, positive=False)

    def _spec(self) -> dict[str, Any]:
        return {"kind": "plateau", "eta0": self.eta0, "factor": self.factor, "min_rate": self.min_rate}


class Warmup(Schedule):
    """``schedule``'s rate times min(1, t / steps): a linear ramp over the first ``steps`` updates."""

    def __init__(self, schedule: Schedule, steps: int) -> None:
        if not isinstance(schedule, Schedule) or isinstance(schedule, Warmup):
            raise TypeError(f"schedule must be a steepest.schedules schedule other than Warmup, got {schedule!r}")
        self.schedule = schedule
        self.steps = check_int("steps", steps, 1)

    def _spec(self) -> dict[str, Any]:
        return {**self.schedule._spec(), "warmup_steps": self.steps}

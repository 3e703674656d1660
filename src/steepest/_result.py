"""The immutable result of a fit."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from ._validation import as_matrix, as_target


def _short(value: Any) -> str:
    if np.ndim(value):
        return "[" + ", ".join(f"{v:.6g}" for v in np.ravel(value)) + "]"
    return f"{float(value):.6g}"


@dataclass(frozen=True, repr=False)
class FitResult:
    """A trained linear model y ≈ X @ coef + intercept and the record of how it was trained.

    Attributes
    ----------
    coef : ndarray of shape (n_features,) or, for loss="multinomial", (n_classes, n_features), read-only
        The weights, in the dtype the model was trained in (float32 or float64).
    intercept : numpy floating scalar, or ndarray of shape (n_classes,) for loss="multinomial"
        The bias term (0 when ``fit_intercept=False``).
    loss_history : ndarray of shape (n_epochs,), read-only, float64
        The training objective (mean squared error plus the L2 penalty) per epoch. Full batch:
        the exact objective at the weights after each epoch. Stochastic (batch_size an int): the
        mean of the batch objectives met during the epoch, each taken just before its step, as
        scikit-learn and PyTorch training loops report it; it costs no extra pass over X.
        The objective includes the penalties.
    stop_reason : str
        Which rule ended the fit: ``"tol"`` (the objective stopped improving; with a
        ReduceOnPlateau schedule, its rate fell below min_rate), ``"gtol"`` (the gradient norm
        fell below gtol), ``"validation"`` (early stopping: the validation loss stopped
        improving), ``"callback"`` or ``"max_epochs"``.
    params : mapping
        The hyperparameters the fit ran with, after defaults and clamping.
    learning_rate_history : ndarray of shape (n_epochs,), read-only, float64
        The learning rate of each epoch's last update (for learning_rate="auto", the rate the
        fit chose; per-coordinate scaling not included).
    validation_loss_history : ndarray of shape (n_epochs,) or (0,), read-only, float64
        With early stopping, the mean squared error on the held-out rows after each epoch.
    n_updates : int
        Updates (steps) taken.
    """

    coef: np.ndarray
    intercept: Any  # numpy floating scalar; (n_classes,) array for loss="multinomial"
    loss_history: np.ndarray
    stop_reason: str
    params: Mapping[str, Any]
    learning_rate_history: np.ndarray = field(default_factory=lambda: np.zeros(0))
    validation_loss_history: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_updates: int = 0

    def __post_init__(self) -> None:
        for array in (self.coef, self.loss_history, self.learning_rate_history, self.validation_loss_history):
            array.setflags(write=False)
        if isinstance(self.intercept, np.ndarray):
            self.intercept.setflags(write=False)
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def n_epochs(self) -> int:
        """Epochs run (each a full pass over the training rows)."""
        return int(self.loss_history.shape[0])

    @property
    def converged(self) -> bool:
        """True when a convergence rule (tol, gtol or early stopping) ended the fit."""
        return self.stop_reason in ("tol", "gtol", "validation")

    @property
    def loss(self) -> float:
        """The last entry of ``loss_history``."""
        return float(self.loss_history[-1])

    @property
    def dtype(self) -> np.dtype:
        return self.coef.dtype

    def decision_function(self, X: Any) -> np.ndarray:
        """X @ coef + intercept for X of shape (n_samples, n_features)."""
        X = as_matrix(X)
        if X.shape[1] != self.coef.shape[-1]:
            raise ValueError(f"X has {X.shape[1]} features but the model was fitted with {self.coef.shape[-1]}")
        decision: np.ndarray = X @ self.coef.T + self.intercept
        return decision

    def predict(self, X: Any) -> np.ndarray:
        """Regression: the predictions X @ coef + intercept. Classification losses: the label of
        the side of the decision function, in the labels the fit was given (0/1 or -1/+1)."""
        decision = self.decision_function(X)
        if decision.ndim == 2 and self.params.get("n_outputs"):  # several regression outputs
            return decision
        if decision.ndim == 2:  # multinomial: the class index of the largest score
            classes: np.ndarray = decision.argmax(axis=1).astype(decision.dtype)
            return classes
        labels = self.params.get("labels")
        if labels is None:
            return decision
        predicted: np.ndarray = np.where(decision > 0, labels[1], labels[0]).astype(decision.dtype)
        return predicted

    def score(self, X: Any, y: Any) -> float:
        """Regression: the coefficient of determination R², as scikit-learn defines it.
        Classification: the accuracy (the fraction of rows whose label predict gives)."""
        prediction = self.predict(X)
        if self.params.get("n_outputs"):  # the mean R² over the outputs, as scikit-learn's default
            target_2d = np.asarray(y, dtype=np.float64)
            if target_2d.shape != prediction.shape:
                raise ValueError(f"y must have shape {prediction.shape}, got {target_2d.shape}")
            residual_2d = np.sum((target_2d - prediction) ** 2, axis=0)
            total_2d = np.sum((target_2d - target_2d.mean(axis=0)) ** 2, axis=0)
            return float(np.mean(1.0 - residual_2d / np.where(total_2d > 0, total_2d, 1.0)))
        target = as_target(y, prediction.shape[0], np.dtype(np.float64))
        if self.params.get("labels") is not None or self.coef.ndim == 2:
            return float(np.mean(prediction == target))
        residual = float(np.sum((target - prediction) ** 2))
        total = float(np.sum((target - target.mean()) ** 2))
        if total == 0.0:
            return 1.0 if residual == 0.0 else 0.0
        return 1.0 - residual / total

    def save(self, path: Any) -> None:
        """Write the result to ``path`` (NumPy .npz, no pickle: loading it cannot run code).

        ``steepest.load(path)`` reads it back with bit-identical arrays. Parameters that are not
        plain numbers, strings or lists (a Generator passed as random_state, a schedule object)
        are stored as their repr, and come back as that string.
        """
        from ._io import _jsonable, save_arrays

        arrays = {
            "coef": self.coef,
            "intercept": np.asarray(self.intercept),
            "loss_history": self.loss_history,
            "learning_rate_history": self.learning_rate_history,
            "validation_loss_history": self.validation_loss_history,
        }
        header = {"stop_reason": self.stop_reason, "n_updates": int(self.n_updates),
                  "params": {key: _jsonable(value) for key, value in self.params.items()}}
        save_arrays(path, "FitResult", header, arrays)

    @classmethod
    def _from_file(cls, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> "FitResult":
        from ._io import ModelFileError, expect, expect_array

        coef = expect_array(arrays, "coef", ndim=arrays["coef"].ndim if "coef" in arrays else 1)
        if coef.ndim not in (1, 2) or coef.dtype not in (np.float32, np.float64) or coef.shape[-1] == 0:
            raise ModelFileError(f"'coef' has shape {coef.shape} and dtype {coef.dtype}: not what this format writes")
        intercept = expect_array(arrays, "intercept", ndim=coef.ndim - 1)
        if intercept.dtype != coef.dtype or (coef.ndim == 2 and intercept.shape != (coef.shape[0],)):
            raise ModelFileError("'intercept' does not match 'coef'")
        histories = {}
        for name in ("loss_history", "learning_rate_history", "validation_loss_history"):
            history = expect_array(arrays, name, ndim=1, finite=False)
            if history.dtype != np.float64:
                raise ModelFileError(f"{name!r} must be float64")
            histories[name] = history.copy()
        if histories["loss_history"].size == 0 or not np.all(np.isfinite(histories["loss_history"])):
            raise ModelFileError("'loss_history' must be non-empty and finite")
        stop_reason = expect(header, "stop_reason", str)
        if stop_reason not in ("tol", "gtol", "validation", "callback", "max_epochs"):
            raise ModelFileError(f"unknown stop_reason {stop_reason!r}")
        params = expect(header, "params", dict)
        if "batch_size" not in params or "learning_rate" not in params:
            raise ModelFileError("the header's params lack batch_size or learning_rate")
        return cls(
            coef=coef.copy(),
            intercept=intercept.copy() if intercept.ndim else coef.dtype.type(intercept[()]),
            loss_history=histories["loss_history"],
            stop_reason=stop_reason,
            params=params,
            learning_rate_history=histories["learning_rate_history"],
            validation_loss_history=histories["validation_loss_history"],
            n_updates=int(expect(header, "n_updates", int)),
        )

    def __repr__(self) -> str:
        return (
            f"FitResult(n_features={self.coef.shape[-1]}, dtype={self.coef.dtype}, "
            f"n_epochs={self.n_epochs}, stop_reason={self.stop_reason!r}, "
            f"loss={self.loss:.6g}, intercept={_short(self.intercept)}, "
            f"batch_size={self.params['batch_size']!r}, learning_rate={self.params['learning_rate']!r})"
        )

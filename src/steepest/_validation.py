"""Input checks shared by every entry point: messages name the argument and the problem."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import _core

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_matrix(X: Any, name: str = "X") -> np.ndarray:
    """Return X as a C-contiguous float32 or float64 2-D array, copying only when it must.

    float32 stays float32; any other real numeric dtype becomes float64. The caller's array is
    returned as it is when it already has that form, and is never written to.
    """
    arr = _as_real_array(X, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (n_samples, n_features), got {arr.ndim}-D with shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no rows (shape {arr.shape}); at least one sample is needed")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no features (shape {arr.shape}); at least one is needed")
    dtype = arr.dtype if arr.dtype in FLOAT_DTYPES else np.dtype(np.float64)
    return _as_contiguous_finite(arr, dtype, name)


def as_target(y: Any, n_rows: int, dtype: np.dtype, name: str = "y") -> np.ndarray:
    """Return y as a contiguous 1-D array of X's dtype with one value per row of X."""
    arr = _as_real_array(y, name)
    if arr.ndim != 1:
        hint = " (use y.ravel() for a single column)" if arr.ndim == 2 and arr.shape[1] == 1 else ""
        raise ValueError(f"{name} must be 1-D with one target per row, got shape {arr.shape}{hint}")
    if arr.shape[0] != n_rows:
        raise ValueError(f"{name} has {arr.shape[0]} values but X has {n_rows} rows")
    return _as_contiguous_finite(arr, dtype, name)


def as_coef(coef: Any, n_features: int, dtype: np.dtype, name: str = "coef") -> np.ndarray:
    arr = _as_real_array(coef, name)
    if arr.shape != (n_features,):
        raise ValueError(f"{name} must have shape ({n_features},) to match X, got {arr.shape}")
    return _as_contiguous_finite(arr, dtype, name)


def as_row_indices(rows: Any, n_rows: int, name: str = "rows") -> np.ndarray:
    """A non-empty int64 array of row indices, each in [0, n_rows)."""
    arr = np.asarray(rows)
    if arr.ndim != 1 or arr.shape[0] == 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-empty 1-D array of integer row indices, got {arr.dtype} of shape {arr.shape}")
    outside = np.flatnonzero((arr < 0) | (arr >= n_rows))
    if outside.size:
        raise ValueError(f"{name}[{outside[0]}] = {arr[outside[0]]} is not a row index of X, which must lie in [0, {n_rows})")
    return np.ascontiguousarray(arr, dtype=np.int64)


def _as_contiguous_finite(arr: np.ndarray, dtype: np.dtype, name: str) -> np.ndarray:
    """Cast to a C-contiguous array of dtype (no copy when it already is one) holding only finite
    values. A NaN or infinity is reported at its index, as is a finite value the cast overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        cast = np.ascontiguousarray(arr, dtype=dtype)
    position = _core.first_nonfinite(cast.reshape(-1))
    if position >= 0:
        where = np.unravel_index(position, cast.shape)
        index = ", ".join(str(int(i)) for i in where)
        original = arr[where]
        if np.isfinite(original):
            raise ValueError(f"{name}[{index}] = {original} overflows {dtype}, the dtype of X; rescale {name} or pass X as float64")
        raise ValueError(f"{name} contains {original} at index [{index}]; remove or impute non-finite values")
    return cast


def _as_real_array(value: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} could not be read as a numeric array ({err}); is it ragged?") from err
    kind = arr.dtype.kind
    if kind in "iufb":
        return arr
    if kind == "c":
        raise TypeError(f"{name} has complex dtype {arr.dtype}; steepest fits real-valued data only")
    if kind == "O":
        try:
            return arr.astype(np.float64)
        except (ValueError, TypeError) as err:
            raise TypeError(f"{name} holds objects that are not numbers ({err})") from err
    raise TypeError(f"{name} has dtype {arr.dtype}, which is not numeric; convert it to float first")


def check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_float(name: str, value: Any, *, positive: bool) -> float:
    """A finite real number, > 0 when positive else >= 0."""
    bound = "> 0" if positive else ">= 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number {bound}, got {value!r}")
    number = float(value)
    if not np.isfinite(number) or number < 0 or (positive and number == 0):
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return number


def check_finite_number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    if not np.isfinite(float(value)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def check_n_threads(n_threads: Any) -> int:
    """None -> 0, which the core reads as OpenMP's default (OMP_NUM_THREADS, threadpoolctl)."""
    if n_threads is None:
        return 0
    return check_int("n_threads", n_threads, 1)


def make_rng(random_state: Any) -> np.random.Generator:
    if random_state is None or isinstance(random_state, (np.random.Generator, np.random.SeedSequence)):
        return np.random.default_rng(random_state)
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            f"random_state must be None, a non-negative int or a numpy.random.Generator, got {random_state!r}"
        )
    if random_state < 0:
        raise ValueError(f"random_state must be a non-negative int, got {random_state}")
    return np.random.default_rng(int(random_state))


def check_unit_interval(name: str, value: Any, *, include_zero: bool) -> float:
    """A real number in [0, 1) (include_zero) or (0, 1)."""
    bound = "in [0, 1)" if include_zero else "in (0, 1)"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number {bound}, got {value!r}")
    number = float(value)
    if not (0 <= number < 1) or (number == 0 and not include_zero):
        raise ValueError(f"{name} must be a number {bound}, got {value!r}")
    return number


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    accepted = ", ".join(repr(choice) for choice in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {accepted}, got {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {accepted}, got {value!r}")
    return value


REGRESSION_LOSSES = ("squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive")
CLASSIFICATION_LOSSES = ("log_loss", "hinge", "squared_hinge", "modified_huber", "perceptron")
MULTINOMIAL = "multinomial"  # softmax cross-entropy over K classes
LOSSES = REGRESSION_LOSSES + CLASSIFICATION_LOSSES + (MULTINOMIAL,)
# Losses with a bounded second derivative: learning_rate="auto" and Newton-like reasoning need one.
SMOOTH_LOSSES = (
    "squared_error",
    "huber",
    "squared_epsilon_insensitive",
    "log_loss",
    "squared_hinge",
    "modified_huber",
    MULTINOMIAL,
)


def as_class_indices(y: np.ndarray, name: str = "y") -> tuple[np.ndarray, int]:
    """y of the multinomial loss: integer class indices 0..K-1 (K >= 2), as floats of y's dtype."""
    if not np.all(y == np.floor(y)) or np.any(y < 0):
        raise ValueError(
            f"{name} must hold class indices 0, 1, ..., K-1 for loss='multinomial'; "
            "steepest.SGDClassifier(multi_class='multinomial') takes labels of any kind"
        )
    n_classes = int(y.max()) + 1
    if n_classes < 2:
        raise ValueError(f"{name} holds a single class; loss='multinomial' needs at least two")
    return y, n_classes


def as_binary_target(y: np.ndarray, loss: str, name: str = "y") -> np.ndarray:
    """y of a classification loss as -1.0 / +1.0 (a copy), from labels -1/+1 or 0/1."""
    values = np.unique(y)
    if not (set(values.tolist()) <= {-1.0, 1.0} or set(values.tolist()) <= {0.0, 1.0}):
        shown = ", ".join(f"{v:g}" for v in values[:5]) + (", ..." if values.size > 5 else "")
        raise ValueError(
            f"{name} must hold the labels -1/+1 or 0/1 for loss={loss!r}, got {shown}; "
            "steepest.SGDClassifier takes labels of any kind"
        )
    return np.where(y > 0, 1.0, -1.0).astype(y.dtype)


def negative_label(y: np.ndarray) -> float:
    """The label a classification target uses for the negative class: 0 or -1."""
    return 0.0 if np.any(y == 0) or not np.any(y < 0) else -1.0


def as_sample_weight(sample_weight: Any, n_rows: int, dtype: np.dtype, name: str = "sample_weight") -> np.ndarray:
    """Non-negative finite weights, one per row, not all zero, in X's dtype."""
    arr = _as_real_array(sample_weight, name)
    if arr.shape != (n_rows,):
        raise ValueError(f"{name} must have shape ({n_rows},), one weight per row of X, got {arr.shape}")
    arr = _as_contiguous_finite(arr, dtype, name)
    negative = np.flatnonzero(arr < 0)
    if negative.size:
        raise ValueError(f"{name}[{negative[0]}] = {arr[negative[0]]} is negative; weights must be >= 0")
    if not np.any(arr > 0):
        raise ValueError(f"{name} is zero everywhere: at least one row must have a positive weight")
    return arr

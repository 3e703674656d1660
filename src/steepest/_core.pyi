from typing import Any, Callable, Optional, TypedDict

import numpy as np
import numpy.typing as npt

__version__: str
has_openmp: bool

def loss_and_gradient(
    X: npt.NDArray[np.floating],
    y: npt.NDArray[np.floating],
    coef: npt.NDArray[np.floating],
    intercept: float,
    l2: float,
    l1: float = 0.0,
    rows: Optional[npt.NDArray[np.int64]] = None,
    n_threads: int = 0,
    loss: str = "squared_error",
    epsilon: float = 0.1,
    sample_weight: Optional[npt.NDArray[np.floating]] = None,
) -> tuple[float, npt.NDArray[np.floating], float]: ...

class FitOutput(TypedDict):
    intercept: float
    loss_history: npt.NDArray[np.float64]
    learning_rate_history: npt.NDArray[np.float64]
    validation_loss_history: npt.NDArray[np.float64]
    stop_reason: str
    n_updates: int

def fit(
    X: npt.NDArray[np.floating],
    y: npt.NDArray[np.floating],
    coef: npt.NDArray[np.floating],
    intercept: float,
    options: dict[str, Any],
    train_rows: Optional[npt.NDArray[np.int64]] = None,
    validation_rows: Optional[npt.NDArray[np.int64]] = None,
    observer: Optional[Callable[[int, float, float, float, float], bool]] = None,
    sample_weight: Optional[npt.NDArray[np.floating]] = None,
) -> FitOutput: ...
def schedule_rate(schedule: dict[str, Any], step: int, epoch: int, plateaus: int = 0) -> float: ...
def epoch_order(mode: str, n_rows: int, block_rows: int, seed: int, epoch: int, n_threads: int = 0) -> npt.NDArray[np.int64]: ...
def epoch_order_seconds(mode: str, n_rows: int, block_rows: int, seed: int, epochs: int, n_threads: int = 0, between: Optional[npt.ArrayLike] = None) -> list[float]: ...
def kernel_isa() -> str: ...
def supported_kernels() -> list[str]: ...
def select_kernels(isa: str) -> None: ...
def first_nonfinite(a: npt.NDArray[np.floating], n_threads: int = 0) -> int: ...
def fit_softmax(
    X: npt.NDArray[np.floating],
    y: npt.NDArray[np.floating],
    coef: npt.NDArray[np.floating],
    intercept: npt.NDArray[np.floating],
    options: dict[str, Any],
    observer: Optional[Callable[[int, float, float, float, float], bool]] = None,
    sample_weight: Optional[npt.NDArray[np.floating]] = None,
) -> dict[str, Any]: ...
def softmax_loss_and_gradient(
    X: npt.NDArray[np.floating],
    y: npt.NDArray[np.floating],
    coef: npt.NDArray[np.floating],
    intercept: npt.NDArray[np.floating],
    l2: float,
    l1: float,
    n_threads: int = 0,
    sample_weight: Optional[npt.NDArray[np.floating]] = None,
) -> tuple[float, npt.NDArray[np.floating], npt.NDArray[np.floating]]: ...
def max_threads() -> int: ...

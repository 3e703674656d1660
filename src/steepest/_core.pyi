from typing import Callable, Optional

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
    rows: Optional[npt.NDArray[np.int64]] = None,
    n_threads: int = 0,
) -> tuple[float, npt.NDArray[np.floating], float]: ...
def fit(
    X: npt.NDArray[np.floating],
    y: npt.NDArray[np.floating],
    coef: npt.NDArray[np.floating],
    intercept: float,
    batch_size: int,
    learning_rate: float,
    l2: float,
    fit_intercept: bool,
    max_epochs: int,
    tol: float,
    n_iter_no_change: int,
    n_threads: int,
    order_source: Optional[Callable[[int], npt.NDArray[np.int64]]],
    observer: Optional[Callable[[int, float], bool]],
) -> tuple[float, npt.NDArray[np.float64], str]: ...
def first_nonfinite(a: npt.NDArray[np.floating], n_threads: int = 0) -> int: ...

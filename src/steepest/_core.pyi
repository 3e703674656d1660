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
    shuffle: str,
    shuffle_block_rows: int,
    seed: int,
    n_threads: int,
    observer: Optional[Callable[[int, float, float], bool]],
) -> tuple[float, npt.NDArray[np.float64], str]: ...
def epoch_order(mode: str, n_rows: int, block_rows: int, seed: int, epoch: int) -> npt.NDArray[np.int64]: ...
def kernel_isa() -> str: ...
def supported_kernels() -> list[str]: ...
def select_kernels(isa: str) -> None: ...
def first_nonfinite(a: npt.NDArray[np.floating], n_threads: int = 0) -> int: ...

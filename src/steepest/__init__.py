"""steepest: linear models trained by gradient descent, with a C++/OpenMP core.

>>> import numpy as np, steepest
>>> X = np.random.default_rng(0).normal(size=(1000, 5))
>>> y = X @ np.arange(5.0) + 1.0
>>> result = steepest.fit(X, y, batch_size="full", learning_rate=0.1)
>>> result.coef.round(3)
array([0., 1., 2., 3., 4.])
"""

from __future__ import annotations

try:
    from . import _core
except ImportError as err:  # pragma: no cover - only on a broken install
    raise ImportError(
        "steepest's compiled core (steepest._core) could not be imported. Install steepest with "
        "`pip install .` (or from a wheel) rather than importing it from the source folder."
    ) from err

import os
from pathlib import Path

from . import reference, schedules
from ._fit import EpochInfo, fit, loss_and_gradient
from ._gradcheck import GradientCheck, check_gradient
from ._io import ModelFileError
from ._result import FitResult

__version__: str = _core.__version__

if os.environ.get("STEEPEST_KERNEL"):
    try:
        _core.select_kernels(os.environ["STEEPEST_KERNEL"])
    except ValueError as err:
        raise ImportError(
            f"STEEPEST_KERNEL={os.environ['STEEPEST_KERNEL']!r} cannot be used: {err}; "
            f"this CPU runs {', '.join(_core.supported_kernels())}"
        ) from err

__all__ = [
    "EpochInfo",
    "FitResult",
    "GradientCheck",
    "ModelFileError",
    "__version__",
    "check_gradient",
    "fit",
    "get_cmake_dir",
    "get_include",
    "kernel_info",
    "load",
    "loss_and_gradient",
    "reference",
    "schedules",
]


def load(path: "os.PathLike[str] | str") -> object:
    """Read a model that ``FitResult.save`` or an estimator's ``save`` wrote.

    The file is NumPy's .npz read with ``allow_pickle=False``: loading cannot run code. Every key,
    dtype, shape and value is checked; a file that is truncated, corrupted, hostile or from a
    newer format version raises ``ValueError`` (``steepest.ModelFileError``) saying why.
    """
    from ._io import ModelFileError, load_arrays

    header, arrays = load_arrays(path)
    kind = header.get("kind")
    if kind == "FitResult":
        return FitResult._from_file(header, arrays)
    if kind in ("SGDRegressor", "SGDClassifier"):
        from . import sklearn as estimators

        return estimators._load(kind, header, arrays)
    raise ModelFileError(f"unknown kind of model {kind!r}")


def get_include() -> str:
    """The folder of the C++ core's headers shipped in the wheel (``#include <steepest/steepest.hpp>``)."""
    return str(_package_dir() / "include")


def get_cmake_dir() -> str:
    """The folder of the core's CMake package shipped in the wheel: pass it as CMAKE_PREFIX_PATH
    (or steepest_DIR) and ``find_package(steepest)`` gives ``steepest::core``."""
    return str(_package_dir() / "share" / "cmake" / "steepest")


def _package_dir() -> Path:
    return Path(__file__).resolve().parent


def kernel_info() -> dict[str, object]:
    """Which compiled kernels run: ``isa`` (the instruction set in use: "avx512", "avx2" or
    "generic", chosen at import for this CPU, or by the environment variable STEEPEST_KERNEL),
    ``supported`` (every kernel set this CPU can run, best first) and ``openmp`` (built with it)."""
    return {"isa": _core.kernel_isa(), "supported": list(_core.supported_kernels()), "openmp": bool(_core.has_openmp)}


def __getattr__(name: str) -> object:
    # The scikit-learn estimators import scikit-learn: only when asked for.
    if name in ("SGDRegressor", "SGDClassifier"):
        from . import sklearn as estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'steepest' has no attribute {name!r}")


def __dir__() -> list[str]:
    return [*__all__, "SGDClassifier", "SGDRegressor"]

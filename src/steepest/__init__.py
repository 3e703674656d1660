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

from . import reference
from ._fit import fit, loss_and_gradient
from ._result import FitResult

__version__: str = _core.__version__

__all__ = ["FitResult", "__version__", "fit", "loss_and_gradient", "reference"]


def __dir__() -> list[str]:
    return __all__

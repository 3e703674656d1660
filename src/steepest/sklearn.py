"""Drop-in replacements for scikit-learn's SGDRegressor and SGDClassifier, on steepest's core.

Same parameter names, defaults and meanings as scikit-learn's estimators, plus ``batch_size``
(default 1, as scikit-learn) and ``n_threads``. Needs scikit-learn (``pip install
"steepest[sklearn]"``); :func:`steepest.fit` does not.

Where the two differ, and why:

* ``tol`` is scikit-learn's absolute rule on the epoch's training objective (penalty included
  here, not there); with ``early_stopping=True`` the monitored quantity is the validation loss
  (scikit-learn: the validation score), and the weights of the best validation epoch are kept.
* The update count ``t`` of the "optimal" and "invscaling" schedules counts updates: one per row
  at ``batch_size=1`` (scikit-learn's count), one per mini-batch otherwise.
* ``squared_error`` is scikit-learn's ½(p − y)²: the estimator passes steepest's core, whose
  squared error has no ½, half the learning rate and the penalties scaled to match, so the steps
  are the same.
* Multi-class problems are one-vs-rest (as scikit-learn) with ``multi_class="ovr"``, each class
  with its own seed drawn from ``random_state``; ``multi_class="multinomial"`` (with
  ``loss="log_loss"``) trains one softmax model instead, all classes from one pass over each row.
* ``partial_fit`` continues the schedule's update count across calls; it does not combine with
  ``average`` yet.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Optional

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "steepest.SGDRegressor and steepest.SGDClassifier need scikit-learn >= 1.6: "
        'pip install "steepest[sklearn]"'
    ) from err

from . import schedules
from ._fit import prepare, run
from ._validation import CLASSIFICATION_LOSSES, REGRESSION_LOSSES

__all__ = ["SGDClassifier", "SGDRegressor"]

PENALTIES = ("l2", "l1", "elasticnet", None)
LEARNING_RATES = ("constant", "optimal", "invscaling", "adaptive")
MAX_SEED = 2**31 - 1


def _loss_factor(loss: str) -> float:
    """How many times steepest's loss is scikit-learn's: 2 for squared error (no ½), else 1."""
    return 2.0 if loss == "squared_error" else 1.0


def _real(value: Any) -> Optional[float]:
    """value as a finite float, or None when it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(float(value)):
        return None
    return float(value)


class _BaseSGD(BaseEstimator):
    """What both estimators share: hyperparameters, their translation, one binary or regression fit."""

    _losses: tuple[str, ...] = ()
    coef_: np.ndarray
    intercept_: np.ndarray

    def _check_hyperparameters(self, for_partial_fit: bool) -> None:
        if self.loss not in self._losses:
            raise ValueError(f"loss must be one of {', '.join(map(repr, self._losses))}, got {self.loss!r}")
        if self.penalty not in PENALTIES:
            raise ValueError(f"penalty must be 'l2', 'l1', 'elasticnet' or None, got {self.penalty!r}")
        if self.learning_rate not in LEARNING_RATES:
            raise ValueError(f"learning_rate must be one of {', '.join(map(repr, LEARNING_RATES))}, got {self.learning_rate!r}")
        alpha, l1_ratio, eta0 = _real(self.alpha), _real(self.l1_ratio), _real(self.eta0)
        if alpha is None or alpha < 0:
            raise ValueError(f"alpha must be a finite number >= 0, got {self.alpha!r}")
        if self.learning_rate == "optimal" and alpha == 0:
            raise ValueError("alpha must be > 0 since learning_rate is 'optimal': alpha is used to compute the rate")
        if l1_ratio is None or not 0 <= l1_ratio <= 1:
            raise ValueError(f"l1_ratio must be in [0, 1], got {self.l1_ratio!r}")
        if self.learning_rate != "optimal" and (eta0 is None or eta0 <= 0):
            raise ValueError(f"eta0 must be > 0 for learning_rate={self.learning_rate!r}, got {self.eta0!r}")
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, numbers.Integral) or int(self.max_iter) < 1:
            raise ValueError(f"max_iter must be an integer >= 1, got {self.max_iter!r}")
        if self.tol is not None and _real(self.tol) is None:
            raise ValueError(f"tol must be a finite number or None, got {self.tol!r}")
        if self.early_stopping and for_partial_fit:
            raise ValueError("early_stopping should be False with partial_fit")

    def _penalties(self) -> tuple[float, float]:
        """(l2, l1) of steepest's objective for scikit-learn's alpha·R(w), R by penalty."""
        factor = _loss_factor(self.loss)
        ratio = {"l2": 0.0, "l1": 1.0, "elasticnet": float(self.l1_ratio), None: 0.0}[self.penalty]
        alpha = 0.0 if self.penalty is None else float(self.alpha)
        return factor * alpha * (1 - ratio) / 2, factor * alpha * ratio

    def _schedule(self) -> schedules.Schedule:
        """scikit-learn's learning-rate rule, with the rate divided by the loss factor."""
        factor = _loss_factor(self.loss)
        if self.learning_rate == "optimal":
            typical_weight = np.sqrt(1.0 / np.sqrt(self.alpha))
            # scikit-learn: eta0 = typw / max(1, dloss(-typw, 1)); dloss is negative there for
            # every loss it offers, so eta0 = typw and t0 = 1 / (typw · alpha).
            return schedules.Optimal(alpha=factor * self.alpha, t0=1.0 / (typical_weight * self.alpha))
        eta0 = float(self.eta0) / factor
        if self.learning_rate == "constant":
            return schedules.Constant(eta0)
        if self.learning_rate == "invscaling":
            return schedules.InverseScaling(eta0, power_t=float(self.power_t))
        return schedules.ReduceOnPlateau(eta0, min_rate=1e-6 / factor)

    def _fit_binary(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: Optional[np.ndarray],
        coef: np.ndarray,
        intercept: Any,
        max_epochs: int,
        seed: int,
        initial_updates: int,
        tol: Optional[float],
        loss: Optional[str] = None,
    ) -> tuple[np.ndarray, Any, Any]:
        """One core fit from (coef, intercept); returns the new weights and the FitResult."""
        l2, l1 = self._penalties()
        problem = prepare(
            X,
            y,
            loss=loss or self.loss,
            epsilon=float(self.epsilon),
            sample_weight=sample_weight,
            batch_size=int(self.batch_size),
            learning_rate=self._schedule(),
            max_epochs=max_epochs,
            l2=l2,
            l1=l1,
            tol=None if tol is None else _loss_factor(self.loss) * float(tol),
            n_iter_no_change=int(self.n_iter_no_change),
            shuffle="rows" if self.shuffle else "none",
            shuffle_block_rows=None,
            random_state=seed,
            fit_intercept=bool(self.fit_intercept),
            n_threads=self.n_threads,
            average=self.average,
            early_stopping=bool(self.early_stopping),
            validation_fraction=float(self.validation_fraction),
        )
        problem.core_options["absolute_tol"] = True
        problem.core_options["initial_updates"] = int(initial_updates)
        problem.core_options["strict_divergence"] = False
        problem.core_options["max_derivative"] = 1e12 * _loss_factor(self.loss)  # scikit-learn's MAX_DLOSS
        weights = np.array(coef, dtype=problem.X.dtype, copy=True, order="C")
        try:
            result = run(problem, coef=weights, intercept=intercept if self.fit_intercept else 0.0)
        except FloatingPointError as err:
            # scikit-learn raises ValueError on overflow; the estimator keeps its previous state.
            raise ValueError(
                f"Floating-point overflow in the fit ({err}). Scaling the input with StandardScaler or "
                "MinMaxScaler, or a smaller eta0, might help."
            ) from None
        if self.verbose:
            print(f"-- Epochs {result.n_epochs}, loss {result.loss:.6g}, stop {result.stop_reason}")
        return weights, result.intercept, result

    def _converged_or_warn(self, results: list[Any]) -> None:
        if self.tol is not None and any(r.stop_reason == "max_epochs" for r in results):
            warnings.warn(
                "Maximum number of iteration reached before convergence. Consider increasing max_iter to "
                "improve the fit.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def save(self, path: Any) -> None:
        """Write the fitted estimator to ``path`` (NumPy .npz without pickle: loading cannot run
        code); ``steepest.load(path)`` returns an equal estimator. A random_state other than None
        or an int is saved as None; class labels must be numbers or strings."""
        from ._io import _jsonable, save_arrays

        check_is_fitted(self)
        params = self.get_params()
        if not (params.get("random_state") is None or isinstance(params["random_state"], numbers.Integral)):
            params["random_state"] = None
        arrays = {"coef_": np.asarray(self.coef_), "intercept_": np.asarray(self.intercept_),
                  "loss_curve_": np.asarray(self.loss_curve_, dtype=np.float64)}
        if hasattr(self, "classes_"):
            classes = np.asarray(self.classes_)
            if classes.dtype.kind not in "biufU":
                classes = classes.astype(str) if all(isinstance(c, str) for c in classes) else classes
            arrays["classes_"] = classes
        if hasattr(self, "feature_names_in_"):
            arrays["feature_names_in_"] = np.asarray(self.feature_names_in_, dtype=str)
        header = {"params": {k: _jsonable(v) for k, v in params.items()}, "n_iter_": int(self.n_iter_),
                  "t_": int(self.t_), "n_features_in_": int(self.n_features_in_)}
        save_arrays(path, type(self).__name__, header, arrays)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


def _seeds(random_state: Any, count: int) -> list[int]:
    """One seed per binary problem, drawn from random_state (None: fresh entropy every call)."""
    if isinstance(random_state, np.random.RandomState):
        return [int(s) for s in random_state.randint(MAX_SEED, size=count)]
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    return [int(s) for s in rng.integers(0, MAX_SEED, size=count)]


class SGDRegressor(RegressorMixin, _BaseSGD):
    """Linear regression by SGD: scikit-learn's SGDRegressor on steepest's core.

    Parameters are scikit-learn's (see its documentation), with the same defaults, plus
    ``batch_size`` (rows per update; 1 as scikit-learn) and ``n_threads`` (OpenMP threads; None
    respects OMP_NUM_THREADS and threadpoolctl). The module docstring lists the differences.

    Attributes: ``coef_``, ``intercept_`` (shape (1,)), ``n_iter_``, ``t_``, ``n_features_in_``,
    ``feature_names_in_`` (for DataFrames), ``loss_curve_`` (the training objective per epoch).
    """

    _losses = REGRESSION_LOSSES

    def __init__(
        self,
        loss: str = "squared_error",
        *,
        penalty: Optional[str] = "l2",
        alpha: float = 0.0001,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: Optional[float] = 1e-3,
        shuffle: bool = True,
        verbose: int = 0,
        epsilon: float = 0.1,
        random_state: Any = None,
        learning_rate: str = "invscaling",
        eta0: float = 0.01,
        power_t: float = 0.25,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        warm_start: bool = False,
        average: Any = False,
        batch_size: int = 1,
        n_threads: Optional[int] = None,
    ) -> None:
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.epsilon = epsilon
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start
        self.average = average
        self.batch_size = batch_size
        self.n_threads = n_threads

    def _fit(self, X: Any, y: Any, sample_weight: Any, max_iter: int, partial: bool,
             coef_init: Any = None, intercept_init: Any = None) -> "SGDRegressor":
        self._check_hyperparameters(for_partial_fit=partial)
        first_call = not hasattr(self, "coef_")
        X, y = validate_data(
            self, X, y, dtype=[np.float64, np.float32], order="C", reset=first_call or not partial, y_numeric=True
        )
        y = y.astype(X.dtype, copy=False)
        keep = (partial or self.warm_start) and not first_call
        coef = self.coef_ if keep else np.zeros(X.shape[1], dtype=X.dtype)
        intercept = float(self.intercept_[0]) if keep else 0.0
        # Explicit starting weights win; the attributes change only once the fit has succeeded.
        if coef_init is not None:
            coef = np.asarray(coef_init, dtype=X.dtype)
            if coef.shape != (X.shape[1],):
                raise ValueError(f"coef_init must have shape ({X.shape[1]},), got {coef.shape}")
        if intercept_init is not None:
            intercept = float(np.asarray(intercept_init, dtype=np.float64).reshape(-1)[0])
        updates = getattr(self, "t_", 1) - 1 if partial and not first_call else 0
        (seed,) = _seeds(self.random_state, 1)
        coef, intercept, result = self._fit_binary(
            X, y, sample_weight, coef, intercept, max_iter, seed, updates, None if partial else self.tol
        )
        self.coef_ = coef
        self.intercept_ = np.array([intercept], dtype=X.dtype)
        self.n_iter_ = result.n_epochs if not partial else getattr(self, "n_iter_", 0) + result.n_epochs
        self.t_ = result.n_updates + 1
        self.loss_curve_ = (
            np.concatenate([getattr(self, "loss_curve_", np.zeros(0)), result.loss_history]) if partial else result.loss_history
        ) / _loss_factor(self.loss)
        if not partial:
            self._converged_or_warn([result])
        return self

    def fit(self, X: Any, y: Any, coef_init: Any = None, intercept_init: Any = None, sample_weight: Any = None) -> "SGDRegressor":
        """Fit by SGD for up to max_iter epochs (from coef_init / intercept_init, or the previous
        fit's weights with warm_start)."""
        return self._fit(X, y, sample_weight, int(self.max_iter), partial=False, coef_init=coef_init,
                         intercept_init=intercept_init)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> "SGDRegressor":
        """One epoch over (X, y), continuing from the current weights and update count."""
        if self.average:
            raise NotImplementedError("partial_fit with average is not supported yet; use fit")
        return self._fit(X, y, sample_weight, 1, partial=True)

    def predict(self, X: Any) -> np.ndarray:
        """X @ coef_ + intercept_."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], order="C", reset=False)
        prediction: np.ndarray = X @ self.coef_.astype(X.dtype, copy=False) + self.intercept_[0]
        return prediction


class SGDClassifier(ClassifierMixin, _BaseSGD):
    """Linear classification by SGD: scikit-learn's SGDClassifier on steepest's core.

    Parameters are scikit-learn's (same defaults: hinge loss, "optimal" rate), plus
    ``batch_size``, ``n_threads`` and ``multi_class`` ("ovr", one-vs-rest as scikit-learn, or
    "multinomial": the softmax cross-entropy, with loss="log_loss"). ``class_weight`` may be a dict or "balanced"
    (n_samples / (n_classes · count of the class)). predict_proba and predict_log_proba exist for
    log_loss (the logistic function, normalised over classes one-vs-rest) and modified_huber.

    Attributes: ``coef_`` (n_classes or 1, n_features), ``intercept_``, ``classes_``, ``n_iter_``,
    ``t_``, ``n_features_in_``, ``feature_names_in_``, ``loss_curve_`` (mean over the binary
    problems of the training objective per epoch).
    """

    _losses = CLASSIFICATION_LOSSES + REGRESSION_LOSSES

    def __init__(
        self,
        loss: str = "hinge",
        *,
        penalty: Optional[str] = "l2",
        alpha: float = 0.0001,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: Optional[float] = 1e-3,
        shuffle: bool = True,
        verbose: int = 0,
        epsilon: float = 0.1,
        n_jobs: Optional[int] = None,
        random_state: Any = None,
        learning_rate: str = "optimal",
        eta0: float = 0.0,
        power_t: float = 0.5,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        class_weight: Any = None,
        warm_start: bool = False,
        average: Any = False,
        batch_size: int = 1,
        n_threads: Optional[int] = None,
        multi_class: str = "ovr",
    ) -> None:
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.epsilon = epsilon
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.average = average
        self.batch_size = batch_size
        self.n_threads = n_threads
        self.multi_class = multi_class

    def _class_weights(self, y: np.ndarray) -> np.ndarray:
        """A weight per class of classes_ from class_weight."""
        if self.class_weight is None:
            return np.ones(len(self.classes_))
        if isinstance(self.class_weight, str):
            if self.class_weight != "balanced":
                raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {self.class_weight!r}")
            counts = np.array([np.sum(y == c) for c in self.classes_], dtype=np.float64)
            return len(y) / (len(self.classes_) * counts)
        if not isinstance(self.class_weight, dict):
            raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {self.class_weight!r}")
        unknown = set(self.class_weight) - set(self.classes_.tolist())
        if unknown:
            raise ValueError(f"class_weight names classes not in y: {sorted(map(str, unknown))}")
        return np.array([float(self.class_weight.get(c, 1.0)) for c in self.classes_])

    def _fit(self, X: Any, y: Any, sample_weight: Any, max_iter: int, partial: bool, classes: Any = None,
             coef_init: Any = None, intercept_init: Any = None) -> "SGDClassifier":
        self._check_hyperparameters(for_partial_fit=partial)
        if self.multi_class not in ("ovr", "multinomial"):
            raise ValueError(f"multi_class must be 'ovr' or 'multinomial', got {self.multi_class!r}")
        if self.multi_class == "multinomial" and self.loss != "log_loss":
            raise ValueError(f"multi_class='multinomial' needs loss='log_loss' (softmax cross-entropy), got {self.loss!r}")
        first_call = not hasattr(self, "coef_")
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], order="C", reset=first_call or not partial)
        check_classification_targets(y)
        if partial:
            if first_call:
                if classes is None:
                    raise ValueError("classes must be passed on the first call to partial_fit")
                self.classes_ = np.unique(classes)
            elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(f"classes={classes!r} is not the same as on the first call to partial_fit")
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:
                raise ValueError(f"y holds labels not in classes: {unseen[:5].tolist()}")
        else:
            self.classes_ = np.unique(y)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(f"The number of classes has to be greater than one; got {n_classes} class")
        weights = np.ones(len(y), dtype=X.dtype) if sample_weight is None else np.asarray(sample_weight, dtype=X.dtype)
        if weights.shape != (len(y),):
            raise ValueError(f"sample_weight must have shape ({len(y)},), got {weights.shape}")
        class_weight = self._class_weights(y)
        keep = (partial or self.warm_start) and not first_call
        # Two classes: the softmax model is the logistic one (w = w_1 - w_0), fitted as such, so
        # that decision_function is one column as scikit-learn's binary classifiers give.
        multinomial = self.multi_class == "multinomial" and n_classes > 2
        n_problems = 1 if n_classes == 2 and not multinomial else n_classes
        if keep and self.coef_.shape != (n_problems, X.shape[1]):
            keep = False
        coef = self.coef_ if keep else np.zeros((n_problems, X.shape[1]), dtype=X.dtype)
        intercept = self.intercept_ if keep else np.zeros(n_problems, dtype=X.dtype)
        # Explicit starting weights win, in scikit-learn's shapes: (n_features,) or (1, n_features)
        # and a scalar or (1,) for two classes, (n_classes, n_features) and (n_classes,) for more.
        if coef_init is not None:
            coef = np.array(coef_init, dtype=X.dtype).reshape((1, -1) if n_problems == 1 else np.shape(coef_init))
            if coef.shape != (n_problems, X.shape[1]):
                expected = f"({X.shape[1]},)" if n_problems == 1 else f"({n_problems}, {X.shape[1]})"
                raise ValueError(f"coef_init must have shape {expected}, got {np.shape(coef_init)}")
        if intercept_init is not None:
            intercept = np.array(intercept_init, dtype=X.dtype).reshape(-1)
            if intercept.shape != (n_problems,):
                raise ValueError(f"intercept_init must have {n_problems} value(s), got shape {np.shape(intercept_init)}")
        updates = getattr(self, "t_", 1) - 1 if partial and not first_call else 0
        seeds = _seeds(self.random_state, n_problems)
        new_coef = np.empty((n_problems, X.shape[1]), dtype=X.dtype)
        new_intercept = np.empty(n_problems, dtype=X.dtype)
        results = []
        # scikit-learn's rule: each row's weight times its own class's weight, in every binary problem.
        row_weight = weights * class_weight[np.searchsorted(self.classes_, y)].astype(X.dtype)
        if multinomial:
            indices = np.searchsorted(self.classes_, y).astype(X.dtype)
            W, B, result = self._fit_binary(
                X, indices, row_weight if np.any(row_weight != 1) else None, coef, np.asarray(intercept), max_iter,
                seeds[0], updates, None if partial else self.tol, loss="multinomial",
            )
            new_coef[:], new_intercept[:] = W, B
            results.append(result)
        for k in range(0 if multinomial else n_problems):
            positive = self.classes_[1] if n_problems == 1 else self.classes_[k]
            target = np.where(y == positive, 1.0, -1.0).astype(X.dtype)
            w, b, result = self._fit_binary(
                X, target, row_weight if np.any(row_weight != 1) else None, coef[k], float(intercept[k]), max_iter,
                seeds[k], updates, None if partial else self.tol,
            )
            new_coef[k], new_intercept[k] = w, b
            results.append(result)
        self.coef_, self.intercept_ = new_coef, new_intercept
        epochs = max(r.n_epochs for r in results)
        self.n_iter_ = epochs if not partial else getattr(self, "n_iter_", 0) + epochs
        self.t_ = max(r.n_updates for r in results) + 1
        curves = [np.pad(r.loss_history, (0, epochs - r.n_epochs), mode="edge") for r in results]
        curve = np.mean(curves, axis=0) / _loss_factor(self.loss)
        self.loss_curve_ = np.concatenate([getattr(self, "loss_curve_", np.zeros(0)), curve]) if partial else curve
        if not partial:
            self._converged_or_warn(results)
        return self

    def fit(self, X: Any, y: Any, coef_init: Any = None, intercept_init: Any = None, sample_weight: Any = None) -> "SGDClassifier":
        """Fit by SGD for up to max_iter epochs, one-vs-rest over the classes (or one softmax model
        with multi_class="multinomial"), from coef_init / intercept_init when given."""
        return self._fit(X, y, sample_weight, int(self.max_iter), partial=False, coef_init=coef_init,
                         intercept_init=intercept_init)

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None) -> "SGDClassifier":
        """One epoch over (X, y), continuing from the current weights and update count; the first
        call must list every class in ``classes``."""
        if self.average:
            raise NotImplementedError("partial_fit with average is not supported yet; use fit")
        return self._fit(X, y, sample_weight, 1, partial=True, classes=classes)

    def decision_function(self, X: Any) -> np.ndarray:
        """Signed distance to each class's hyperplane: (n_samples,) for two classes, else (n_samples, n_classes)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], order="C", reset=False)
        scores: np.ndarray = X @ self.coef_.T.astype(X.dtype, copy=False) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """The class of the largest decision value (for two classes, of its sign)."""
        scores = self.decision_function(X)
        indices = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        labels: np.ndarray = self.classes_[indices]
        return labels

    def _check_proba(self) -> bool:
        if self.loss not in ("log_loss", "modified_huber"):
            raise AttributeError(f"probability estimates are not available for loss={self.loss!r}")
        return True

    @property
    def predict_proba(self) -> Any:
        """Class probabilities (log_loss: logistic; modified_huber: (clip(f, -1, 1) + 1) / 2),
        normalised over the classes for more than two."""
        self._check_proba()
        return self._predict_proba

    @property
    def predict_log_proba(self) -> Any:
        """The logarithm of predict_proba."""
        self._check_proba()
        return lambda X: np.log(self._predict_proba(X))

    def _predict_proba(self, X: Any) -> np.ndarray:
        scores = self.decision_function(X)
        if self.multi_class == "multinomial" and scores.ndim == 2:
            shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
            softmax: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
            return softmax
        if self.loss == "log_loss":
            positive = 1.0 / (1.0 + np.exp(-np.clip(scores, -500, 500)))
        else:
            positive = (np.clip(scores, -1, 1) + 1) / 2
        if scores.ndim == 1:
            return np.column_stack([1 - positive, positive])
        total = positive.sum(axis=1, keepdims=True)
        uniform = np.full_like(positive, 1.0 / positive.shape[1])
        with np.errstate(invalid="ignore", divide="ignore"):
            proba: np.ndarray = np.where(total > 0, positive / total, uniform)
        return proba


def _load(kind: str, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> _BaseSGD:
    """An estimator from a file its save() wrote (steepest.load checks the format first)."""
    from ._io import ModelFileError, expect, expect_array

    estimator_class = SGDRegressor if kind == "SGDRegressor" else SGDClassifier
    params = expect(header, "params", dict)
    valid = estimator_class().get_params()
    unknown = set(params) - set(valid)
    if unknown:
        raise ModelFileError(f"unknown parameters {sorted(unknown)} for {kind}")
    if isinstance(params.get("class_weight"), list):  # a dict's items, as JSON wrote them
        raise ModelFileError("class_weight is not a dict")
    estimator = estimator_class(**params)
    n_features = int(expect(header, "n_features_in_", int))
    regressor = kind == "SGDRegressor"
    coef = expect_array(arrays, "coef_", ndim=1 if regressor else 2)
    intercept = expect_array(arrays, "intercept_", ndim=1)
    if coef.shape[-1] != n_features or n_features < 1:
        raise ModelFileError(f"coef_ has shape {coef.shape} for {n_features} features")
    if (regressor and intercept.shape != (1,)) or (not regressor and intercept.shape != (coef.shape[0],)):
        raise ModelFileError(f"intercept_ has shape {intercept.shape}, which does not match coef_ {coef.shape}")
    estimator.coef_, estimator.intercept_ = coef.copy(), intercept.copy()
    estimator.loss_curve_ = expect_array(arrays, "loss_curve_", ndim=1).copy()
    estimator.n_iter_ = int(expect(header, "n_iter_", int))
    estimator.t_ = int(expect(header, "t_", int))
    estimator.n_features_in_ = n_features
    if not regressor:
        classes = expect_array(arrays, "classes_", ndim=1, kinds="biufU")
        expected_rows = 1 if len(classes) == 2 and coef.shape[0] == 1 else len(classes)
        if len(classes) < 2 or coef.shape[0] != expected_rows or len(np.unique(classes)) != len(classes):
            raise ModelFileError(f"classes_ ({len(classes)}) does not match coef_ {coef.shape}")
        estimator.classes_ = classes.copy()
    if "feature_names_in_" in arrays:
        names = expect_array(arrays, "feature_names_in_", ndim=1, kinds="U")
        if names.shape != (n_features,):
            raise ModelFileError("feature_names_in_ does not match n_features_in_")
        estimator.feature_names_in_ = names.astype(object)
    return estimator

"""Property-based fuzzing (issue 6): any shape, dtype, layout, value and hyperparameter either gives
a finite result or raises one of the documented exceptions; nothing crashes, hangs or returns NaN.

STEEPEST_FUZZ_EXAMPLES sets the number of examples per test (2,000 by default, as CI runs it;
more for a long opt-in run).
"""

import os
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import steepest  # noqa: E402

EXAMPLES = int(os.environ.get("STEEPEST_FUZZ_EXAMPLES", "2000"))
DOCUMENTED = (ValueError, TypeError, FloatingPointError)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, 1.0, -1.0, 1e150, -1e150, 1e-150, 5e-324, 1e308]),
)
dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.bool_, np.complex128, np.uint16])


@st.composite
def arrays(draw):
    rows = draw(st.integers(0, 6))
    features = draw(st.integers(0, 4))
    dtype = draw(dtypes)
    X = draw(hnp.arrays(np.float64, (rows, features), elements=values))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = X.astype(dtype)
    layout = draw(st.sampled_from(["C", "F", "reversed", "list"]))
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "reversed":
        X = X[::-1]
    elif layout == "list":
        X = X.tolist()
    y = draw(hnp.arrays(np.float64, (draw(st.sampled_from([rows, rows, max(rows - 1, 0)])),), elements=values))
    return X, y


hyperparameters = st.fixed_dictionaries(
    {},
    optional={
        "batch_size": st.one_of(st.integers(-1, 8), st.just("full"), st.just(2.5)),
        "learning_rate": st.one_of(st.floats(-1, 1e3), st.just(float("nan")), st.just("auto")),
        "loss": st.sampled_from(["squared_error", "huber", "hinge", "log_loss", "multinomial", "nope"]),
        "method": st.sampled_from(["sgd", "momentum", "adam", "newton"]),
        "l2": st.one_of(st.floats(-1, 10), st.just(float("nan"))),
        "l1": st.floats(-1, 10),
        "tol": st.one_of(st.none(), st.floats(-1, 1)),
        "shuffle": st.sampled_from([True, False, "blocks", "rows", "x"]),
        "fit_intercept": st.booleans(),
        "early_stopping": st.booleans(),
        "average": st.sampled_from([False, True, 3]),
    },
)


def assert_finite(result):
    assert np.all(np.isfinite(result.coef))
    assert np.all(np.isfinite(np.asarray(result.intercept)))
    assert np.all(np.isfinite(result.loss_history))


@FUZZ
@given(data=arrays(), options=hyperparameters)
def test_fit_returns_finite_results_or_raises_a_documented_error(data, options):
    X, y = data
    try:
        result = steepest.fit(X, y, max_epochs=3, random_state=0, **options)
    except DOCUMENTED:
        return
    assert_finite(result)


@FUZZ
@given(data=arrays(), l2=st.floats(-1, 10), loss=st.sampled_from(["squared_error", "log_loss", "huber", "x"]))
def test_loss_and_gradient_is_finite_or_raises_a_documented_error(data, l2, loss):
    X, y = data
    try:
        n_features = np.shape(X)[1] if np.ndim(X) == 2 else 1
        value, grad, grad_b = steepest.loss_and_gradient(X, y, np.ones(n_features), 0.5, l2, loss=loss)
    except DOCUMENTED:
        return
    assert np.isfinite(value) and np.all(np.isfinite(grad)) and np.isfinite(grad_b)


@FUZZ
@given(data=arrays(), options=st.fixed_dictionaries({}, optional={
    "alpha": st.floats(0, 1), "eta0": st.floats(0, 1), "learning_rate": st.sampled_from(["constant", "optimal"]),
    "batch_size": st.integers(1, 4), "penalty": st.sampled_from(["l2", "l1", "elasticnet", None])}))
def test_estimators_fit_or_raise_a_documented_error(data, options):
    pytest.importorskip("sklearn")
    X, y = data
    for estimator in (steepest.SGDRegressor(max_iter=3, tol=None, **options),
                      steepest.SGDClassifier(max_iter=3, tol=None, **options)):
        target = y if isinstance(estimator, steepest.SGDRegressor) else (np.asarray(y) > 0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator.fit(X, target)
        except DOCUMENTED:
            continue
        assert np.all(np.isfinite(estimator.coef_)) and np.all(np.isfinite(estimator.intercept_))

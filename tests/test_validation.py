"""Bad input gets a clear exception naming the argument; valid-but-unusual input works; the
caller's arrays are never modified."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import steepest
from steepest.datasets import make_regression

N_ROWS, N_FEATURES = 60, 4

# Short, deterministic stochastic fits: they exercise the shuffled mini-batch path, and the same
# data must give bit-identical coefficients however it was passed in.
SGD = dict(batch_size=8, learning_rate=0.01, max_epochs=15, tol=None, random_state=0)
FULL = dict(batch_size="full", learning_rate=0.2, max_epochs=30, tol=None)


@pytest.fixture
def data():
    X, y, _ = make_regression(N_ROWS, N_FEATURES, random_state=3)
    return X, y


def call_fit(X, y):
    return steepest.fit(X, y, **FULL)


def call_loss_and_gradient(X, y):
    # coef must match X's width; 3 for every bad X used below that has no width of its own
    shape = np.shape(X) if isinstance(X, np.ndarray) else ()
    n_features = shape[-1] if len(shape) >= 2 else 3
    return steepest.loss_and_gradient(X, y, np.zeros(n_features))


ENTRY_POINTS = pytest.mark.parametrize(
    "entry", [call_fit, call_loss_and_gradient], ids=["fit", "loss_and_gradient"]
)


def assert_same_fit(result, expected):
    assert result.coef.dtype == expected.coef.dtype
    np.testing.assert_array_equal(result.coef, expected.coef)
    assert result.intercept == expected.intercept
    np.testing.assert_array_equal(result.loss_history, expected.loss_history)


# ---------------------------------------------------------------------------------------------
# Bad data: shapes
# ---------------------------------------------------------------------------------------------


@ENTRY_POINTS
@pytest.mark.parametrize(
    "make_X",
    [
        lambda X: X[:, 0],  # 1-D
        lambda X: X[None],  # 3-D
        lambda X: np.float64(1.0),  # 0-D
    ],
    ids=["1-D", "3-D", "0-D"],
)
def test_X_not_2d(entry, data, make_X):
    X, y = data
    with pytest.raises(ValueError, match=r"\bX\b.*2-D"):
        entry(make_X(X), y)


@ENTRY_POINTS
def test_y_column_vector_hints_ravel(entry, data):
    X, y = data
    with pytest.raises(ValueError, match=r"\by\b.*1-D") as info:
        entry(X, y[:, None])
    assert "ravel" in str(info.value)
    assert str((N_ROWS, 1)) in str(info.value)


def test_y_2d_with_several_columns(data):
    # fit reads several columns as several outputs (tests/test_losses.py); the gradient does not.
    X, y = data
    with pytest.raises(ValueError, match=r"\by\b.*1-D") as info:
        call_loss_and_gradient(X, np.column_stack([y, y]))
    assert "ravel" not in str(info.value)  # the hint is only for a single column
    with pytest.raises(ValueError, match="regression loss"):
        steepest.fit(X, np.column_stack([y, y]) > 0, loss="log_loss")


@ENTRY_POINTS
@pytest.mark.parametrize("n_y", [N_ROWS - 1, N_ROWS + 1])
def test_mismatched_lengths(entry, data, n_y):
    X, y = data
    y = np.resize(y, n_y)
    with pytest.raises(ValueError, match=rf"\by\b.*{n_y}.*\bX\b.*{N_ROWS}"):
        entry(X, y)


@ENTRY_POINTS
def test_zero_rows(entry):
    with pytest.raises(ValueError, match=r"\bX\b.*no rows"):
        entry(np.zeros((0, 3)), np.zeros(0))


@ENTRY_POINTS
def test_zero_features(entry):
    with pytest.raises(ValueError, match=r"\bX\b.*no features"):
        entry(np.zeros((5, 0)), np.zeros(5))


# ---------------------------------------------------------------------------------------------
# Bad data: values and dtypes
# ---------------------------------------------------------------------------------------------


@ENTRY_POINTS
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nonfinite_in_X_reports_index(entry, data, value, dtype):
    X, y = data
    X = X.astype(dtype)
    X[17, 2] = value
    with pytest.raises(ValueError, match=r"\bX\b") as info:
        entry(X, y)
    message = str(info.value)
    assert "[17, 2]" in message
    assert str(dtype(value)) in message  # "nan", "inf" or "-inf"


@ENTRY_POINTS
def test_nonfinite_index_is_in_the_callers_layout(entry, data):
    """A Fortran-order or strided X is copied before the check; the index must still be the user's."""
    X, y = data
    F = np.asfortranarray(X)
    F[5, 3] = np.nan
    with pytest.raises(ValueError, match=r"\[5, 3\]"):
        entry(F, y)
    wide = np.repeat(X, 2, axis=1)
    wide[9, 2] = np.inf  # column 1 of the view wide[:, ::2]
    with pytest.raises(ValueError, match=r"\[9, 1\]"):
        entry(wide[:, ::2], y)


@ENTRY_POINTS
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_nonfinite_in_y_reports_index(entry, data, value):
    X, y = data
    y = y.copy()
    y[41] = value
    with pytest.raises(ValueError, match=r"\by\b.*\[41\]"):
        entry(X, y)


def test_y_value_too_large_for_float32_X(data):
    """float32 X trains in float32, so y is cast; 1e300 overflows. The error must say why rather
    than claim y contains inf (it does not), and no RuntimeWarning should leak out."""
    X, y = data
    y = y.copy()
    y[3] = 1e300
    with pytest.raises(ValueError, match=r"\by\b") as info:
        steepest.fit(X.astype(np.float32), y)
    assert "float32" in str(info.value)


@ENTRY_POINTS
@pytest.mark.parametrize("which", ["X", "y"])
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64, np.str_, np.bytes_])
def test_complex_and_string_dtypes_are_type_errors(entry, data, which, dtype):
    X, y = data
    if which == "X":
        X = X.astype(dtype)
    else:
        y = y.astype(dtype)
    with pytest.raises(TypeError, match=rf"^{which}\b"):
        entry(X, y)


@ENTRY_POINTS
def test_object_array_of_strings_is_type_error(entry):
    X = np.array([[1.0, "a"], [2.0, 3.0]], dtype=object)
    with pytest.raises(TypeError, match=r"^X\b"):
        entry(X, [1.0, 2.0])


@ENTRY_POINTS
def test_ragged_X_list(entry):
    with pytest.raises(ValueError, match=r"^X\b.*ragged"):
        entry([[1.0, 2.0], [3.0]], [1.0, 2.0])


@ENTRY_POINTS
def test_ragged_y_list(entry):
    with pytest.raises(ValueError, match=r"^y\b.*ragged"):
        entry([[1.0], [2.0]], [[1.0], 2.0])


# ---------------------------------------------------------------------------------------------
# Bad hyperparameters
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value, error",
    [
        ("learning_rate", 0, ValueError),
        ("learning_rate", 0.0, ValueError),
        ("learning_rate", -0.1, ValueError),
        ("learning_rate", float("nan"), ValueError),
        ("learning_rate", float("inf"), ValueError),
        ("learning_rate", "0.1", ValueError),  # a string other than "auto"
        ("learning_rate", [0.1], TypeError),
        ("learning_rate", "auto", ValueError),  # with method="adam" (below)
        ("method", "lbfgs", ValueError),
        ("method", None, TypeError),
        ("l1", -1.0, ValueError),
        ("momentum", 1.0, ValueError),
        ("rho", -0.1, ValueError),
        ("betas", (0.9,), TypeError),
        ("betas", (0.9, 1.0), ValueError),
        ("eps", 0.0, ValueError),
        ("epsilon", -0.1, ValueError),
        ("loss", "log", ValueError),
        ("loss", None, TypeError),
        ("average", 0, ValueError),
        ("average", 1.5, TypeError),
        ("gtol", -1.0, ValueError),
        ("validation_fraction", 0.0, ValueError),
        ("validation_fraction", 1.0, ValueError),
        ("early_stopping", "yes", TypeError),
        ("line_search", 1, TypeError),
        ("progress", "yes", TypeError),
        ("callback", 3, TypeError),
        ("batch_size", 0, ValueError),
        ("batch_size", -1, ValueError),
        ("batch_size", np.int64(0), ValueError),
        ("batch_size", 2.5, TypeError),
        ("batch_size", "half", ValueError),
        ("batch_size", True, TypeError),
        ("l2", -1e-3, ValueError),
        ("l2", float("nan"), ValueError),
        ("max_epochs", 0, ValueError),
        ("max_epochs", 10.0, TypeError),
        ("tol", -1e-4, ValueError),
        ("tol", float("nan"), ValueError),
        ("n_iter_no_change", 0, ValueError),
        ("random_state", "abc", TypeError),
        ("random_state", -1, ValueError),
        ("random_state", 1.5, TypeError),
        ("n_threads", 0, ValueError),
        ("n_threads", -2, ValueError),
        ("n_threads", 2.0, TypeError),
        ("shuffle", "yes", ValueError),
        ("shuffle", 1, TypeError),
        ("shuffle_block_rows", 0, ValueError),
        ("shuffle_block_rows", 8.0, TypeError),
        ("fit_intercept", 1, TypeError),
    ],
)
def test_fit_hyperparameter_out_of_range(data, name, value, error):
    X, y = data
    extra = {"method": "adam"} if (name, value) == ("learning_rate", "auto") else {}
    with pytest.raises(error, match=rf"\b{name}\b"):
        steepest.fit(X, y, **{**SGD, **extra, name: value})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(method="newton", batch_size=32), "batch_size='full'"),
        (dict(line_search=True, batch_size=32), "batch_size='full'"),
        (dict(method="newton", l1=0.1), "l1"),
        (dict(line_search=True, method="momentum"), "line_search"),
        (dict(method="newton", learning_rate=steepest.schedules.ExponentialDecay(1.0, 0.5)), "newton"),
        (dict(learning_rate="auto", method="newton"), "auto"),
    ],
)
def test_incompatible_options_are_refused_before_any_work(data, kwargs, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        steepest.fit(X, y, **{**SGD, **kwargs})


@pytest.mark.parametrize(
    "name, value, error",
    [
        ("l2", -1.0, ValueError),
        ("l2", float("inf"), ValueError),
        ("l2", "0", TypeError),
        ("n_threads", 0, ValueError),
        ("n_threads", 1.0, TypeError),
        ("intercept", float("nan"), ValueError),
        ("intercept", "1", TypeError),
    ],
)
def test_loss_and_gradient_hyperparameter_out_of_range(data, name, value, error):
    X, y = data
    with pytest.raises(error, match=rf"\b{name}\b"):
        steepest.loss_and_gradient(X, y, np.zeros(N_FEATURES), **{name: value})


@pytest.mark.parametrize(
    "coef", [np.zeros(N_FEATURES - 1), np.zeros((N_FEATURES, 1)), np.array([0.0, np.nan, 0.0, 0.0])]
)
def test_loss_and_gradient_bad_coef(data, coef):
    X, y = data
    with pytest.raises(ValueError, match=r"^coef\b"):
        steepest.loss_and_gradient(X, y, coef)


@pytest.mark.parametrize(
    "rows", [[N_ROWS], [0, 1, N_ROWS + 5], [-1], [0, -N_ROWS]], ids=["n", "n+5", "-1", "-n"]
)
def test_loss_and_gradient_rows_out_of_range(data, rows):
    X, y = data
    with pytest.raises(ValueError, match=r"row index"):
        steepest.loss_and_gradient(X, y, np.zeros(N_FEATURES), rows=np.array(rows))


@pytest.mark.parametrize(
    "rows",
    [
        np.array([0.0, 1.0]),
        np.array([0, 1], dtype=np.float32),
        np.array([True, False]),
        np.array([], dtype=np.int64),
        np.array([[0, 1]]),
        np.array(["0", "1"]),
    ],
    ids=["float64", "float32", "bool", "empty", "2-D", "str"],
)
def test_loss_and_gradient_rows_bad_dtype_or_shape(data, rows):
    X, y = data
    with pytest.raises(ValueError, match=r"^rows\b"):
        steepest.loss_and_gradient(X, y, np.zeros(N_FEATURES), rows=rows)


def test_loss_and_gradient_rows_valid(data):
    """Sanity check for the tests above: in-range rows (as a list, with repeats) work."""
    X, y = data
    coef = np.linspace(-1, 1, N_FEATURES)
    rows = [3, 0, 3, N_ROWS - 1]
    loss, grad, grad_b = steepest.loss_and_gradient(X, y, coef, 0.5, rows=rows)
    expected = steepest.loss_and_gradient(X[rows], y[rows], coef, 0.5)
    assert loss == pytest.approx(expected[0], rel=1e-12)
    np.testing.assert_allclose(grad, expected[1], rtol=1e-12, atol=1e-14)
    assert grad_b == pytest.approx(expected[2], rel=1e-12, abs=1e-14)


# ---------------------------------------------------------------------------------------------
# Divergence
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(learning_rate=10.0, batch_size="full"),
        dict(learning_rate=10.0, batch_size="full", tol=None),
        dict(learning_rate=1.0, batch_size=8, random_state=0),
    ],
    ids=["full-default-tol", "full-no-tol", "minibatch-default-tol"],
)
def test_divergence_raises_floating_point_error(data, kwargs):
    X, y = data
    with pytest.raises(FloatingPointError, match="learning_rate"):
        steepest.fit(X, y, **kwargs)


# ---------------------------------------------------------------------------------------------
# Valid but unusual input: same answer as the plain C-contiguous float64 array
# ---------------------------------------------------------------------------------------------


def _read_only_copy(a):
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


@pytest.mark.parametrize("kwargs", [SGD, FULL], ids=["sgd", "full"])
@pytest.mark.parametrize(
    "convert",
    [
        lambda a: np.asfortranarray(a),
        lambda a: np.ascontiguousarray(a).tolist(),
        lambda a: a.astype(">f8"),  # big-endian
        _read_only_copy,
        lambda a: _read_only_copy(np.asfortranarray(a)),
    ],
    ids=["fortran", "list", "big-endian", "read-only", "read-only-fortran"],
)
def test_unusual_layouts_give_identical_fit(data, convert, kwargs):
    X, y = data
    expected = steepest.fit(X, y, **kwargs)
    assert_same_fit(steepest.fit(convert(X), convert(y), **kwargs), expected)


def test_read_only_float32_arrays(data):
    X, y = data
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    expected = steepest.fit(X32, y32, **SGD)
    X32.setflags(write=False)
    y32.setflags(write=False)
    result = steepest.fit(X32, y32, **SGD)
    assert result.coef.dtype == np.float32
    assert_same_fit(result, expected)
    coef = np.zeros(N_FEATURES, dtype=np.float32)
    coef.setflags(write=False)
    loss, grad, _ = steepest.loss_and_gradient(X32, y32, coef)
    assert np.isfinite(loss) and grad.dtype == np.float32


@pytest.mark.parametrize("kwargs", [SGD, FULL], ids=["sgd", "full"])
def test_non_contiguous_views(kwargs):
    X, y, _ = make_regression(N_ROWS, 2 * N_FEATURES, random_state=4)
    view = X[:, ::2]
    assert not view.flags.c_contiguous
    assert_same_fit(steepest.fit(view, y, **kwargs), steepest.fit(np.ascontiguousarray(view), y, **kwargs))
    # strided rows and a strided y
    rows, targets = X[::2], y[::2]
    assert not rows.flags.c_contiguous and not targets.flags.c_contiguous
    assert_same_fit(
        steepest.fit(rows, targets, **kwargs),
        steepest.fit(np.ascontiguousarray(rows), np.ascontiguousarray(targets), **kwargs),
    )


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.int8])
def test_integer_arrays_train_in_float64(dtype):
    rng = np.random.default_rng(5)
    X_int = rng.integers(0, 4, size=(N_ROWS, 3)).astype(dtype)
    y_int = (X_int.astype(np.int64) @ np.array([1, -1, 2]) + 1).astype(dtype if dtype != np.uint8 else np.int16)
    expected = steepest.fit(X_int.astype(np.float64), y_int.astype(np.float64), **SGD)
    result = steepest.fit(X_int, y_int, **SGD)
    assert result.coef.dtype == np.float64
    assert_same_fit(result, expected)
    assert_same_fit(steepest.fit(X_int.tolist(), y_int.tolist(), **SGD), expected)


def test_loss_and_gradient_unusual_layouts(data):
    X, y = data
    coef = np.linspace(-1, 1, N_FEATURES)
    expected = steepest.loss_and_gradient(X, y, coef, 0.3, 0.1)
    for X2, y2, c2 in [
        (np.asfortranarray(X), y, coef),
        (X.tolist(), y.tolist(), coef.tolist()),
        (np.repeat(X, 2, axis=1)[:, ::2], np.repeat(y, 2)[::2], np.repeat(coef, 2)[::2]),
    ]:
        loss, grad, grad_b = steepest.loss_and_gradient(X2, y2, c2, 0.3, 0.1)
        assert loss == expected[0]
        np.testing.assert_array_equal(grad, expected[1])
        assert grad_b == expected[2]


def test_single_feature():
    X, y, coef = make_regression(200, 1, random_state=6)
    result = steepest.fit(X, y, batch_size="full", learning_rate=0.3, tol=1e-10)
    assert result.coef.shape == (1,)
    design = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(result.coef, solution[:1], rtol=1e-4)
    assert float(result.intercept) == pytest.approx(solution[1], abs=1e-4)
    # the same column as a strided view of a wider matrix, and as a list of 1-element lists
    wide = np.repeat(X, 3, axis=1)
    assert_same_fit(steepest.fit(wide[:, 1:2], y, **SGD), steepest.fit(X, y, **SGD))
    assert_same_fit(steepest.fit(X.tolist(), y.tolist(), **SGD), steepest.fit(X, y, **SGD))


def test_single_row():
    X = np.array([[1.0, -2.0, 0.5]])
    y = np.array([3.0])
    result = steepest.fit(X, y, learning_rate=0.1, tol=1e-12, max_epochs=2000)
    assert result.params["batch_size"] == "full"  # default 32 > 1 row
    assert result.predict(X)[0] == pytest.approx(3.0, abs=1e-6)
    assert_same_fit(steepest.fit([[1.0, -2.0, 0.5]], [3], learning_rate=0.1, tol=1e-12, max_epochs=2000), result)
    loss, grad, grad_b = steepest.loss_and_gradient(X, y, np.zeros(3))
    assert loss == pytest.approx(9.0)
    np.testing.assert_allclose(grad, 2 * (0 - 3.0) * X[0])
    assert grad_b == pytest.approx(-6.0)


@pytest.mark.parametrize("batch_size", [N_ROWS, N_ROWS + 1, 10**9])
def test_batch_size_at_least_n_is_full_batch(data, batch_size):
    X, y = data
    kwargs = {**FULL, "batch_size": batch_size}
    result = steepest.fit(X, y, **kwargs)
    assert result.params["batch_size"] == "full"
    assert_same_fit(result, steepest.fit(X, y, **FULL))


def test_batch_size_below_n_is_kept(data):
    X, y = data
    result = steepest.fit(X, y, **{**SGD, "batch_size": N_ROWS - 1})
    assert result.params["batch_size"] == N_ROWS - 1


# ---------------------------------------------------------------------------------------------
# The caller's arrays are never modified
# ---------------------------------------------------------------------------------------------


def _variants(X, y):
    yield "float64-C", X.copy(), y.copy()
    yield "float32-C", X.astype(np.float32), y.astype(np.float32)
    yield "float64-F", np.asfortranarray(X), np.asfortranarray(y)
    yield "float32-F", np.asfortranarray(X, dtype=np.float32), y.astype(np.float32)
    yield "int", np.round(X * 10).astype(np.int64), np.round(y * 10).astype(np.int64)


@pytest.mark.parametrize("read_only", [False, True], ids=["writeable", "read-only"])
@pytest.mark.parametrize("kwargs", [SGD, FULL], ids=["sgd", "full"])
def test_fit_does_not_modify_inputs(data, kwargs, read_only):
    X0, y0 = data
    for label, X, y in _variants(X0, y0):
        if read_only:
            X.setflags(write=False)
            y.setflags(write=False)
        before = X.copy(order="K"), y.copy(order="K")
        flags = X.flags.writeable, X.flags.c_contiguous, X.flags.f_contiguous, y.flags.writeable
        result = steepest.fit(X, y, **{**kwargs, "learning_rate": 1e-3})
        assert np.array_equal(X, before[0]), label
        assert np.array_equal(y, before[1]), label
        assert X.dtype == before[0].dtype and y.dtype == before[1].dtype, label
        assert (X.flags.writeable, X.flags.c_contiguous, X.flags.f_contiguous, y.flags.writeable) == flags, label
        assert not np.shares_memory(result.coef, X) and not np.shares_memory(result.coef, y), label
        result.predict(X)
        result.score(X, y)
        assert np.array_equal(X, before[0]) and np.array_equal(y, before[1]), label
        assert X.flags.writeable == flags[0] and y.flags.writeable == flags[3], label


def test_fit_with_bad_input_does_not_modify_inputs(data):
    X, y = data
    X, y = X.copy(), y.copy()
    X[0, 0] = np.nan
    before = X.copy(), y.copy()
    with pytest.raises(ValueError):
        steepest.fit(X, y)
    assert np.array_equal(X, before[0], equal_nan=True) and np.array_equal(y, before[1])
    assert X.flags.writeable and y.flags.writeable


def test_lists_are_not_modified(data):
    X, y = data
    X_list, y_list = X.tolist(), y.tolist()
    X_copy, y_copy = [row[:] for row in X_list], y_list[:]
    steepest.fit(X_list, y_list, **SGD)
    assert X_list == X_copy and y_list == y_copy


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_loss_and_gradient_does_not_modify_inputs(data, dtype):
    X, y = data
    X, y = X.astype(dtype), y.astype(dtype)
    coef = np.linspace(-1, 1, N_FEATURES).astype(dtype)
    rows = np.array([5, 1, 5, 7], dtype=np.int64)
    before = [a.copy() for a in (X, y, coef, rows)]
    _, grad, _ = steepest.loss_and_gradient(X, y, coef, 0.1, 0.2, rows=rows)
    for a, b in zip((X, y, coef, rows), before):
        assert np.array_equal(a, b)
        assert a.flags.writeable
    assert not np.shares_memory(grad, coef)


# ---------------------------------------------------------------------------------------------
# FitResult
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def result(data):
    X, y = data
    return steepest.fit(X, y, **FULL)


@pytest.mark.parametrize("attribute", ["coef", "intercept", "loss_history", "stop_reason", "params", "new_attr"])
def test_fit_result_is_frozen(result, attribute):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, attribute, None)


def test_fit_result_attributes_cannot_be_deleted(result):
    with pytest.raises(dataclasses.FrozenInstanceError):
        del result.coef


def test_fit_result_arrays_are_read_only(result):
    coef, history = result.coef.copy(), result.loss_history.copy()
    assert not result.coef.flags.writeable
    assert not result.loss_history.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        result.coef[0] = 123.0
    with pytest.raises(ValueError, match="read-only"):
        result.loss_history[-1] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        result.coef += 1.0
    np.testing.assert_array_equal(result.coef, coef)
    np.testing.assert_array_equal(result.loss_history, history)


def test_fit_result_params_are_read_only(result):
    with pytest.raises(TypeError):
        result.params["learning_rate"] = 1.0
    assert result.params["learning_rate"] == FULL["learning_rate"]


@pytest.mark.parametrize("n_features", [N_FEATURES - 1, N_FEATURES + 1])
def test_predict_wrong_number_of_features(data, result, n_features):
    X, _ = data
    X_bad = np.resize(X, (5, n_features))
    with pytest.raises(ValueError, match=rf"\bX\b.*{n_features}.*{N_FEATURES}"):
        result.predict(X_bad)


def test_predict_validates_X(data, result):
    X, _ = data
    with pytest.raises(ValueError, match=r"\bX\b.*2-D"):
        result.predict(X[0])
    X_nan = X.copy()
    X_nan[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"\[2, 1\]"):
        result.predict(X_nan)
    np.testing.assert_allclose(result.predict(X), X @ result.coef + result.intercept)


def test_hyperparameters_are_checked_before_the_data():
    # X holds a NaN; the learning rate is wrong too: the cheap check speaks first, before any pass over X.
    X = np.ones((10, 2))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="learning_rate"):
        steepest.fit(X, np.ones(10), learning_rate=-1.0)

"""Training loops against closed-form solutions, the NumPy reference, and each other."""

import tracemalloc

import numpy as np
import pytest
from conftest import least_squares, relative_error

import steepest
from steepest import reference
from steepest.datasets import make_regression


def test_full_batch_reaches_least_squares_solution(problem):
    X, y = problem
    coef, intercept = least_squares(X, y)
    result = steepest.fit(X, y, batch_size="full", learning_rate=0.4, tol=1e-12)
    assert result.converged and result.stop_reason == "tol"
    assert relative_error(result.coef, coef) <= 1e-6
    assert float(result.intercept) == pytest.approx(intercept, rel=1e-6)


def test_full_batch_history_is_the_exact_objective_after_each_epoch(problem):
    X, y = problem
    result = steepest.fit(X, y, batch_size="full", learning_rate=0.1, max_epochs=3, tol=None)
    assert result.stop_reason == "max_epochs" and result.n_epochs == 3
    # Replay the three steps in NumPy and evaluate the objective after each.
    coef, intercept, expected = np.zeros(X.shape[1]), 0.0, []
    for _ in range(3):
        _, grad, grad_b = reference.loss_and_gradient(X, y, coef, intercept)
        coef, intercept = coef - 0.1 * grad, intercept - 0.1 * grad_b
        expected.append(reference.loss_and_gradient(X, y, coef, intercept)[0])
    np.testing.assert_allclose(result.loss_history, expected, rtol=1e-12)
    assert result.loss == pytest.approx(steepest.loss_and_gradient(X, y, result.coef, result.intercept)[0], rel=1e-12)


@pytest.mark.parametrize("l2", [0.01, 0.5])
def test_full_batch_with_l2_reaches_ridge_solution_without_penalising_intercept(problem, l2):
    X, y = problem
    coef, intercept = least_squares(X, y, l2=l2)
    result = steepest.fit(X, y, batch_size="full", learning_rate=0.3, l2=l2, tol=1e-13)
    assert result.converged
    assert relative_error(result.coef, coef) <= 1e-6
    assert float(result.intercept) == pytest.approx(intercept, rel=1e-6)


def test_without_intercept_the_intercept_stays_zero(problem):
    X, y = problem
    coef, _ = least_squares(X, y, fit_intercept=False)
    result = steepest.fit(X, y, batch_size="full", learning_rate=0.4, tol=1e-12, fit_intercept=False)
    assert result.intercept == 0.0
    assert relative_error(result.coef, coef) <= 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_minibatch_32_gets_within_two_percent_of_least_squares_mse_in_20_epochs(seed):
    X, y, _ = make_regression(100_000, 50, random_state=7)
    coef, intercept = least_squares(X, y)
    best_mse = reference.loss_and_gradient(X, y, coef, intercept)[0]
    # Constant-rate SGD hovers above the minimum by an amount proportional to the rate: at 0.01
    # it is about 2% here, at 0.005 about 1%.
    result = steepest.fit(X, y, batch_size=32, learning_rate=0.005, max_epochs=20, random_state=seed)
    assert result.n_epochs <= 20
    mse = steepest.loss_and_gradient(X, y, result.coef, result.intercept)[0]
    assert mse <= 1.02 * best_mse


def test_sgd_gets_close_to_least_squares_mse():
    X, y, _ = make_regression(20_000, 10, random_state=8)
    coef, intercept = least_squares(X, y)
    best_mse = reference.loss_and_gradient(X, y, coef, intercept)[0]
    result = steepest.fit(X, y, batch_size=1, learning_rate=0.001, max_epochs=20, random_state=0)
    mse = steepest.loss_and_gradient(X, y, result.coef, result.intercept)[0]
    assert mse <= 1.03 * best_mse


@pytest.mark.parametrize("batch_size", [1, 7, 32, "full"])
@pytest.mark.parametrize(
    "options",
    [{}, {"l2": 0.05}, {"fit_intercept": False}, {"shuffle": False}, {"shuffle": "blocks", "shuffle_block_rows": 7}],
)
def test_core_follows_the_numpy_reference_step_for_step(batch_size, options):
    X, y, _ = make_regression(3_000, 8, random_state=9)
    kwargs = dict(batch_size=batch_size, learning_rate=0.02, max_epochs=4, tol=None, random_state=11, **options)
    core = steepest.fit(X, y, **kwargs)
    numpy = reference.fit(X, y, **kwargs)
    assert relative_error(core.coef, numpy.coef) <= 1e-10
    assert float(core.intercept) == pytest.approx(float(numpy.intercept), rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(core.loss_history, numpy.loss_history, rtol=1e-10)
    assert core.stop_reason == numpy.stop_reason == "max_epochs"


def test_tolerance_rule_stops_both_implementations_at_the_same_epoch():
    X, y, _ = make_regression(5_000, 5, random_state=10)
    kwargs = dict(batch_size=16, learning_rate=0.01, max_epochs=200, tol=1e-3, random_state=3)
    core, numpy = steepest.fit(X, y, **kwargs), reference.fit(X, y, **kwargs)
    assert core.converged and numpy.converged
    assert core.n_epochs == numpy.n_epochs < 200
    # The rule: the last n_iter_no_change epochs did not improve on the best before them by tol.
    history = core.loss_history
    best_before = history[:-5].min()
    assert np.all(history[-5:] >= best_before * (1 - 1e-3))


def test_same_random_state_gives_identical_results_and_another_differs():
    X, y, _ = make_regression(4_000, 6, random_state=12)
    first = steepest.fit(X, y, batch_size=8, max_epochs=3, tol=None, random_state=5)
    again = steepest.fit(X, y, batch_size=8, max_epochs=3, tol=None, random_state=5)
    generator = steepest.fit(X, y, batch_size=8, max_epochs=3, tol=None, random_state=np.random.default_rng(5))
    other = steepest.fit(X, y, batch_size=8, max_epochs=3, tol=None, random_state=6)
    assert np.array_equal(first.coef, again.coef) and first.intercept == again.intercept
    assert np.array_equal(first.loss_history, again.loss_history)
    assert np.array_equal(first.coef, generator.coef)
    assert not np.array_equal(first.coef, other.coef)


@pytest.mark.parametrize("batch_size", ["full", 4096])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_is_bit_identical_with_one_and_two_threads(batch_size, dtype):
    X, y, _ = make_regression(40_000, 20, dtype=dtype, random_state=13)
    kwargs = dict(batch_size=batch_size, learning_rate=0.05, max_epochs=3, tol=None, random_state=1)
    one = steepest.fit(X, y, n_threads=1, **kwargs)
    two = steepest.fit(X, y, n_threads=2, **kwargs)
    assert np.array_equal(one.coef, two.coef)
    assert one.intercept == two.intercept
    assert np.array_equal(one.loss_history, two.loss_history)


@pytest.mark.parametrize("batch_size", [1, 32, "full"])
def test_float32_stays_float32(batch_size):
    X, y, _ = make_regression(5_000, 10, dtype=np.float32, random_state=14)
    result = steepest.fit(X, y, batch_size=batch_size, learning_rate=0.01 if batch_size != "full" else 0.3, max_epochs=50)
    assert result.coef.dtype == np.float32
    assert result.intercept.dtype == np.float32
    assert result.predict(X).dtype == np.float32
    coef, _ = least_squares(X, y)
    assert relative_error(result.coef, coef) <= 2e-2


def peak_traced_bytes(run) -> int:
    """Peak of the memory NumPy and Python allocate while run() runs (NumPy reports to tracemalloc)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_makes_no_copy_of_contiguous_input(dtype):
    X, y, _ = make_regression(200_000, 25, dtype=dtype, random_state=15)
    peak = peak_traced_bytes(lambda: steepest.fit(X, y, batch_size=256, max_epochs=2, tol=None, random_state=0))
    # A copy of X, in either dtype, would be at least half of X's size.
    assert peak < 0.5 * X.nbytes, f"peak traced {peak} bytes for X of {X.nbytes}"


def test_tracemalloc_does_see_a_copy_of_x():
    """The no-copy test above would catch a copy: a Fortran-ordered X is copied once, visibly."""
    X, y, _ = make_regression(200_000, 25, random_state=15)
    X_fortran = np.asfortranarray(X)
    peak = peak_traced_bytes(lambda: steepest.fit(X_fortran, y, batch_size=256, max_epochs=1, tol=None, random_state=0))
    assert peak >= X.nbytes


def test_predict_and_score_match_independent_computation(problem):
    X, y = problem
    result = steepest.fit(X, y, batch_size="full", learning_rate=0.4, tol=1e-10)
    prediction = result.predict(X)
    np.testing.assert_allclose(prediction, X @ result.coef + result.intercept, rtol=1e-12)
    r2 = 1 - np.sum((y - prediction) ** 2) / np.sum((y - y.mean()) ** 2)
    assert result.score(X, y) == pytest.approx(r2, rel=1e-12)
    assert result.score(X, y) > 0.99


def test_result_records_hyperparameters_and_reads_well(problem):
    X, y = problem
    result = steepest.fit(X, y, batch_size=64, learning_rate=0.02, max_epochs=2, tol=None, random_state=3, l2=0.1)
    assert dict(result.params) == dict(
        loss="squared_error", epsilon=0.1, labels=None, batch_size=64, learning_rate=0.02, method="sgd", max_epochs=2, l2=0.1, l1=0.0, tol=None, gtol=None,
        n_iter_no_change=5, early_stopping=False, validation_fraction=0.1, momentum=0.9, betas=(0.9, 0.999),
        rho=0.99, eps=1e-8, average=False, line_search=False, shuffle="rows",
        shuffle_block_rows=64 * 1024 // (20 * 8), random_state=3, fit_intercept=True, n_threads=None,
    )
    text = repr(result)
    for fragment in ("FitResult(", "n_epochs=2", "stop_reason='max_epochs'", "batch_size=64", "float64"):
        assert fragment in text


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch_size", [1, 32, "full"])
def test_exact_fit_at_rounding_level_is_not_mistaken_for_divergence(dtype, batch_size):
    # Noiseless data: the objective falls to rounding level, where it jitters up and down.
    X, _, coef = make_regression(2_000, 8, dtype=dtype, random_state=16)
    y = (X.astype(np.float64) @ coef).astype(dtype)
    rate = 0.3 if batch_size == "full" else 0.01
    result = steepest.fit(X, y, batch_size=batch_size, learning_rate=rate, max_epochs=300, tol=None, random_state=0)
    assert result.stop_reason == "max_epochs"
    assert relative_error(result.coef, coef) <= (1e-3 if dtype == np.float32 else 1e-8)


def test_full_batch_just_above_the_stable_rate_is_caught_as_divergence(problem):
    X, y = problem
    # Full-batch gradient descent is stable up to 2/L, L the largest eigenvalue of the Hessian.
    largest = np.linalg.eigvalsh(2.0 / len(X) * np.c_[X, np.ones(len(X))].T @ np.c_[X, np.ones(len(X))]).max()
    stable = steepest.fit(X, y, batch_size="full", learning_rate=1.9 / largest, max_epochs=2000)
    assert stable.converged
    with pytest.raises(FloatingPointError, match="learning_rate"):
        steepest.fit(X, y, batch_size="full", learning_rate=2.1 / largest, max_epochs=2000)

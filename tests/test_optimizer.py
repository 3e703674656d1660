"""The optimiser (issue 4): learning rates from the Hessian, Newton, update rules, penalties, stopping.

Oracles: np.linalg.lstsq and the normal equations, closed-form schedule formulas, NumPy replays of
each update rule, scikit-learn's Lasso and ElasticNet, and eigenvalues from np.linalg.eigvalsh.
"""

import math

import numpy as np
import pytest
from conftest import least_squares, relative_error

import steepest
from steepest import schedules
from steepest.datasets import make_regression


def hessian(X, l2=0.0, fit_intercept=True):
    """(2/n) [X 1]ᵀ[X 1] + 2·l2 on the coefficients, in float64."""
    X = np.asarray(X, dtype=np.float64)
    A = np.c_[X, np.ones(len(X))] if fit_intercept else X
    H = 2.0 / len(X) * A.T @ A
    H[: X.shape[1], : X.shape[1]] += 2.0 * l2 * np.eye(X.shape[1])
    return H


def objective(X, y, coef, intercept, l2=0.0, l1=0.0):
    r = np.asarray(X, np.float64) @ coef + intercept - y
    return float(np.mean(r**2) + l2 * coef @ coef + l1 * np.abs(coef).sum())


def scaled_problem(n=5_000, d=10, spread=1000.0, seed=0):
    """Independent features whose scales run from 1 to `spread`."""
    rng = np.random.default_rng(seed)
    scales = np.logspace(0, np.log10(spread), d)
    X = rng.standard_normal((n, d)) * scales
    coef = rng.standard_normal(d) / scales
    y = X @ coef + 0.5 + 0.01 * rng.standard_normal(n)
    return X, y


def ill_conditioned_problem(n=4_000, d=10, condition=100.0, seed=1):
    """Correlated features whose Hessian (no intercept) has condition number exactly `condition`."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, d))
    Z -= Z.mean(axis=0)
    # Whiten Z so that its sample covariance is exactly I, then impose the spectrum.
    Z = Z @ np.linalg.inv(np.linalg.cholesky(Z.T @ Z / n)).T
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    X = Z @ np.diag(np.sqrt(np.linspace(1.0, condition, d))) @ Q.T
    y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
    return np.ascontiguousarray(X), y


# ---------------------------------------------------------------------------------------------
# learning_rate="auto"


def test_auto_rate_reaches_least_squares_on_features_scaled_1000x_apart_without_tuning():
    X, y = scaled_problem()
    coef, intercept = least_squares(X, y)
    # Plain gradient descent would need a rate below 2/L ~ 1e-6 and ~1e6 epochs here.
    assert np.linalg.cond(hessian(X)) > 1e5
    result = steepest.fit(X, y, batch_size="full", learning_rate="auto", tol=None, gtol=1e-12, max_epochs=500)
    assert result.stop_reason == "gtol" and result.n_epochs <= 500
    assert relative_error(result.coef, coef) <= 1e-6
    assert float(result.intercept) == pytest.approx(intercept, rel=1e-6)


def never_diverging_cases():
    X, y, _ = make_regression(3_000, 15, random_state=3)
    scaled = scaled_problem(n=3_000)
    ill = ill_conditioned_problem(n=3_000)
    rng = np.random.default_rng(4)
    shifted = rng.standard_normal((3_000, 6)) * 3 + 50.0  # large means couple the intercept
    outliers = rng.standard_normal((3_000, 8))
    outliers[::97] *= 30.0  # a few rows of very large norm
    cases = {
        "standard": (X, y),
        "scaled": scaled,
        "ill": ill,
        "shifted-means": (shifted, shifted @ np.arange(6.0) - 3.0),
        "row-outliers": (outliers, outliers.sum(axis=1)),
        "float32": (X.astype(np.float32), y.astype(np.float32)),
    }
    return cases


@pytest.mark.parametrize("batch_size", [1, 32, 256, "full"])
@pytest.mark.parametrize("case", list(never_diverging_cases()))
@pytest.mark.parametrize("method", ["sgd", "nesterov"])
def test_auto_rate_never_diverges(case, batch_size, method):
    X, y = never_diverging_cases()[case]
    result = steepest.fit(
        X, y, batch_size=batch_size, learning_rate="auto", method=method, max_epochs=40, tol=None, random_state=0
    )
    assert np.all(np.isfinite(result.coef)) and np.isfinite(result.intercept)
    start = objective(X, y, np.zeros(X.shape[1]), 0.0)
    assert objective(X, y, result.coef, float(result.intercept)) < 0.05 * start


def test_auto_rate_shrinks_with_the_batch_size():
    X, y, _ = make_regression(4_000, 10, random_state=5)
    rates = [
        steepest.fit(X, y, batch_size=b, learning_rate="auto", max_epochs=1, tol=None).learning_rate_history[0]
        for b in (1, 32, 256, "full")
    ]
    assert rates == sorted(rates)
    # Full batch: about 1/L of the preconditioned Hessian (power iteration approaches L from
    # below; a 5% margin covers most of the rest), far from the stability limit 2/L.
    H = hessian(X)
    scale = 1 / np.sqrt(np.diag(H))
    largest = np.linalg.eigvalsh(scale[:, None] * H * scale[None, :]).max()
    assert 0.9 / largest <= rates[-1] <= 1.1 / largest


def test_constant_rate_of_two_and_a_half_over_L_is_caught_with_a_clear_error(problem):
    X, y = problem
    largest = np.linalg.eigvalsh(hessian(X)).max()
    with pytest.raises(FloatingPointError) as caught:
        steepest.fit(X, y, batch_size="full", learning_rate=float(2.5 / largest), max_epochs=100)
    message = str(caught.value)
    assert f"learning_rate={float(2.5 / largest)!r}" in message
    assert "smaller" in message and "auto" in message


# ---------------------------------------------------------------------------------------------
# Newton's method


@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_newton_lands_on_the_least_squares_solution_in_one_epoch(problem, l2, fit_intercept):
    X, y = problem
    coef, intercept = least_squares(X, y, l2=l2, fit_intercept=fit_intercept)
    result = steepest.fit(X, y, method="newton", l2=l2, max_epochs=1, fit_intercept=fit_intercept)
    assert result.n_epochs == 1 and result.params["batch_size"] == "full"
    assert relative_error(result.coef, coef) <= 1e-10
    assert float(result.intercept) == pytest.approx(intercept, rel=1e-10, abs=1e-12)


def test_newton_is_the_same_with_one_and_two_threads():
    X, y = scaled_problem(n=20_000, d=30)
    one = steepest.fit(X, y, method="newton", max_epochs=2, n_threads=1)
    two = steepest.fit(X, y, method="newton", max_epochs=2, n_threads=2)
    np.testing.assert_array_equal(one.coef, two.coef)


def test_newton_on_a_singular_problem_says_what_to_do():
    X, y, _ = make_regression(500, 4, random_state=2)
    X = np.c_[X, X[:, 0]]  # a duplicated column
    with pytest.raises(ValueError, match="l2 > 0"):
        steepest.fit(X, y, method="newton")
    ridge = steepest.fit(X, y, method="newton", l2=1e-3, max_epochs=1)
    np.testing.assert_allclose(ridge.coef, least_squares(X, y, l2=1e-3)[0], rtol=1e-8)


# ---------------------------------------------------------------------------------------------
# Update rules


def replay(X, y, method, rate, epochs, **hp):
    """Full-batch updates in NumPy with PyTorch's formulas; returns the weights (coef, intercept)."""
    X = np.asarray(X, np.float64)
    w = np.zeros(X.shape[1] + 1)
    first, second = np.zeros_like(w), np.zeros_like(w)
    mu, (b1, b2), rho, eps = hp.get("momentum", 0.9), hp.get("betas", (0.9, 0.999)), hp.get("rho", 0.99), 1e-8
    for t in range(1, epochs + 1):
        r = X @ w[:-1] + w[-1] - y
        g = np.append(2 / len(X) * X.T @ r, 2 * r.mean())
        if method == "momentum":
            first = mu * first + g
            w = w - rate * first
        elif method == "nesterov":
            first = mu * first + g
            w = w - rate * (g + mu * first)
        elif method == "adagrad":
            second = second + g * g
            w = w - rate * g / (np.sqrt(second) + eps)
        elif method == "rmsprop":
            second = rho * second + (1 - rho) * g * g
            w = w - rate * g / (np.sqrt(second) + eps)
        elif method == "adam":
            first = b1 * first + (1 - b1) * g
            second = b2 * second + (1 - b2) * g * g
            w = w - rate * (first / (1 - b1**t)) / (np.sqrt(second / (1 - b2**t)) + eps)
    return w[:-1], w[-1]


@pytest.mark.parametrize("method", ["momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_update_rules_follow_their_formulas(problem, method):
    X, y = problem
    rate = 0.05
    result = steepest.fit(X, y, batch_size="full", method=method, learning_rate=rate, max_epochs=7, tol=None)
    coef, intercept = replay(X, y, method, rate, 7)
    np.testing.assert_allclose(result.coef, coef, rtol=1e-10, atol=1e-13)
    assert float(result.intercept) == pytest.approx(intercept, rel=1e-10)


def epochs_to_reach(X, y, target, **kwargs):
    """Epochs of full-batch descent until the objective is at most target (None if never)."""
    result = steepest.fit(
        X, y, batch_size="full", fit_intercept=False, tol=None, callback=lambda info: info.loss <= target, **kwargs
    )
    return result.n_epochs if result.stop_reason == "callback" else None


def test_momentum_and_nesterov_beat_the_best_constant_rate_on_an_ill_conditioned_problem():
    X, y = ill_conditioned_problem()
    H = hessian(X, fit_intercept=False)
    eigenvalues = np.linalg.eigvalsh(H)
    assert eigenvalues.max() / eigenvalues.min() == pytest.approx(100.0, rel=1e-6)
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    best, start = objective(X, y, coef, 0.0), objective(X, y, np.zeros(X.shape[1]), 0.0)
    target = best + 1e-6 * (start - best)
    L, mu = eigenvalues.max(), eigenvalues.min()
    # The best constant rate of gradient descent on a quadratic is 2/(L + mu); try around it too.
    plain = [epochs_to_reach(X, y, target, learning_rate=c * 2 / (L + mu), max_epochs=5_000) for c in (0.8, 0.9, 1.0)]
    best_plain = min(e for e in plain if e is not None)
    for method in ("momentum", "nesterov"):
        epochs = epochs_to_reach(X, y, target, method=method, learning_rate=1 / L, max_epochs=5_000)
        assert epochs is not None and epochs < best_plain, (method, epochs, best_plain)


@pytest.mark.parametrize(
    "method, rate", [("adagrad", 0.5), ("rmsprop", 0.01), ("adam", 0.05)]
)
def test_adaptive_methods_reach_the_target_on_an_ill_conditioned_problem(method, rate):
    X, y = ill_conditioned_problem()
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    best, start = objective(X, y, coef, 0.0), objective(X, y, np.zeros(X.shape[1]), 0.0)
    target = best + 1e-4 * (start - best)
    assert epochs_to_reach(X, y, target, method=method, learning_rate=rate, max_epochs=20_000) is not None


@pytest.mark.parametrize("method", ["momentum", "adam"])
def test_update_rules_give_the_same_result_with_one_and_two_threads(method):
    X, y, _ = make_regression(20_000, 40, random_state=6)
    kwargs = dict(batch_size=256, method=method, learning_rate=0.005, max_epochs=2, tol=None, random_state=1)
    one = steepest.fit(X, y, n_threads=1, **kwargs)
    two = steepest.fit(X, y, n_threads=2, **kwargs)
    np.testing.assert_array_equal(one.coef, two.coef)
    assert one.intercept == two.intercept


def test_averaged_sgd_returns_the_mean_of_the_iterates(problem):
    X, y = problem
    iterates = []
    steepest.fit(
        X, y, batch_size="full", learning_rate=0.05, max_epochs=6, tol=None,
        callback=lambda info: iterates.append(np.append(info.coef, info.intercept)) and False,
    )
    averaged = steepest.fit(X, y, batch_size="full", learning_rate=0.05, max_epochs=6, tol=None, average=True)
    np.testing.assert_allclose(averaged.coef, np.mean(iterates, axis=0)[:-1], rtol=1e-12)
    late = steepest.fit(X, y, batch_size="full", learning_rate=0.05, max_epochs=6, tol=None, average=3)
    np.testing.assert_allclose(late.coef, np.mean(iterates[3:], axis=0)[:-1], rtol=1e-12)


def test_averaged_sgd_reduces_the_noise_of_constant_rate_sgd():
    X, y, _ = make_regression(20_000, 10, noise=1.0, random_state=7)
    coef, _ = least_squares(X, y)
    kwargs = dict(batch_size=1, learning_rate=0.02, max_epochs=5, tol=None, random_state=0)
    plain = steepest.fit(X, y, **kwargs)
    averaged = steepest.fit(X, y, average=10_000, **kwargs)
    assert relative_error(averaged.coef, coef) < 0.5 * relative_error(plain.coef, coef)


# ---------------------------------------------------------------------------------------------
# L1 and elastic net


def sparse_problem(n=2_000, d=20, seed=8):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    truth = np.zeros(d)
    truth[[1, 4, 9, 15]] = [2.0, -3.0, 1.5, 4.0]
    y = X @ truth + 1.0 + 0.1 * rng.standard_normal(n)
    return X, y, truth


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("how", ["auto", "line_search"])
def test_l1_and_elastic_net_match_scikit_learn_with_exact_zeros(l1_ratio, how):
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    X, y, truth = sparse_problem()
    alpha = 0.05
    if l1_ratio == 1.0:
        oracle = sklearn_linear.Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    else:
        oracle = sklearn_linear.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000).fit(X, y)
    # scikit-learn minimises (1/2n)|r|² + alpha·l1_ratio·|w|₁ + (alpha/2)(1 - l1_ratio)|w|²: twice ours.
    penalties = dict(l1=2 * alpha * l1_ratio, l2=alpha * (1 - l1_ratio))
    options = dict(learning_rate="auto") if how == "auto" else dict(line_search=True, learning_rate=1.0)
    result = steepest.fit(X, y, batch_size="full", tol=None, gtol=1e-9, max_epochs=20_000, **penalties, **options)
    assert result.stop_reason == "gtol"
    assert relative_error(result.coef, oracle.coef_) <= 1e-3
    assert float(result.intercept) == pytest.approx(oracle.intercept_, rel=1e-3)
    zeros = truth == 0
    assert np.all(result.coef[zeros] == 0.0), result.coef[zeros]
    assert np.all(oracle.coef_[zeros] == 0.0)
    assert np.all(result.coef[~zeros] != 0.0)


def test_l1_with_mini_batches_gives_exact_zeros():
    X, y, truth = sparse_problem()
    result = steepest.fit(X, y, batch_size=32, learning_rate=0.01, l1=0.1, max_epochs=30, tol=None, random_state=0)
    zeros = truth == 0
    assert np.mean(result.coef[zeros] == 0.0) >= 0.5
    assert np.all(result.coef[~zeros] != 0.0)


def test_the_objective_includes_the_penalties():
    X, y, _ = sparse_problem()
    result = steepest.fit(X, y, batch_size="full", learning_rate=0.1, l1=0.1, l2=0.05, max_epochs=5, tol=None)
    expected = objective(X, y, result.coef, float(result.intercept), l2=0.05, l1=0.1)
    assert result.loss_history[-1] == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# Schedules


def closed_form(schedule, t, e):
    if isinstance(schedule, schedules.Warmup):
        return closed_form(schedule.schedule, t, e) * min(1.0, t / schedule.steps)
    if isinstance(schedule, schedules.Constant):
        return schedule.eta0
    if isinstance(schedule, schedules.InverseScaling):
        return schedule.eta0 / t**schedule.power_t
    if isinstance(schedule, schedules.Optimal):
        return 1.0 / (schedule.alpha * (schedule.t0 + t - 1))
    if isinstance(schedule, schedules.StepDecay):
        return schedule.eta0 * schedule.gamma ** (e // schedule.step_size)
    if isinstance(schedule, schedules.ExponentialDecay):
        return schedule.eta0 * schedule.gamma**e
    if isinstance(schedule, schedules.CosineAnnealing):
        progress = min(e, schedule.period) / schedule.period
        return schedule.eta_min + (schedule.eta0 - schedule.eta_min) * (1 + math.cos(math.pi * progress)) / 2
    if isinstance(schedule, schedules.ReduceOnPlateau):
        return schedule.eta0
    raise AssertionError(schedule)


SCHEDULES = [
    schedules.Constant(0.03),
    schedules.InverseScaling(0.05, power_t=0.5),
    schedules.Optimal(alpha=0.01),
    schedules.Optimal(alpha=1e-3, t0=50.0),
    schedules.StepDecay(0.04, step_size=3, gamma=0.5),
    schedules.ExponentialDecay(0.04, gamma=0.8),
    schedules.CosineAnnealing(0.04, period=5, eta_min=0.001),
    schedules.ReduceOnPlateau(0.02),
    schedules.Warmup(schedules.CosineAnnealing(0.04, period=6), steps=40),
    schedules.Warmup(schedules.InverseScaling(0.05), steps=7),
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=repr)
def test_schedules_match_their_closed_forms(schedule):
    for t, e in [(1, 0), (2, 0), (7, 1), (39, 2), (40, 3), (1000, 4), (12345, 5), (10**6, 11)]:
        assert schedule.rate(t, e) == pytest.approx(closed_form(schedule, t, e), rel=1e-12)


def test_optimal_schedule_defaults_to_scikit_learns_initial_rate():
    alpha = 1e-4
    # scikit-learn: typw = sqrt(1/sqrt(alpha)); first rate typw / max(1, dloss(-typw, 1)) = typw.
    assert schedules.Optimal(alpha).rate(1) == pytest.approx(math.sqrt(1 / math.sqrt(alpha)), rel=1e-12)


# Optimal's default t0 gives first rates near 1, for data regularised by alpha: too large here.
FIT_SCHEDULES = [
    s for s in SCHEDULES if not isinstance(s, (schedules.ReduceOnPlateau, schedules.Optimal))
] + [schedules.Optimal(alpha=1e-3, t0=1e5), schedules.Optimal(alpha=0.01, t0=1e4)]


@pytest.mark.parametrize("batch_size", [1, 64])
@pytest.mark.parametrize("schedule", FIT_SCHEDULES, ids=repr)
def test_fits_use_the_schedule_at_every_update(schedule, batch_size):
    X, y, _ = make_regression(640, 5, random_state=9)
    result = steepest.fit(X, y, batch_size=batch_size, learning_rate=schedule, max_epochs=8, tol=None, random_state=0)
    updates_per_epoch = -(-640 // batch_size)
    expected = [closed_form(schedule, (e + 1) * updates_per_epoch, e) for e in range(8)]
    np.testing.assert_allclose(result.learning_rate_history, expected, rtol=1e-12)
    assert result.n_updates == 8 * updates_per_epoch


def test_a_schedule_changes_the_trajectory_as_its_formula_says(problem):
    X, y = problem
    decay = schedules.ExponentialDecay(0.1, gamma=0.5)
    result = steepest.fit(X, y, batch_size="full", learning_rate=decay, max_epochs=4, tol=None)
    coef, intercept = np.zeros(X.shape[1]), 0.0
    for epoch in range(4):
        r = X @ coef + intercept - y
        rate = 0.1 * 0.5**epoch
        coef, intercept = coef - rate * 2 / len(X) * X.T @ r, intercept - rate * 2 * r.mean()
    np.testing.assert_allclose(result.coef, coef, rtol=1e-12)


def test_reduce_on_plateau_divides_by_five_after_n_iter_no_change_epochs_without_improvement():
    X, y, _ = make_regression(5_000, 10, noise=1.0, random_state=10)
    schedule = schedules.ReduceOnPlateau(0.05, min_rate=1e-4)
    result = steepest.fit(X, y, batch_size=1, learning_rate=schedule, tol=1e-3, n_iter_no_change=2,
                          max_epochs=200, random_state=0)
    # Replay the rule on the recorded losses.
    rate, best, count, expected = 0.05, math.inf, 0, []
    for loss in result.loss_history:
        expected.append(rate)
        improved = not math.isfinite(best) or loss < best - 1e-3 * abs(best)
        count = 0 if improved else count + 1
        best = min(best, loss)
        if count >= 2:
            rate, count = rate / 5, 0
    np.testing.assert_allclose(result.learning_rate_history, expected, rtol=1e-12)
    assert len(set(expected)) >= 3  # it did reduce, more than once
    assert result.stop_reason == "tol" and rate < 1e-4


# ---------------------------------------------------------------------------------------------
# Stopping, early stopping, callbacks, progress


@pytest.mark.parametrize("seed", [11, 12])
def test_tol_stops_after_the_same_number_of_epochs_for_a_thousand_and_a_million_rows(seed):
    # tol is relative to the mean objective, so N does not enter. (The rate is large enough for a
    # quick fit: at a slow rate, the ~15% spread of the eigenvalues of a 1,000-row sample covariance
    # alone shifts the stopping epoch by a few epochs in 50, whatever the rule.)
    def epochs(n):
        X, y, _ = make_regression(n, 5, noise=0.5, random_state=seed)
        return steepest.fit(X, y, batch_size="full", learning_rate=0.25, tol=1e-4).n_epochs

    small, large = epochs(1_000), epochs(1_000_000)
    assert abs(small - large) <= 1, (small, large)


def test_gtol_stops_once_the_gradient_is_small(problem):
    X, y = problem
    result = steepest.fit(X, y, batch_size="full", learning_rate=0.2, tol=None, gtol=1e-6, max_epochs=1000)
    assert result.stop_reason == "gtol" and result.converged
    _, grad, grad_b = steepest.loss_and_gradient(X, y, result.coef, result.intercept)
    assert np.sqrt(grad @ grad + grad_b**2) <= 1e-6


def held_out_rows(n, random_state, fraction=0.1):
    """The rows fit holds out: it draws its shuffling seed, then a permutation, from random_state."""
    rng = np.random.default_rng(random_state)
    rng.integers(0, 2**64, dtype=np.uint64)
    return np.sort(rng.permutation(n)[: math.ceil(fraction * n)])


def test_early_stopping_records_validation_loss_and_restores_the_best_weights():
    X, y, _ = make_regression(3_000, 10, noise=1.0, random_state=12)
    seen = []
    result = steepest.fit(
        X, y, batch_size=1, learning_rate=0.05, early_stopping=True, n_iter_no_change=3, tol=1e-3,
        max_epochs=100, random_state=4,
        callback=lambda info: seen.append((info.coef.copy(), info.intercept, info.validation_loss)) and False,
    )
    assert result.stop_reason == "validation"
    history = result.validation_loss_history
    assert history.shape == result.loss_history.shape
    validation = held_out_rows(3_000, 4)
    for (coef, intercept, reported), recorded in zip(seen, history):
        expected = np.mean((X[validation] @ coef + intercept - y[validation]) ** 2)
        assert recorded == reported == pytest.approx(expected, rel=1e-10)
    best = int(np.argmin(history))
    assert best < len(history) - 1  # the last epoch was not the best: the weights were restored
    np.testing.assert_array_equal(result.coef, seen[best][0])


def test_early_stopping_trains_only_on_the_training_rows():
    X, y, _ = make_regression(2_000, 5, random_state=13)
    validation = held_out_rows(2_000, 0, fraction=0.25)
    y_poisoned = y.copy()
    y_poisoned[validation] += 1000.0  # would wreck the fit if it were trained on
    result = steepest.fit(X, y_poisoned, batch_size="full", learning_rate=0.3, early_stopping=True,
                          validation_fraction=0.25, tol=None, max_epochs=200, random_state=0)
    train = np.setdiff1d(np.arange(2_000), validation)
    coef, intercept = least_squares(X[train], y[train])
    assert relative_error(result.coef, coef) <= 1e-6


def test_callback_sees_every_epoch_read_only_and_can_stop_the_fit(problem):
    X, y = problem
    infos = []

    def callback(info):
        infos.append(info)
        with pytest.raises(ValueError):
            info.coef[0] = 1.0
        return info.epoch == 4

    result = steepest.fit(X, y, batch_size=100, learning_rate=0.01, callback=callback, tol=None, random_state=0)
    assert result.stop_reason == "callback" and result.n_epochs == 4
    assert [info.epoch for info in infos] == [1, 2, 3, 4]
    assert [info.loss for info in infos] == list(result.loss_history)
    assert [info.learning_rate for info in infos] == list(result.learning_rate_history)
    assert all(info.validation_loss is None for info in infos)


def test_progress_bar_shows_the_loss(problem, capsys):
    pytest.importorskip("tqdm")
    X, y = problem
    steepest.fit(X, y, batch_size="full", learning_rate=0.1, max_epochs=3, tol=None, progress=True)
    err = capsys.readouterr().err
    assert "steepest.fit" in err and "loss=" in err and "3/3" in err


def test_progress_without_tqdm_prints_one_line_per_epoch(problem, capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("no tqdm here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    X, y = problem
    result = steepest.fit(X, y, batch_size="full", learning_rate=0.1, max_epochs=3, tol=None, progress=True)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3
    assert lines[-1].startswith("steepest.fit epoch 3/3: loss ")
    assert f"{result.loss_history[-1]:.6g}" in lines[-1]


def test_line_search_finds_steps_on_a_badly_scaled_problem_and_never_rises():
    X, y = scaled_problem(n=2_000, d=5, spread=3.0)
    result = steepest.fit(X, y, line_search=True, learning_rate=1.0, tol=None, max_epochs=300)
    assert np.all(np.diff(result.loss_history) <= 1e-12 * result.loss_history[0])
    assert result.learning_rate_history.max() < 1.0  # it backtracked from 1.0
    coef, _ = least_squares(X, y)
    assert relative_error(result.coef, coef) <= 1e-8


# ---------------------------------------------------------------------------------------------
# check_gradient


@pytest.mark.parametrize("penalty", [{}, {"l2": 0.3}, {"l1": 0.2}, {"l1": 0.1, "l2": 0.2}], ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_check_gradient_passes_for_every_loss_and_penalty(penalty, dtype):
    X, y, _ = make_regression(400, 6, dtype=dtype, random_state=14)
    coef = np.random.default_rng(0).standard_normal(6)
    report = steepest.check_gradient(X, y, coef, 0.3, **penalty)
    assert report.passed and bool(report)
    assert report.max_rel_error < 1e-7
    assert report.analytic.shape == report.numeric.shape == (7,)


def test_check_gradient_fails_on_a_wrong_gradient_and_names_the_coordinate():
    X, y, _ = make_regression(400, 6, random_state=14)
    coef = np.random.default_rng(0).standard_normal(6)

    def forgot_the_l2_factor_two(w, b):
        _, grad, grad_b = steepest.loss_and_gradient(X, y, w, b)
        grad = grad + 0.3 * w  # the true penalty gradient is 2 * l2 * w
        return grad, grad_b

    report = steepest.check_gradient(X, y, coef, 0.0, l2=0.3, gradient=forgot_the_l2_factor_two)
    assert not report.passed and report.max_rel_error > 1e-3
    assert report.worst_index == int(np.argmax(np.abs(0.3 * coef) / np.abs(report.numeric[:6])))

    def wrong_intercept(w, b):
        _, grad, grad_b = steepest.loss_and_gradient(X, y, w, b)
        return grad, grad_b / 2

    report = steepest.check_gradient(X, y, coef, 0.5, gradient=wrong_intercept)
    assert not report.passed and report.worst_index == 6


def test_check_gradient_refuses_a_zero_coefficient_under_l1():
    X, y, _ = make_regression(50, 3, random_state=14)
    with pytest.raises(ValueError, match=r"coef\[1\]"):
        steepest.check_gradient(X, y, np.array([1.0, 0.0, 2.0]), l1=0.1)

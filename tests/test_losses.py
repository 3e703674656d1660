"""Losses beyond squared error, and sample weights (issue 5).

Oracles: the formulas written out in NumPy here, scikit-learn's own SGD loss objects (a second,
independent implementation), centered finite differences (check_gradient), scikit-learn's
LogisticRegression, and repeated rows for integer sample weights.
"""

import numpy as np
import pytest
from conftest import relative_error

import steepest
from steepest.datasets import make_regression

REGRESSION = ["squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"]
CLASSIFICATION = ["log_loss", "hinge", "squared_hinge", "modified_huber", "perceptron"]
EPSILON = 0.3


def numpy_loss(loss, p, y, eps=EPSILON):
    """(value, dvalue/dp) per row, written from the formulas (scikit-learn's, squared error without 1/2)."""
    r, z = p - y, y * p
    if loss == "squared_error":
        return r**2, 2 * r
    if loss == "huber":
        inside = np.abs(r) <= eps
        return np.where(inside, r**2 / 2, eps * np.abs(r) - eps**2 / 2), np.where(inside, r, eps * np.sign(r))
    if loss == "epsilon_insensitive":
        return np.maximum(0, np.abs(r) - eps), np.where(r > eps, 1.0, np.where(r < -eps, -1.0, 0.0))
    if loss == "squared_epsilon_insensitive":
        excess = np.maximum(0, np.abs(r) - eps)
        return excess**2, 2 * np.sign(r) * excess
    if loss == "log_loss":
        return np.logaddexp(0, -z), -y / (1 + np.exp(z))
    if loss == "hinge":
        return np.maximum(0, 1 - z), np.where(z <= 1, -y, 0.0)
    if loss == "squared_hinge":
        return np.maximum(0, 1 - z) ** 2, -2 * y * np.maximum(0, 1 - z)
    if loss == "modified_huber":
        value = np.where(z >= 1, 0.0, np.where(z >= -1, (1 - z) ** 2, -4 * z))
        return value, np.where(z >= 1, 0.0, np.where(z >= -1, -2 * y * (1 - z), -4 * y))
    if loss == "perceptron":
        return np.maximum(0, -z), np.where(z <= 0, -y, 0.0)
    raise AssertionError(loss)


def data(loss, n=500, d=6, seed=0):
    X, y, _ = make_regression(n, d, noise=1.0, random_state=seed)
    if loss in CLASSIFICATION:
        y = np.where(y > np.median(y), 1.0, -1.0)
    return X, y


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss", REGRESSION + CLASSIFICATION)
def test_core_value_and_gradient_match_the_formulas(loss, weighted):
    X, y = data(loss)
    rng = np.random.default_rng(1)
    coef, intercept = rng.standard_normal(X.shape[1]) * 0.5, 0.2
    weights = rng.uniform(0, 3, len(y)) if weighted else None
    value, grad, grad_b = steepest.loss_and_gradient(
        X, y, coef, intercept, 0.1, loss=loss, epsilon=EPSILON, sample_weight=weights
    )
    s = np.ones(len(y)) if weights is None else weights
    row_value, row_derivative = numpy_loss(loss, X @ coef + intercept, y)
    assert value == pytest.approx(np.mean(s * row_value) + 0.1 * coef @ coef, rel=1e-12)
    np.testing.assert_allclose(grad, X.T @ (s * row_derivative) / len(y) + 0.2 * coef, rtol=1e-11, atol=1e-14)
    assert grad_b == pytest.approx(np.mean(s * row_derivative), rel=1e-11, abs=1e-14)


SKLEARN_LOSSES = {
    "hinge": ("Hinge", (1.0,)),
    "perceptron": ("Hinge", (0.0,)),
    "squared_hinge": ("SquaredHinge", (1.0,)),
    "modified_huber": ("ModifiedHuber", ()),
    "epsilon_insensitive": ("EpsilonInsensitive", (EPSILON,)),
    "squared_epsilon_insensitive": ("SquaredEpsilonInsensitive", (EPSILON,)),
}


@pytest.mark.parametrize("loss", sorted(SKLEARN_LOSSES))
def test_losses_agree_with_scikit_learns_sgd_losses(loss):
    sgd_fast = pytest.importorskip("sklearn.linear_model._sgd_fast")
    name, args = SKLEARN_LOSSES[loss]
    oracle = getattr(sgd_fast, name)(*args)
    X, y = data(loss, n=300)
    coef = np.random.default_rng(2).standard_normal(X.shape[1])
    p = X @ coef
    expected_value = np.array([oracle.py_loss(pi, yi) for pi, yi in zip(p, y)])
    expected_derivative = np.array([oracle.py_dloss(pi, yi) for pi, yi in zip(p, y)])
    value, grad, _ = steepest.loss_and_gradient(X, y, coef, 0.0, loss=loss, epsilon=EPSILON)
    assert value == pytest.approx(expected_value.mean(), rel=1e-12)
    np.testing.assert_allclose(grad, X.T @ expected_derivative / len(y), rtol=1e-11, atol=1e-14)


def test_log_loss_is_finite_and_exact_for_huge_margins():
    X = np.array([[1e3], [-1e3], [1e3]])
    y = np.array([1.0, 1.0, -1.0])
    value, grad, _ = steepest.loss_and_gradient(X, y, np.array([1.0]), 0.0, loss="log_loss")
    # Row losses log(1 + e^-1000) = 0 (to rounding), 1000 and 1000.
    assert value == pytest.approx(2000.0 / 3, rel=1e-15)
    # dℓ/dp per row: -e^-1000/(1+e^-1000) ~ 0, then -1 and +1; times x and averaged.
    np.testing.assert_allclose(grad, [(0.0 * 1e3 + -1.0 * -1e3 + 1.0 * 1e3) / 3], rtol=1e-15)
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("penalty", [{}, {"l2": 0.2}, {"l1": 0.1}, {"l1": 0.05, "l2": 0.1}], ids=str)
@pytest.mark.parametrize("loss", REGRESSION + CLASSIFICATION)
def test_check_gradient_passes_for_every_loss_and_penalty(loss, penalty):
    X, y = data(loss, n=300)
    coef = np.random.default_rng(3).standard_normal(X.shape[1]) * 0.5
    weights = np.random.default_rng(4).uniform(0.5, 2.0, len(y))
    report = steepest.check_gradient(X, y, coef, 0.1, loss=loss, epsilon=EPSILON, sample_weight=weights, **penalty)
    assert report.passed, report


@pytest.mark.parametrize("loss", REGRESSION + CLASSIFICATION)
def test_check_gradient_fails_when_the_gradient_ignores_the_weights(loss):
    X, y = data(loss, n=300)
    coef = np.random.default_rng(3).standard_normal(X.shape[1]) * 0.5
    weights = np.random.default_rng(4).uniform(0.5, 2.0, len(y))

    def unweighted(w, b):
        _, grad, grad_b = steepest.loss_and_gradient(X, y, w, b, loss=loss, epsilon=EPSILON)
        return grad, grad_b

    report = steepest.check_gradient(X, y, coef, 0.1, loss=loss, epsilon=EPSILON, sample_weight=weights,
                                     gradient=unweighted)
    assert not report.passed


def test_integer_sample_weights_act_as_repeated_rows():
    X, y = data("huber", n=200)
    counts = np.random.default_rng(5).integers(0, 4, len(y))
    coef = np.random.default_rng(6).standard_normal(X.shape[1])
    weighted = steepest.loss_and_gradient(X, y, coef, 0.3, loss="huber", sample_weight=counts.astype(float))
    repeated = steepest.loss_and_gradient(np.repeat(X, counts, axis=0), np.repeat(y, counts), coef, 0.3, loss="huber")
    # Means over n rows against means over sum(counts) rows.
    scale = len(y) / counts.sum()
    assert weighted[0] * scale == pytest.approx(repeated[0], rel=1e-12)
    np.testing.assert_allclose(weighted[1] * scale, repeated[1], rtol=1e-11)
    # A full-batch fit sees the same problem up to that scale of the objective.
    a = steepest.fit(X, y, loss="huber", sample_weight=counts * scale, batch_size="full", learning_rate=0.1,
                     max_epochs=50, tol=None)
    b = steepest.fit(np.repeat(X, counts, axis=0), np.repeat(y, counts), loss="huber", batch_size="full",
                     learning_rate=0.1, max_epochs=50, tol=None)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-9)


def test_zero_weights_remove_rows():
    X, y = data("squared_error", n=300)
    weights = np.ones(len(y))
    weights[::3] = 0.0
    y_spoiled = y.copy()
    y_spoiled[::3] = 1e6
    a = steepest.fit(X, y_spoiled, sample_weight=weights, method="newton")
    b = steepest.fit(X[weights > 0], y[weights > 0], method="newton")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-10)


def test_full_batch_logistic_regression_matches_scikit_learn():
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(7)
    X = rng.standard_normal((2_000, 8)) * np.linspace(0.5, 3, 8)
    y = (X @ rng.standard_normal(8) + 0.3 + rng.logistic(size=2_000) > 0).astype(float)
    C = 0.5
    oracle = linear_model.LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    # scikit-learn minimises |w|²/2 + C Σ log-loss; divided by C n, that is ours with l2 = 1/(2 C n).
    result = steepest.fit(X, y, loss="log_loss", l2=1 / (2 * C * len(y)), batch_size="full",
                          learning_rate="auto", tol=None, gtol=1e-10, max_epochs=20_000)
    assert result.stop_reason == "gtol"
    assert relative_error(result.coef, oracle.coef_.ravel()) <= 1e-4
    assert float(result.intercept) == pytest.approx(oracle.intercept_[0], rel=1e-4)
    assert result.score(X, y) == pytest.approx(oracle.score(X, y), abs=1e-3)
    assert set(np.unique(result.predict(X))) <= {0.0, 1.0}


@pytest.mark.parametrize("loss", CLASSIFICATION)
@pytest.mark.parametrize("batch_size", [1, 32, "full"])
def test_classification_losses_separate_separable_classes(loss, batch_size):
    rng = np.random.default_rng(8)
    X = rng.standard_normal((1_000, 5))
    y = np.where(X @ np.array([1.0, -2.0, 0.5, 0.0, 1.5]) + 0.5 > 0, 1.0, -1.0)
    learning_rate = 0.5 if batch_size == "full" else 0.05
    result = steepest.fit(X, y, loss=loss, batch_size=batch_size, learning_rate=learning_rate, max_epochs=50,
                          random_state=0)
    assert result.score(X, y) >= 0.97
    assert np.all(np.isfinite(result.loss_history))


@pytest.mark.parametrize("loss", ["huber", "epsilon_insensitive"])
def test_robust_losses_ignore_outliers_that_ruin_least_squares(loss):
    X, y, coef = make_regression(2_000, 4, noise=0.1, random_state=9)
    y_outliers = y.copy()
    y_outliers[::50] += 500.0
    robust = steepest.fit(X, y_outliers, loss=loss, epsilon=0.5, batch_size=32, learning_rate=0.01,
                          max_epochs=100, tol=None, random_state=0)
    least_squares = steepest.fit(X, y_outliers, method="newton")
    assert relative_error(robust.coef, coef) < 0.01
    assert relative_error(least_squares.coef, coef) > 0.3


def test_classification_labels_must_be_binary_and_auto_needs_a_smooth_loss():
    X, y = data("log_loss")
    with pytest.raises(ValueError, match="labels -1/\\+1 or 0/1"):
        steepest.fit(X, y * 3, loss="log_loss")
    with pytest.raises(ValueError, match="kink"):
        steepest.fit(X, y, loss="hinge", learning_rate="auto")
    with pytest.raises(ValueError, match="squared_error"):
        steepest.fit(X, y, loss="log_loss", method="newton")
    with pytest.raises(ValueError, match="sample_weight"):
        steepest.fit(X, y, loss="log_loss", sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        steepest.fit(X, y, loss="log_loss", sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        steepest.fit(X, y, loss="log_loss", sample_weight=np.ones(len(y) - 1))


# ---------------------------------------------------------------------------------------------
# Multinomial (softmax) and several regression outputs


def softmax_problem(n=600, d=5, k=4, seed=10):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.linspace(0.5, 2.0, d)
    logits = X @ rng.standard_normal((d, k)) + rng.standard_normal(k)
    y = np.array([rng.choice(k, p=np.exp(z - z.max()) / np.exp(z - z.max()).sum()) for z in logits], dtype=float)
    return X, y


def test_softmax_value_and_gradient_match_numpy():
    X, y = softmax_problem()
    rng = np.random.default_rng(11)
    W, b = rng.standard_normal((4, X.shape[1])), rng.standard_normal(4)
    s = rng.uniform(0.5, 2, len(y))
    value, G, g_b = steepest.loss_and_gradient(X, y, W, b, 0.1, l1=0.05, loss="multinomial", sample_weight=s)
    Z = X @ W.T + b
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    onehot = np.eye(4)[y.astype(int)]
    expected = np.mean(s * -np.log(P[np.arange(len(y)), y.astype(int)])) + 0.1 * np.sum(W**2) + 0.05 * np.abs(W).sum()
    assert value == pytest.approx(expected, rel=1e-12)
    residual = s[:, None] * (P - onehot)
    np.testing.assert_allclose(G, residual.T @ X / len(y) + 0.2 * W + 0.05 * np.sign(W), rtol=1e-10)
    np.testing.assert_allclose(g_b, residual.mean(axis=0), rtol=1e-10)


def test_check_gradient_covers_the_multinomial_loss():
    X, y = softmax_problem(n=200)
    W = np.random.default_rng(12).standard_normal((4, X.shape[1]))
    report = steepest.check_gradient(X, y, W, np.zeros(4), loss="multinomial", l2=0.1, l1=0.05)
    assert report.passed, report

    def forgot_the_weights(w, b):
        return steepest.loss_and_gradient(X, y, w, b, loss="multinomial")[1:]

    weighted = steepest.check_gradient(X, y, W, np.zeros(4), loss="multinomial",
                                       sample_weight=np.linspace(0.1, 3, len(y)), gradient=forgot_the_weights)
    assert not weighted.passed


def test_full_batch_softmax_matches_scikit_learns_multinomial_logistic_regression():
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = softmax_problem(n=2_000)
    C = 0.3
    oracle = linear_model.LogisticRegression(C=C, tol=1e-12, max_iter=100_000).fit(X, y)
    assert oracle.coef_.shape == (4, X.shape[1])  # multinomial (scikit-learn's default for lbfgs)
    result = steepest.fit(X, y, loss="multinomial", l2=1 / (2 * C * len(y)), batch_size="full",
                          learning_rate="auto", tol=None, gtol=1e-10, max_epochs=50_000)
    assert result.stop_reason == "gtol"
    assert relative_error(result.coef, oracle.coef_) <= 1e-4
    assert relative_error(result.intercept, oracle.intercept_) <= 1e-4
    np.testing.assert_array_equal(result.predict(X), oracle.predict(X))


@pytest.mark.parametrize("batch_size", [1, 32])
def test_softmax_sgd_learns_and_is_the_same_with_one_and_two_threads(batch_size):
    X, y = softmax_problem(n=3_000)
    kwargs = dict(loss="multinomial", batch_size=batch_size, learning_rate=0.05, max_epochs=10, tol=None, random_state=0)
    one = steepest.fit(X, y, n_threads=1, **kwargs)
    two = steepest.fit(X, y, n_threads=2, **kwargs)
    np.testing.assert_array_equal(one.coef, two.coef)
    assert one.loss_history[-1] < 0.6 * np.log(4)  # from log(4), the loss of zero weights
    assert one.score(X, y) > 0.6


@pytest.mark.parametrize("loss", ["squared_error", "huber"])
def test_several_outputs_are_the_single_output_fits_with_the_same_orders(loss):
    X, Y_first, _ = make_regression(1_000, 6, random_state=13)
    Y = np.column_stack([Y_first, -2 * Y_first + X[:, 0], X[:, 1] * 3])
    # epsilon: huber's quadratic zone as wide as the targets' spread, so 5 epochs fit well.
    kwargs = dict(loss=loss, epsilon=5.0, batch_size=16, learning_rate=0.01, max_epochs=5, tol=None, random_state=7)
    joint = steepest.fit(X, Y, **kwargs)
    assert joint.coef.shape == (3, 6) and joint.intercept.shape == (3,)
    seed = int(np.random.default_rng(7).integers(0, 2**63))
    for k in range(3):
        single = steepest.fit(X, Y[:, k], **{**kwargs, "random_state": seed})
        np.testing.assert_array_equal(joint.coef[k], single.coef)
    np.testing.assert_allclose(joint.predict(X), X @ joint.coef.T + joint.intercept, rtol=1e-12)
    assert joint.score(X, Y) > 0.9


def numpy_sgd_epochs(X, y, loss, lr, l2, weights, epochs):
    """Batch-1 SGD in row order, as the core defines it: each row's objective before its step."""
    w, b = np.zeros(X.shape[1]), 0.0
    s = np.ones(len(y)) if weights is None else weights
    history = []
    for _ in range(epochs):
        total = 0.0
        for i in range(len(y)):
            value, derivative = numpy_loss(loss, np.array([X[i] @ w + b]), np.array([y[i]]))
            total += s[i] * value[0] + l2 * (w @ w)
            step = lr * s[i] * derivative[0]
            w = (1 - 2 * lr * l2) * w - step * X[i]
            b -= step
        history.append(total / len(y))
    return w, b, np.array(history)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss", ["log_loss", "hinge", "huber"])
def test_sgd_epoch_objective_and_weights_match_a_numpy_replay(loss, weighted):
    # Log loss has its own SGD loop (the log1p of each row's loss is taken in batches, outside the
    # chain of steps); two other losses keep the replay honest about the shared conventions.
    X, y = data(loss, n=300)
    weights = np.random.default_rng(2).uniform(0, 2, len(y)) if weighted else None
    result = steepest.fit(X, y, loss=loss, epsilon=EPSILON, sample_weight=weights, batch_size=1, learning_rate=0.05, l2=0.01,
                          max_epochs=3, tol=None, shuffle="none")
    coef, intercept, history = numpy_sgd_epochs(X, y, loss, 0.05, 0.01, weights, 3)
    assert relative_error(result.coef, coef) < 1e-12
    assert abs(result.intercept - intercept) < 1e-12 * max(1.0, abs(intercept))
    np.testing.assert_allclose(result.loss_history, history, rtol=1e-12)

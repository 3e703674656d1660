"""Every bad input of tests/README.md's table gets the exception the table says, naming the problem.

The table and CASES must agree: test_the_table_lists_every_case fails when one changes alone.
"""

import re
from pathlib import Path

import numpy as np
import pytest

import steepest

README = Path(__file__).with_name("README.md")
RNG = np.random.default_rng(0)
X = RNG.standard_normal((40, 3))
Y = X @ np.array([1.0, -1.0, 0.5]) + 0.1 * RNG.standard_normal(40)
LABELS = (Y > 0).astype(float)


def fit(**kwargs):
    arguments = {"X": X, "y": Y, "max_epochs": 2, **kwargs}
    return lambda: steepest.fit(arguments.pop("X"), arguments.pop("y"), **arguments)


def with_nan(array, index):
    copy = np.array(array, dtype=float)
    copy[index] = np.nan
    return copy


def estimator(name, **params):
    def call():
        from steepest import sklearn as estimators

        target = LABELS if name == "SGDClassifier" else Y
        getattr(estimators, name)(**params).fit(X, target)

    return call


# (description, call, exception, words the message must contain)
CASES = [
    ("X is 1-D", fit(X=X[:, 0]), ValueError, "2-D"),
    ("X is 3-D", fit(X=X[None]), ValueError, "2-D"),
    ("y is 2-D with one column", fit(y=Y[:, None]), ValueError, "ravel"),
    ("y shorter than X", fit(y=Y[:-1]), ValueError, "39 values"),
    ("X has no rows", fit(X=X[:0], y=Y[:0]), ValueError, "no rows"),
    ("X has no features", fit(X=X[:, :0]), ValueError, "no features"),
    ("NaN in X", fit(X=with_nan(X, (3, 1))), ValueError, "[3, 1]"),
    ("infinity in X", fit(X=np.where(np.arange(120).reshape(40, 3) == 7, np.inf, X)), ValueError, "inf"),
    ("NaN in y", fit(y=with_nan(Y, 5)), ValueError, "[5]"),
    ("NaN in sample_weight", fit(sample_weight=with_nan(np.ones(40), 2)), ValueError, "sample_weight"),
    ("negative sample_weight", fit(sample_weight=-np.ones(40)), ValueError, "negative"),
    ("sample_weight all zero", fit(sample_weight=np.zeros(40)), ValueError, "zero everywhere"),
    ("sample_weight of the wrong length", fit(sample_weight=np.ones(39)), ValueError, "sample_weight"),
    ("X of strings", fit(X=X.astype(str)), TypeError, "not numeric"),
    ("X of objects", fit(X=np.array([[object()] * 3] * 40)), TypeError, "X"),
    ("complex X", fit(X=X.astype(complex)), TypeError, "complex"),
    ("ragged X list", fit(X=[[1.0, 2.0], [3.0]], y=[1.0, 2.0]), ValueError, "ragged"),
    ("float64 values that overflow float32 X", fit(X=X.astype(np.float32), y=Y * 1e300), ValueError, "overflows"),
    ("learning_rate 0", fit(learning_rate=0.0), ValueError, "learning_rate"),
    ("learning_rate negative", fit(learning_rate=-0.1), ValueError, "learning_rate"),
    ("learning_rate NaN", fit(learning_rate=float("nan")), ValueError, "learning_rate"),
    ("learning_rate an unknown string", fit(learning_rate="fast"), ValueError, "'auto'"),
    ("batch_size 0", fit(batch_size=0), ValueError, "batch_size"),
    ("batch_size a float", fit(batch_size=2.5), TypeError, "batch_size"),
    ("batch_size an unknown string", fit(batch_size="half"), ValueError, "'full'"),
    ("l2 negative", fit(l2=-1.0), ValueError, "l2"),
    ("l1 negative", fit(l1=-1.0), ValueError, "l1"),
    ("max_epochs 0", fit(max_epochs=0), ValueError, "max_epochs"),
    ("tol negative", fit(tol=-1e-3), ValueError, "tol"),
    ("n_iter_no_change 0", fit(n_iter_no_change=0), ValueError, "n_iter_no_change"),
    ("unknown loss", fit(loss="logistic"), ValueError, "'log_loss'"),
    ("unknown method", fit(method="lbfgs"), ValueError, "'newton'"),
    ("unknown shuffle mode", fit(shuffle="random"), ValueError, "'blocks'"),
    ("random_state a string", fit(random_state="seed"), TypeError, "random_state"),
    ("random_state negative", fit(random_state=-1), ValueError, "random_state"),
    ("n_threads 0", fit(n_threads=0), ValueError, "n_threads"),
    ("momentum 1", fit(method="momentum", momentum=1.0), ValueError, "momentum"),
    ("validation_fraction 1", fit(early_stopping=True, validation_fraction=1.0), ValueError, "validation_fraction"),
    ("classification labels 0/1/2 for log_loss", fit(y=np.arange(40) % 3, loss="log_loss"), ValueError, "labels"),
    ("learning_rate='auto' with a kinked loss", fit(y=LABELS, loss="hinge", learning_rate="auto"), ValueError, "kink"),
    ("Newton with mini-batches", fit(method="newton", batch_size=8), ValueError, "batch_size='full'"),
    ("Newton on a singular problem", fit(X=np.c_[X, X[:, 0]], method="newton"), ValueError, "l2 > 0"),
    ("divergent learning rate", fit(batch_size="full", learning_rate=100.0, max_epochs=50), FloatingPointError,
     "learning_rate=100.0"),
    ("loss_and_gradient: coef of the wrong length", lambda: steepest.loss_and_gradient(X, Y, np.zeros(2)), ValueError,
     "coef"),
    ("loss_and_gradient: row index out of range", lambda: steepest.loss_and_gradient(X, Y, np.zeros(3), rows=[0, 40]),
     ValueError, "[0, 40)"),
    ("check_gradient: zero coefficient under l1", lambda: steepest.check_gradient(X, Y, np.zeros(3), l1=0.1),
     ValueError, "coef[0]"),
    ("schedule: negative power_t", lambda: steepest.schedules.InverseScaling(0.1, power_t=-1), ValueError, "power_t"),
    ("SGDRegressor: unknown penalty", estimator("SGDRegressor", penalty="l3"), ValueError, "penalty"),
    ("SGDRegressor: l1_ratio 1.5", estimator("SGDRegressor", penalty="elasticnet", l1_ratio=1.5), ValueError, "l1_ratio"),
    ("SGDClassifier: a single class", lambda: steepest.SGDClassifier().fit(X, np.ones(40)), ValueError, "1 class"),
    ("SGDClassifier: continuous labels", lambda: steepest.SGDClassifier().fit(X, Y), ValueError, "Unknown label type"),
    ("SGDClassifier: multinomial with hinge", estimator("SGDClassifier", multi_class="multinomial"), ValueError,
     "log_loss"),
    ("load: not a model file", lambda: steepest.load(__file__), ValueError, "not a readable steepest model"),
]


@pytest.mark.parametrize("description, call, error, words", CASES, ids=[case[0] for case in CASES])
def test_bad_input_raises_a_clear_exception(description, call, error, words):
    if description.startswith(("SGD",)):
        pytest.importorskip("sklearn")
    with pytest.raises(error) as caught:
        call()
    assert words in str(caught.value), f"{description}: {caught.value}"


def test_the_table_lists_every_case():
    rows = {}
    for line in README.read_text().splitlines():
        match = re.match(r"\|\s*(.+?)\s*\|\s*`(\w+)`\s*\|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    expected = {description: error.__name__ for description, _, error, _ in CASES}
    assert rows == expected
    assert len(CASES) >= 40

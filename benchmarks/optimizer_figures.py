"""The figures quoted for issue 4 (optimiser) and issue 5 (logistic vs scikit-learn), from the test suite's problems.

    python3 benchmarks/optimizer_figures.py      # needs scikit-learn; a few seconds
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the tests' problems and oracles
import steepest
from conftest import least_squares, relative_error
from test_optimizer import scaled_problem, ill_conditioned_problem, hessian, objective, sparse_problem, epochs_to_reach
X, y = scaled_problem()
coef, b = least_squares(X, y)
r = steepest.fit(X, y, batch_size="full", learning_rate="auto", tol=None, gtol=1e-12, max_epochs=500)
print("auto scaled: epochs", r.n_epochs, "rel err", relative_error(r.coef, coef), "cond", np.linalg.cond(hessian(X)))
X, y = ill_conditioned_problem()
H = hessian(X, fit_intercept=False); ev = np.linalg.eigvalsh(H); L, mu = ev.max(), ev.min()
c = np.linalg.lstsq(X, y, rcond=None)[0]; best, start = objective(X, y, c, 0.0), objective(X, y, np.zeros(X.shape[1]), 0.0)
target = best + 1e-6 * (start - best)
print("GD", [epochs_to_reach(X, y, target, learning_rate=k * 2 / (L + mu), max_epochs=5000) for k in (0.8, 0.9, 1.0)])
for m in ("momentum", "nesterov"):
    print(m, epochs_to_reach(X, y, target, method=m, learning_rate=1 / L, max_epochs=5000))
target4 = best + 1e-4 * (start - best)
for m, lr in (("adagrad", 0.5), ("rmsprop", 0.01), ("adam", 0.05)):
    print(m, epochs_to_reach(X, y, target4, method=m, learning_rate=lr, max_epochs=20000))
from sklearn import linear_model
X, y, truth = sparse_problem()
for ratio in (1.0, 0.5):
    o = (linear_model.Lasso(alpha=0.05, tol=1e-12, max_iter=100000) if ratio == 1 else linear_model.ElasticNet(alpha=0.05, l1_ratio=0.5, tol=1e-12, max_iter=100000)).fit(X, y)
    r = steepest.fit(X, y, batch_size="full", tol=None, gtol=1e-9, max_epochs=20000, l1=2*0.05*ratio, l2=0.05*(1-ratio), learning_rate="auto")
    print("l1_ratio", ratio, "rel err vs sklearn", relative_error(r.coef, o.coef_), "epochs", r.n_epochs, "zeros", int(np.sum(r.coef == 0)), "of", int(np.sum(truth == 0)))
from test_losses import softmax_problem
rng = np.random.default_rng(7)
X = rng.standard_normal((2_000, 8)) * np.linspace(0.5, 3, 8)
y = (X @ rng.standard_normal(8) + 0.3 + rng.logistic(size=2_000) > 0).astype(float)
o = linear_model.LogisticRegression(C=0.5, tol=1e-12, max_iter=10_000).fit(X, y)
r = steepest.fit(X, y, loss="log_loss", l2=1 / (2 * 0.5 * len(y)), batch_size="full", learning_rate="auto", tol=None,
                 gtol=1e-10, max_epochs=20_000)
print("binary logistic vs LogisticRegression: rel err", relative_error(r.coef, o.coef_.ravel()))
X, y = softmax_problem(n=2000)
o = linear_model.LogisticRegression(C=0.3, tol=1e-12, max_iter=100_000).fit(X, y)
r = steepest.fit(X, y, loss="multinomial", l2=1 / (2 * 0.3 * len(y)), batch_size="full", learning_rate="auto",
                 tol=None, gtol=1e-10, max_epochs=50_000)
print("multinomial vs LogisticRegression: rel err", relative_error(r.coef, o.coef_))

"""A short run through every code path of the core, for the sanitizer build in .ci/run (not a pytest module)."""

import numpy as np, steepest
from steepest.datasets import make_regression
X, y, _ = make_regression(5000, 12, random_state=0)
for kwargs in (dict(batch_size=1), dict(batch_size=32, n_threads=2), dict(batch_size="full", learning_rate="auto"),
               dict(method="newton"), dict(batch_size=64, method="adam", shuffle="blocks"),
               dict(loss="huber", batch_size=16, sample_weight=np.ones(5000)), dict(early_stopping=True, batch_size=8),
               dict(l1=0.01, batch_size="full", line_search=True, learning_rate=1.0)):
    r = steepest.fit(X, y, max_epochs=5, random_state=0, **kwargs)
    assert np.all(np.isfinite(r.coef)), kwargs
labels = (y > 0).astype(int)
for loss in ("log_loss", "hinge", "modified_huber"):
    steepest.fit(X, labels, loss=loss, batch_size=32, max_epochs=3)
classes = np.digitize(y, [-1, 1])
steepest.fit(X, classes, loss="multinomial", batch_size=32, max_epochs=3)
steepest.loss_and_gradient(X, y, np.zeros(12), rows=np.arange(100))
steepest.check_gradient(X[:100], y[:100], np.ones(12))
for bad in (dict(learning_rate=-1), dict(batch_size=0)):
    try:
        steepest.fit(X, y, **bad)
    except ValueError:
        pass
print("sanitizer smoke run: ok")

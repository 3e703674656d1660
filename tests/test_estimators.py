"""steepest.SGDRegressor and steepest.SGDClassifier (issue 5): scikit-learn's own estimator checks,
and scikit-learn's estimators of the same names as the oracle on its bundled data sets."""

import pickle

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn import datasets, linear_model  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import steepest  # noqa: E402

try:
    from sklearn.utils._test_common.instance_generator import PER_ESTIMATOR_XFAIL_CHECKS
except ImportError:  # pragma: no cover - older scikit-learn
    PER_ESTIMATOR_XFAIL_CHECKS = {}


def sklearns_own_expected_failures(estimator):
    """The checks scikit-learn itself marks as expected to fail for its SGD estimator of the same
    name, with its reasons: the only ones we may fail."""
    own = getattr(linear_model, type(estimator).__name__)
    return dict(PER_ESTIMATOR_XFAIL_CHECKS.get(own, {}))


# scikit-learn's own SGD estimators run into max_iter in some checks (check_class_weight_classifiers
# runs 1000 epochs on noisy blobs with class weights 1000 and 0.0001) and warn, exactly as ours do;
# its test suite does not make warnings errors, ours does.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    [steepest.SGDRegressor(), steepest.SGDClassifier()], expected_failed_checks=sklearns_own_expected_failures
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)

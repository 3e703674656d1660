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
    [steepest.SGDRegressor(), steepest.SGDClassifier(), steepest.SGDClassifier(loss="log_loss", multi_class="multinomial")],
    expected_failed_checks=sklearns_own_expected_failures,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def standardised(name):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    from sklearn.model_selection import train_test_split

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.mark.parametrize("name", ["diabetes", "breast_cancer", "iris", "wine", "digits"])
def test_scores_match_scikit_learn_on_its_bundled_data_sets(name):
    X_train, X_test, y_train, y_test = standardised(name)
    ours_class = steepest.SGDRegressor if name == "diabetes" else steepest.SGDClassifier
    theirs_class = getattr(linear_model, ours_class.__name__)
    seeds = range(5)  # one seed is noisy: compare means
    ours = np.mean([ours_class(random_state=s).fit(X_train, y_train).score(X_test, y_test) for s in seeds])
    theirs = np.mean([theirs_class(random_state=s).fit(X_train, y_train).score(X_test, y_test) for s in seeds])
    # Same parameters (batch_size=1, every default): as good as scikit-learn within 1 point, or better.
    assert ours >= theirs - 0.01, (ours, theirs)


@pytest.fixture(scope="module")
def million_rows():
    rng = np.random.default_rng(0)
    n, d = 1_000_000, 20
    X = rng.standard_normal((n, d))
    X_test = rng.standard_normal((100_000, d))
    coef = rng.standard_normal(d)
    labels = lambda A: (A @ coef + 0.5 + 2 * rng.logistic(size=len(A)) > 0).astype(int)  # noqa: E731
    targets = lambda A: A @ coef + 0.5 + rng.standard_normal(len(A))  # noqa: E731
    return X, X_test, (labels(X), labels(X_test)), (targets(X), targets(X_test))


@pytest.mark.parametrize("batch_size", [1, 256])
@pytest.mark.parametrize("kind", ["hinge", "log_loss", "regression"])
def test_a_million_rows_score_as_scikit_learn_at_batch_1_and_256(million_rows, kind, batch_size):
    X, X_test, (y, y_test), (t, t_test) = million_rows
    params = dict(random_state=0, max_iter=5, tol=None)
    if kind == "regression":
        theirs = linear_model.SGDRegressor(**params).fit(X, t).score(X_test, t_test)
        ours = steepest.SGDRegressor(batch_size=batch_size, **params).fit(X, t).score(X_test, t_test)
    else:
        theirs = linear_model.SGDClassifier(loss=kind, **params).fit(X, y).score(X_test, y_test)
        ours = steepest.SGDClassifier(loss=kind, batch_size=batch_size, **params).fit(X, y).score(X_test, y_test)
    # batch_size=256 keeps the default schedules: they count updates, not rows, so with 256 times
    # fewer updates per epoch their rates decay 256 times more slowly per row seen.
    assert abs(ours - theirs) <= 0.01, (ours, theirs)


def test_estimators_pickle_and_unpickle_exactly():
    X_train, X_test, y_train, _ = standardised("wine")
    for estimator in (steepest.SGDClassifier(loss="log_loss", random_state=0), steepest.SGDRegressor(random_state=0)):
        target = y_train if isinstance(estimator, steepest.SGDClassifier) else X_train[:, 0] * 2 + 1
        fitted = estimator.fit(X_train, target)
        copy = pickle.loads(pickle.dumps(fitted))
        np.testing.assert_array_equal(copy.coef_, fitted.coef_)
        np.testing.assert_array_equal(copy.predict(X_test), fitted.predict(X_test))
        assert copy.get_params() == fitted.get_params()


@pytest.mark.parametrize("estimator_class", [steepest.SGDRegressor, steepest.SGDClassifier])
def test_partial_fit_continues_the_schedule_like_fit(estimator_class):
    X_train, _, y_train, _ = standardised("breast_cancer")
    params = dict(shuffle=False, random_state=0, learning_rate="invscaling", eta0=0.05)
    fitted = estimator_class(max_iter=4, tol=None, **params).fit(X_train, y_train)
    partial = estimator_class(**params)
    for _ in range(4):
        kwargs = {"classes": np.unique(y_train)} if estimator_class is steepest.SGDClassifier else {}
        partial.partial_fit(X_train, y_train, **kwargs)
    # Without shuffling both see the same rows in the same order with the same rates.
    np.testing.assert_array_equal(partial.coef_, fitted.coef_)
    np.testing.assert_array_equal(partial.intercept_, fitted.intercept_)
    assert partial.t_ == fitted.t_ == 4 * len(y_train) + 1
    assert partial.n_iter_ == 4 and len(partial.loss_curve_) == 4


def test_classifier_takes_labels_of_any_kind_and_gives_them_back():
    X_train, X_test, y_train, _ = standardised("iris")
    names = np.array(["setosa", "versicolor", "virginica"])
    clf = steepest.SGDClassifier(loss="log_loss", random_state=0).fit(X_train, names[y_train])
    assert list(clf.classes_) == list(names)
    assert set(clf.predict(X_test)) <= set(names)
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X_test))
    assert not hasattr(steepest.SGDClassifier(loss="hinge").fit(X_train, y_train), "predict_proba")


def test_binary_log_loss_probabilities_are_the_logistic_of_the_decision():
    X_train, X_test, y_train, _ = standardised("breast_cancer")
    clf = steepest.SGDClassifier(loss="log_loss", random_state=0).fit(X_train, y_train)
    decision = clf.decision_function(X_test)
    np.testing.assert_allclose(clf.predict_proba(X_test)[:, 1], 1 / (1 + np.exp(-decision)), rtol=1e-12)


def test_dataframes_keep_feature_names():
    pd = pytest.importorskip("pandas")
    X_train, _, y_train, _ = standardised("diabetes")
    frame = pd.DataFrame(X_train, columns=[f"f{j}" for j in range(X_train.shape[1])])
    reg = steepest.SGDRegressor(random_state=0).fit(frame, pd.Series(y_train))
    assert list(reg.feature_names_in_) == list(frame.columns)
    np.testing.assert_allclose(reg.predict(frame), X_train @ reg.coef_ + reg.intercept_, rtol=1e-12)
    with pytest.warns(UserWarning, match="feature names"):
        reg.predict(X_train)  # scikit-learn's warning: fitted with names, called without


def test_a_failed_fit_keeps_the_previous_model():
    X_train, X_test, y_train, _ = standardised("diabetes")
    reg = steepest.SGDRegressor(random_state=0).fit(X_train, y_train)
    before = reg.coef_.copy(), reg.predict(X_test)
    with pytest.raises(ValueError, match="overflow"):
        reg.set_params(eta0=1e30, learning_rate="constant").fit(X_train * 1e150, y_train)
    np.testing.assert_array_equal(reg.coef_, before[0])
    np.testing.assert_array_equal(reg.predict(X_test), before[1])


def test_class_weight_balanced_weighs_rows_by_inverse_class_frequency():
    X_train, _, y_train, _ = standardised("breast_cancer")
    counts = np.bincount(y_train)
    weights = len(y_train) / (2 * counts[y_train])
    params = dict(random_state=0, shuffle=False, max_iter=3, tol=None)
    balanced = steepest.SGDClassifier(class_weight="balanced", **params).fit(X_train, y_train)
    explicit = steepest.SGDClassifier(**params).fit(X_train, y_train, sample_weight=weights)
    np.testing.assert_allclose(balanced.coef_, explicit.coef_, rtol=1e-12)


def test_multinomial_probabilities_are_the_softmax_of_the_decision():
    X_train, X_test, y_train, _ = standardised("wine")
    clf = steepest.SGDClassifier(loss="log_loss", multi_class="multinomial", random_state=0).fit(X_train, y_train)
    scores = clf.decision_function(X_test)
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    np.testing.assert_allclose(clf.predict_proba(X_test), expected / expected.sum(axis=1, keepdims=True), rtol=1e-12)
    assert clf.score(X_train, y_train) > 0.95


def test_a_failed_fit_from_coef_init_keeps_the_previous_model():
    X_train, _, y_train, _ = standardised("diabetes")
    reg = steepest.SGDRegressor(random_state=0).fit(X_train, y_train)
    before = reg.coef_.copy(), reg.intercept_.copy()
    with pytest.raises(ValueError, match="overflow"):
        reg.set_params(eta0=1e30, learning_rate="constant").fit(
            X_train * 1e150, y_train, coef_init=np.ones(X_train.shape[1]), intercept_init=3.0
        )
    np.testing.assert_array_equal(reg.coef_, before[0])
    np.testing.assert_array_equal(reg.intercept_, before[1])
    started = steepest.SGDRegressor(random_state=0, max_iter=1, tol=None, eta0=1e-12, learning_rate="constant")
    started.fit(X_train, y_train, coef_init=np.ones(X_train.shape[1]), intercept_init=3.0)
    np.testing.assert_allclose(started.coef_, 1.0, rtol=1e-6)  # a tiny step from the given start
    assert started.intercept_[0] == pytest.approx(3.0, rel=1e-6)


@pytest.mark.parametrize(
    "data, multi_class", [("breast_cancer", "ovr"), ("iris", "ovr"), ("iris", "multinomial")]
)
def test_classifier_starts_from_coef_init_and_intercept_init(data, multi_class):
    X_train, _, y_train, _ = standardised(data)
    n_classes, n_features = len(np.unique(y_train)), X_train.shape[1]
    rows = 1 if n_classes == 2 else n_classes
    rng = np.random.default_rng(4)
    coef_init = rng.normal(size=(rows, n_features)) if rows > 1 else rng.normal(size=n_features)
    intercept_init = rng.normal(size=rows)
    given = coef_init.copy(), intercept_init.copy()
    params = dict(loss="log_loss", multi_class=multi_class, random_state=2, max_iter=3, tol=None)
    started = steepest.SGDClassifier(**params).fit(X_train, y_train, coef_init=coef_init, intercept_init=intercept_init)
    # The user's arrays are not touched, and the fit is the one a warm start from them gives.
    np.testing.assert_array_equal(coef_init, given[0])
    np.testing.assert_array_equal(intercept_init, given[1])
    warm = steepest.SGDClassifier(warm_start=True, **params)
    warm.coef_, warm.intercept_ = given[0].reshape(rows, n_features).copy(), given[1].copy()
    warm.fit(X_train, y_train)
    np.testing.assert_array_equal(started.coef_, warm.coef_)
    np.testing.assert_array_equal(started.intercept_, warm.intercept_)
    cold = steepest.SGDClassifier(**params).fit(X_train, y_train)
    assert not np.array_equal(started.coef_, cold.coef_)
    # A tiny step leaves the weights where they started.
    tiny = steepest.SGDClassifier(**{**params, "max_iter": 1}, eta0=1e-12, learning_rate="constant")
    tiny.fit(X_train, y_train, coef_init=coef_init, intercept_init=intercept_init)
    np.testing.assert_allclose(tiny.coef_, given[0].reshape(rows, n_features), rtol=1e-6)
    np.testing.assert_allclose(tiny.intercept_, given[1], rtol=1e-6)


def test_classifier_rejects_starting_weights_of_the_wrong_shape():
    X_train, _, y_train, _ = standardised("iris")
    clf = steepest.SGDClassifier(random_state=0)
    with pytest.raises(ValueError, match=r"coef_init must have shape \(3, 4\)"):
        clf.fit(X_train, y_train, coef_init=np.zeros(4))
    with pytest.raises(ValueError, match="intercept_init must have 3 value"):
        clf.fit(X_train, y_train, intercept_init=np.zeros(2))
    binary = y_train != 0
    with pytest.raises(ValueError, match=r"coef_init must have shape \(4,\)"):
        clf.fit(X_train[binary], y_train[binary], coef_init=np.zeros(5))
    assert not hasattr(clf, "coef_")

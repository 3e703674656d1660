"""Robustness (issue 6): Ctrl-C, threads and the GIL, memory."""

import _thread
import gc
import threading
import time

import numpy as np
import pytest

import steepest
from steepest.datasets import make_regression


def big_problem(rows=5_000_000, features=20):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, features), dtype=np.float32)
    y = (X[:, :5].sum(axis=1) + 0.5).astype(np.float32)
    return X, y


@pytest.fixture(scope="module")
def five_million_rows():
    return big_problem()


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(batch_size=1),
        dict(batch_size=1, shuffle="blocks", n_threads=2),  # a second thread reads the rows ahead
        dict(batch_size=256),
        dict(batch_size=256, shuffle="blocks", n_threads=2),
        dict(batch_size="full"),
        dict(batch_size=32, method="adam", learning_rate=1e-3),
    ],
    ids=["sgd", "sgd-blocks-2-threads", "minibatch", "minibatch-2-threads", "full", "adam"],
)
def test_ctrl_c_stops_a_long_epoch_within_half_a_second(five_million_rows, kwargs):
    X, y = five_million_rows
    delays = []

    def interrupt_later():
        time.sleep(0.3)
        delays.append(time.perf_counter())
        _thread.interrupt_main()  # what Ctrl-C does: Python's SIGINT handler raises KeyboardInterrupt

    timer = threading.Thread(target=interrupt_later)
    timer.start()
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        steepest.fit(X, y, max_epochs=1_000, tol=None, **{"learning_rate": 1e-4, **kwargs})
        time.sleep(5)  # not reached: the fit must not finish first (1,000 epochs of 5,000,000 rows)
    stopped = time.perf_counter()
    timer.join()
    print(f"KeyboardInterrupt {1e3 * (stopped - delays[0]):.1f} ms after Ctrl-C")
    assert stopped - delays[0] < 0.5, f"KeyboardInterrupt arrived {stopped - delays[0]:.3f} s after Ctrl-C"
    assert delays[0] - start >= 0.29
    # The process stays usable and no OpenMP thread keeps running: a new fit works at once.
    small_X, small_y, _ = make_regression(1_000, 5)
    assert steepest.fit(small_X, small_y, batch_size="full", learning_rate=0.3).converged


def test_an_interrupted_estimator_keeps_its_previous_model(five_million_rows):
    pytest.importorskip("sklearn")
    X, y = five_million_rows
    reg = steepest.SGDRegressor(random_state=0, max_iter=2, tol=None).fit(X[:1000], y[:1000])
    coef = reg.coef_.copy()
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        reg.set_params(max_iter=1000, tol=None).fit(X, y)
        time.sleep(5)
    timer.join()
    np.testing.assert_array_equal(reg.coef_, coef)


def test_two_fits_in_two_threads_run_at_once_and_give_their_own_results():
    X1, y1, _ = make_regression(400_000, 50, random_state=1)
    X2, y2, _ = make_regression(400_000, 50, random_state=2)
    kwargs = dict(batch_size=64, learning_rate=0.01, max_epochs=3, tol=None, random_state=0, n_threads=1)
    alone = [steepest.fit(X1, y1, **kwargs), steepest.fit(X2, y2, **kwargs)]
    spans, results = {}, {}

    def work(name, X, y):
        start = time.perf_counter()
        results[name] = steepest.fit(X, y, **kwargs)
        spans[name] = (start, time.perf_counter())

    threads = [threading.Thread(target=work, args=("a", X1, y1)), threading.Thread(target=work, args=("b", X2, y2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    np.testing.assert_array_equal(results["a"].coef, alone[0].coef)
    np.testing.assert_array_equal(results["b"].coef, alone[1].coef)
    # The GIL is released in the core: the two fits overlap in time for most of their length.
    overlap = min(spans["a"][1], spans["b"][1]) - max(spans["a"][0], spans["b"][0])
    shorter = min(spans["a"][1] - spans["a"][0], spans["b"][1] - spans["b"][0])
    assert overlap > 0.5 * shorter, (spans, overlap)


def test_threadpoolctl_sees_and_limits_steepests_openmp_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not steepest.kernel_info()["openmp"]:
        pytest.skip("a serial build has no OpenMP threads")
    X, y, _ = make_regression(2_000, 5)
    steepest.fit(X, y, batch_size="full", max_epochs=1)  # loads and starts the OpenMP runtime
    infos = [info for info in threadpoolctl.threadpool_info() if info["user_api"] == "openmp"]
    assert infos, threadpoolctl.threadpool_info()
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        import steepest._core as core

        seen = []

        # The core reads omp_get_max_threads() when n_threads is None: the limit must reach it.
        steepest.fit(X, y, batch_size="full", max_epochs=1, callback=lambda info: seen.append(1) and False)
        assert core.max_threads() == 1
    assert core.max_threads() >= 1


def test_a_thousand_small_fits_do_not_grow_memory():
    import resource

    X, y, _ = make_regression(200, 5)

    def rss_kb():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() // 1024

    for _ in range(50):  # warm-up: allocator pools, caches
        steepest.fit(X, y, batch_size=16, max_epochs=3, tol=None, random_state=0)
    gc.collect()
    before = rss_kb()
    for _ in range(1_000):
        steepest.fit(X, y, batch_size=16, max_epochs=3, tol=None, random_state=0)
    gc.collect()
    grown_mb = (rss_kb() - before) / 1024
    assert grown_mb < 5, f"resident memory grew by {grown_mb:.1f} MB over 1,000 fits"


def unusual_layouts(tmp_path):
    X, y, _ = make_regression(300, 4, random_state=5)
    memmap = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=np.float64, shape=X.shape)
    memmap[:] = X
    memmap.flush()
    read_only = X.copy()
    read_only.setflags(write=False)
    wide = np.zeros((300, 8))
    wide[:, ::2] = X
    return X, y, {
        "memmap": np.load(tmp_path / "X.npy", mmap_mode="r"),
        "read-only": read_only,
        "strided view": wide[:, ::2],
        "reversed rows": X[::-1][::-1],
        "fortran": np.asfortranarray(X),
        "list": X.tolist(),
    }


def test_valid_but_unusual_inputs_fit_like_a_plain_array(tmp_path):
    X, y, variants = unusual_layouts(tmp_path)
    kwargs = dict(batch_size=16, learning_rate=0.01, max_epochs=3, tol=None, random_state=0)
    expected = steepest.fit(X, y, **kwargs)
    for name, variant in variants.items():
        before = np.array(variant, copy=True)
        result = steepest.fit(variant, y, **kwargs)
        np.testing.assert_array_equal(result.coef, expected.coef, err_msg=name)
        np.testing.assert_array_equal(np.asarray(variant), before, err_msg=f"{name} was modified")


def test_pandas_objects_single_rows_single_features_and_oversized_batches():
    pd = pytest.importorskip("pandas")
    X, y, _ = make_regression(200, 3, random_state=6)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    from_frame = steepest.fit(frame, pd.Series(y), batch_size="full", learning_rate=0.3, max_epochs=5, tol=None)
    from_array = steepest.fit(X, y, batch_size="full", learning_rate=0.3, max_epochs=5, tol=None)
    np.testing.assert_array_equal(from_frame.coef, from_array.coef)
    one_row = steepest.fit(X[:1], y[:1], batch_size=1, learning_rate=0.01, max_epochs=3)
    assert np.all(np.isfinite(one_row.coef)) and one_row.params["batch_size"] == "full"
    one_feature = steepest.fit(X[:, :1], y, batch_size="full", learning_rate=0.3, tol=1e-10)
    assert one_feature.coef.shape == (1,) and one_feature.converged
    oversized = steepest.fit(X, y, batch_size=10_000, learning_rate=0.3, max_epochs=5, tol=None)
    assert oversized.params["batch_size"] == "full"  # clamped: a batch larger than n is all rows
    np.testing.assert_array_equal(oversized.coef, from_array.coef)

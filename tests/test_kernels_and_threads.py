"""Every compiled kernel gives the reference's answer; thread counts never change a bit."""

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import relative_error

import steepest
from steepest import _core, reference
from steepest.datasets import make_regression


@pytest.fixture
def kernel(request):
    """Runs the test with one kernel set, then restores the default choice."""
    default = _core.kernel_isa()
    _core.select_kernels(request.param)
    yield request.param
    _core.select_kernels(default)


@pytest.mark.parametrize("kernel", _core.supported_kernels(), indirect=True)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch_size", [1, 32, 256, "full"])
def test_every_supported_kernel_follows_the_reference(kernel, dtype, batch_size):
    X, y, _ = make_regression(3_000, 37, dtype=dtype, random_state=21)
    kwargs = dict(batch_size=batch_size, learning_rate=0.01, max_epochs=3, tol=None, random_state=4, l2=0.01)
    assert _core.kernel_isa() == kernel
    core, numpy = steepest.fit(X, y, **kwargs), reference.fit(X, y, **kwargs)
    assert relative_error(core.coef, numpy.coef) <= (1e-4 if dtype == np.float32 else 1e-10)
    np.testing.assert_allclose(core.loss_history, numpy.loss_history, rtol=1e-4 if dtype == np.float32 else 1e-10)
    grad = steepest.loss_and_gradient(X, y, core.coef, core.intercept, 0.01)[1]
    ref_grad = reference.loss_and_gradient(X.astype(np.float64), y.astype(np.float64), core.coef.astype(np.float64), float(core.intercept), 0.01)[1]
    assert relative_error(grad, ref_grad) <= (1e-4 if dtype == np.float32 else 1e-12)


def test_kernel_info_names_the_kernel_in_use():
    info = steepest.kernel_info()
    assert info["isa"] == _core.kernel_isa() == info["supported"][0]
    assert "generic" in info["supported"]
    with pytest.raises(ValueError, match="cannot run here"):
        _core.select_kernels("sse1")


@pytest.mark.parametrize("shuffle", ["rows", "blocks", "none"])
@pytest.mark.parametrize("batch_size", [1, 32, 256, 4096, "full"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_and_two_threads_give_identical_bits(shuffle, batch_size, dtype):
    # Batch 1 over shuffled rows: with two threads, the second draws each next epoch's order.
    # 100 features: batches of 32 rows and more are split between threads.
    X, y, _ = make_regression(20_000, 100, dtype=dtype, random_state=22)
    kwargs = dict(batch_size=batch_size, learning_rate=0.005, max_epochs=2, tol=None, shuffle=shuffle, random_state=3)
    one = steepest.fit(X, y, n_threads=1, **kwargs)
    two = steepest.fit(X, y, n_threads=2, **kwargs)
    three = steepest.fit(X, y, n_threads=3, **kwargs)
    # Four threads (two per core here): each combines a whole subtree of the blocks' sums.
    four = steepest.fit(X, y, n_threads=4, **kwargs)
    for other in (two, three, four):
        assert np.array_equal(one.coef, other.coef)
        assert one.intercept == other.intercept
        assert np.array_equal(one.loss_history, other.loss_history)


@pytest.mark.parametrize("average", [False, True])
def test_sgd_with_early_stopping_is_bit_identical_with_one_and_two_threads(average):
    # The epoch orders run through the training rows; with two threads the next one is drawn and
    # mapped while the current epoch runs. average=True takes the stepper's path.
    X, y, _ = make_regression(6_000, 12, random_state=23)
    kwargs = dict(batch_size=1, learning_rate=0.002, max_epochs=4, tol=None, early_stopping=True,
                  validation_fraction=0.2, random_state=8, average=average)
    one = steepest.fit(X, y, n_threads=1, **kwargs)
    two = steepest.fit(X, y, n_threads=2, **kwargs)
    assert len(one.loss_history) == 4
    assert np.array_equal(one.coef, two.coef)
    assert one.intercept == two.intercept
    assert np.array_equal(one.loss_history, two.loss_history)
    assert np.array_equal(one.validation_loss_history, two.validation_loss_history)


def test_omp_num_threads_does_not_change_the_result():
    script = (
        "import numpy as np, steepest;"
        "from steepest.datasets import make_regression;"
        "X, y, _ = make_regression(20_000, 64, random_state=1);"
        "r = steepest.fit(X, y, batch_size=256, max_epochs=2, tol=None, random_state=0);"
        "print(r.coef.tobytes().hex(), float(r.intercept).hex())"
    )
    outputs = set()
    for threads in ("1", "2", "4"):
        env = {**os.environ, "OMP_NUM_THREADS": threads}
        run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_callback_sees_every_epoch_and_can_stop_the_fit():
    X, y, _ = make_regression(2_000, 5, random_state=23)
    seen = []

    def record(info):
        assert not info.coef.flags.writeable
        seen.append((info.epoch, info.loss, info.coef.copy(), info.intercept, info.learning_rate))

    result = steepest.fit(X, y, batch_size=16, learning_rate=0.02, max_epochs=4, tol=None, random_state=0, callback=record)
    assert [epoch for epoch, *_ in seen] == [1, 2, 3, 4]
    assert [loss for _, loss, *_ in seen] == result.loss_history.tolist()
    assert np.array_equal(seen[-1][2], result.coef) and seen[-1][3] == result.intercept
    assert all(rate == 0.02 for *_, rate in seen)
    assert not np.array_equal(seen[0][2], seen[1][2])

    stopped = steepest.fit(X, y, batch_size="full", learning_rate=0.1, max_epochs=50, callback=lambda info: info.epoch == 3)
    assert stopped.stop_reason == "callback" and stopped.n_epochs == 3 and not stopped.converged


def test_an_exception_in_the_callback_reaches_the_caller():
    X, y, _ = make_regression(500, 3, random_state=24)

    def fail(info):
        raise RuntimeError(f"stop at {info.epoch}")

    with pytest.raises(RuntimeError, match="stop at 1"):
        steepest.fit(X, y, batch_size=8, callback=fail)

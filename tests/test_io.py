"""Saving and loading models (issue 6): exact round trips, and no file can run code or crash a load."""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import steepest
from steepest.datasets import make_regression


@pytest.fixture
def fitted():
    X, y, _ = make_regression(500, 4, random_state=0)
    return X, y, steepest.fit(X, y, batch_size=16, learning_rate=0.01, max_epochs=5, random_state=3, l2=0.01)


def assert_same_result(a, b):
    for name in ("coef", "loss_history", "learning_rate_history", "validation_loss_history"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.dtype == right.dtype and left.shape == right.shape
        np.testing.assert_array_equal(left, right)
    np.testing.assert_array_equal(np.asarray(a.intercept), np.asarray(b.intercept))
    assert np.asarray(a.intercept).dtype == np.asarray(b.intercept).dtype
    assert a.stop_reason == b.stop_reason and a.n_updates == b.n_updates


def test_fit_results_round_trip_bit_for_bit(tmp_path, fitted):
    X, _, result = fitted
    result.save(tmp_path / "model.npz")
    loaded = steepest.load(tmp_path / "model.npz")
    assert_same_result(loaded, result)
    np.testing.assert_array_equal(loaded.predict(X), result.predict(X))
    assert loaded.params["batch_size"] == 16 and loaded.params["l2"] == 0.01


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(loss="log_loss", y_kind="labels"),
        dict(loss="multinomial", y_kind="classes"),
        dict(dtype=np.float32),
        dict(learning_rate=steepest.schedules.InverseScaling(0.05), early_stopping=True),
    ],
    ids=["logistic", "multinomial", "float32", "schedule-early-stopping"],
)
def test_every_kind_of_result_round_trips(tmp_path, kwargs):
    kwargs = dict(kwargs)
    y_kind, dtype = kwargs.pop("y_kind", None), kwargs.pop("dtype", np.float64)
    X, y, _ = make_regression(300, 3, random_state=1, dtype=dtype)
    if y_kind == "labels":
        y = (y > 0).astype(int)
    elif y_kind == "classes":
        y = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    result = steepest.fit(X, y, batch_size=8, max_epochs=3, random_state=0, **{"learning_rate": 0.01, **kwargs})
    result.save(tmp_path / "m.npz")
    loaded = steepest.load(tmp_path / "m.npz")
    assert_same_result(loaded, result)
    np.testing.assert_array_equal(loaded.predict(X), result.predict(X))


def test_estimators_round_trip(tmp_path):
    pytest.importorskip("sklearn")
    pd = pytest.importorskip("pandas")
    X, y, _ = make_regression(300, 3, random_state=2)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    names = np.array(["low", "mid", "high"])[np.digitize(y, np.quantile(y, [0.33, 0.66]))]
    for estimator, target in (
        (steepest.SGDRegressor(random_state=0), y),
        (steepest.SGDClassifier(loss="log_loss", random_state=0, class_weight={"low": 2.0}), names),
        (steepest.SGDClassifier(loss="log_loss", multi_class="multinomial", random_state=0), names),
    ):
        fitted = estimator.fit(frame, target)
        fitted.save(tmp_path / "e.npz")
        loaded = steepest.load(tmp_path / "e.npz")
        assert type(loaded) is type(fitted) and loaded.get_params() == fitted.get_params()
        np.testing.assert_array_equal(loaded.coef_, fitted.coef_)
        np.testing.assert_array_equal(loaded.predict(frame), fitted.predict(frame))
        assert list(loaded.feature_names_in_) == ["a", "b", "c"]
        assert loaded.t_ == fitted.t_ and loaded.n_iter_ == fitted.n_iter_


def rewrite(path, *, header=None, arrays=None, drop=()):
    """A copy of a saved model with its header and arrays replaced: a hostile file."""
    with np.load(path, allow_pickle=False) as archive:
        contents = {key: archive[key] for key in archive.keys() if key not in drop}
    if header is not None:
        text = header if isinstance(header, bytes) else json.dumps(header).encode()
        contents["header"] = np.frombuffer(text, dtype=np.uint8)
    contents.update(arrays or {})
    np.savez(path, **contents)


def save_npy(path, array):
    with open(path, "wb") as file:
        np.save(file, array)


def header_of(path):
    with np.load(path, allow_pickle=False) as archive:
        return json.loads(archive["header"].tobytes())


HOSTILE = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "random bytes": lambda p: p.write_bytes(np.random.default_rng(0).bytes(4096)),
    "empty": lambda p: p.write_bytes(b""),
    "not JSON header": lambda p: rewrite(p, header=b"\xff\xfe{not json"),
    "foreign format": lambda p: rewrite(p, header={"format": "someone-else", "version": 1}),
    "newer version": lambda p: rewrite(p, header={**header_of(p), "version": 99}),
    "NaN coefficients": lambda p: rewrite(p, arrays={"coef": np.full(4, np.nan)}),
    "intercept not matching": lambda p: rewrite(p, arrays={"intercept": np.zeros(3, dtype=np.float32)}),
    "missing history": lambda p: rewrite(p, drop=("loss_history",)),
    "unknown kind": lambda p: rewrite(p, header={**header_of(p), "kind": "os.system"}),
    "huge header": lambda p: rewrite(p, header=b" " * (2 << 20)),
    "pickled object array": lambda p: np.savez(p, header=np.array([{"format": "steepest-model"}], dtype=object)),
    "bad stop reason": lambda p: rewrite(p, header={**header_of(p), "stop_reason": "rm -rf"}),
    "object in header": lambda p: rewrite(p, header={**header_of(p), "params": {"__reduce__": "x"}, "n_updates": {"a": 1}}),
    "a .npy, not an archive": lambda p: save_npy(p, np.zeros(3)),
}


@pytest.mark.parametrize("damage", list(HOSTILE), ids=list(HOSTILE))
def test_corrupted_or_hostile_files_are_rejected_clearly(tmp_path, fitted, damage):
    _, _, result = fitted
    path = tmp_path / "model.npz"
    result.save(path)
    HOSTILE[damage](path)
    with pytest.raises(steepest.ModelFileError) as caught:
        steepest.load(path)
    assert isinstance(caught.value, ValueError)
    assert "model" in str(caught.value) or "header" in str(caught.value) or "'" in str(caught.value)


def test_a_pickle_cannot_run_code_through_load(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "model.npz"
    with zipfile.ZipFile(path, "w") as archive:
        buffer = io.BytesIO()
        np.save(buffer, np.array([Exploit()], dtype=object), allow_pickle=True)
        archive.writestr("header.npy", buffer.getvalue())
    with pytest.raises(steepest.ModelFileError):
        steepest.load(path)
    assert not marker.exists()
    plain_pickle = tmp_path / "model.pkl"
    plain_pickle.write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(steepest.ModelFileError):
        steepest.load(plain_pickle)
    assert not marker.exists()


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        steepest.load(tmp_path / "nothing.npz")
    assert not os.path.exists(tmp_path / "nothing.npz")

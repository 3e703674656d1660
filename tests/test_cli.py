"""The `steepest` command line: `bench` and `fit FILE`, in-process and as `python -m steepest`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import steepest
from steepest.cli import main
from steepest.datasets import make_regression

N_ROWS, N_FEATURES = 400, 4
SEED = 12  # true coefficients with sum of squares ~7.7, so noise 0.1 leaves R² > 0.99
INTERCEPT = 0.5  # make_regression's default

# Accurate settings for `fit`, so the printed model can be checked against the true one.
ACCURATE = ["--batch-size", "full", "--learning-rate", "0.2", "--tol", "1e-10"]

LINE = re.compile(r"^  (?P<name>\S(?:.*\S)?)\s+(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$")


@pytest.fixture(scope="module")
def problem():
    return make_regression(N_ROWS, N_FEATURES, random_state=SEED)


@pytest.fixture
def csv_file(tmp_path, problem):
    """Header a,b,target,c,d: the target in the middle, not last."""
    X, y, _ = problem
    table = np.column_stack([X[:, :2], y, X[:, 2:]])
    path = tmp_path / "data.csv"
    np.savetxt(path, table, delimiter=",", header="a,b,target,c,d", comments="")
    return path


@pytest.fixture
def npy_file(tmp_path, problem):
    X, y, _ = problem
    path = tmp_path / "data.npy"
    np.save(path, np.column_stack([X, y]))
    return path


def parse_fit_output(text):
    """(R², {name: value} in printed order, target name) from `steepest fit`'s output."""
    r2 = re.search(r"^target: (?P<target>.+); training R²: (?P<r2>[-\d.e+]+)$", text, re.MULTILINE)
    assert r2 is not None, text
    values = {}
    for line in text.splitlines():
        match = LINE.match(line)
        if match:
            values[match["name"]] = float(match["value"])
    return float(r2["r2"]), values, r2["target"]


def least_squares(X, y):
    design = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    return solution[:-1], solution[-1]


def check_fit_output(text, names, target, problem, *, accurate):
    X, y, true_coef = problem
    r2, values, printed_target = parse_fit_output(text)
    assert printed_target == target
    assert list(values) == [*names, "intercept"]
    coef = np.array([values[name] for name in names])
    assert r2 > 0.99
    np.testing.assert_allclose(coef, true_coef, atol=0.05)
    assert values["intercept"] == pytest.approx(INTERCEPT, abs=0.05)
    if accurate:  # converged full batch: the least-squares solution, to the printed 6 digits
        ls_coef, ls_intercept = least_squares(X, y)
        np.testing.assert_allclose(coef, ls_coef, rtol=1e-4, atol=1e-5)
        assert values["intercept"] == pytest.approx(ls_intercept, rel=1e-4, abs=1e-5)
        residual = y - X @ ls_coef - ls_intercept
        assert r2 == pytest.approx(1 - residual @ residual / np.sum((y - y.mean()) ** 2), abs=2e-6)
    assert "FitResult(" in text


def run_module(*args, cwd):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "steepest", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=120, check=False,
    )


# ---------------------------------------------------------------------------------------------
# bench
# ---------------------------------------------------------------------------------------------


def parse_table(text):
    lines = [line for line in text.splitlines() if line.startswith("|")]
    assert len(lines) >= 2, text
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert re.fullmatch(r"(\|\s*-*:?\s*)+\|", lines[1].replace(" ", "")), lines[1]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert all(len(row) == len(header) for row in rows), text
    return header, rows


@pytest.mark.parametrize(
    "batch_sizes, dtype", [("1,32,full", "float64"), ("16,full", "float32")], ids=["float64", "float32"]
)
def test_bench_prints_markdown_table(capsys, batch_sizes, dtype):
    code = main(["bench", "--rows", "2000", "--features", "5", "--epochs", "2", "--repeats", "1",
                 "--batch-sizes", batch_sizes, "--dtype", dtype])
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert f"2000 x 5 {dtype}" in out
    header, rows = parse_table(out)
    assert header[0] == "batch size"
    speedup = header.index("speed-up")
    assert [row[0] for row in rows] == batch_sizes.split(",")
    for row in rows:
        assert re.fullmatch(r"\d+(\.\d+)?x", row[speedup]), row
        core_ms, numpy_ms = float(row[1]), float(row[2])
        assert core_ms >= 0 and numpy_ms > 0
        # the speed-up cell is NumPy time / steepest time; both timings are printed rounded to
        # 0.01 ms and the ratio to 0.1, so check it against the interval that rounding allows
        low = (numpy_ms - 0.005) / (core_ms + 0.005) - 0.05
        high = (numpy_ms + 0.005) / (core_ms - 0.005) + 0.05 if core_ms > 0.005 else np.inf
        assert low <= float(row[speedup][:-1]) <= high, row
        core_loss, numpy_loss = float(row[-2]), float(row[-1])
        assert np.isfinite(core_loss)
        assert core_loss == pytest.approx(numpy_loss, rel=1e-3 if dtype == "float32" else 1e-5)


def test_bench_subprocess(tmp_path):
    proc = run_module("bench", "--rows", "1000", "--features", "3", "--epochs", "1", "--repeats", "1",
                      "--batch-sizes", "8,full", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    header, rows = parse_table(proc.stdout)
    assert "speed-up" in header
    assert [row[0] for row in rows] == ["8", "full"]


# ---------------------------------------------------------------------------------------------
# fit FILE
# ---------------------------------------------------------------------------------------------


def test_fit_csv_with_header_and_named_target(capsys, csv_file, problem):
    code = main(["fit", str(csv_file), "--target", "target", *ACCURATE])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    check_fit_output(out, ["a", "b", "c", "d"], "target", problem, accurate=True)


def test_fit_csv_target_by_index(capsys, csv_file, problem):
    code = main(["fit", str(csv_file), "--target", "2", *ACCURATE])
    out, err = capsys.readouterr()
    assert code == 0, err
    check_fit_output(out, ["a", "b", "c", "d"], "target", problem, accurate=True)


def test_fit_csv_default_hyperparameters(capsys, csv_file, problem):
    """Defaults (mini-batch 32, learning_rate 0.01) also recover the model."""
    code = main(["fit", str(csv_file), "--target", "target"])
    out, err = capsys.readouterr()
    assert code == 0, err
    check_fit_output(out, ["a", "b", "c", "d"], "target", problem, accurate=False)


def test_fit_csv_without_header(capsys, tmp_path, problem):
    X, y, _ = problem
    path = tmp_path / "plain.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",")
    code = main(["fit", str(path), *ACCURATE])
    out, err = capsys.readouterr()
    assert code == 0, err
    names = [f"column {i}" for i in range(N_FEATURES)]
    check_fit_output(out, names, f"column {N_FEATURES}", problem, accurate=True)


def test_fit_npy_target_last_by_default(capsys, npy_file, problem):
    code = main(["fit", str(npy_file), *ACCURATE])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    names = [f"column {i}" for i in range(N_FEATURES)]
    check_fit_output(out, names, f"column {N_FEATURES}", problem, accurate=True)


def test_fit_npy_subprocess(npy_file, problem, tmp_path):
    proc = run_module("fit", npy_file, *ACCURATE, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = [f"column {i}" for i in range(N_FEATURES)]
    check_fit_output(proc.stdout, names, f"column {N_FEATURES}", problem, accurate=True)


def test_fit_does_not_modify_file(capsys, csv_file):
    before = csv_file.read_bytes()
    assert main(["fit", str(csv_file), "--target", "target", "--max-epochs", "3"]) == 0
    capsys.readouterr()
    assert csv_file.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# errors: exit code 2 and a message on stderr
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["nope", "Target", "9", "-6"])
def test_fit_bad_target(capsys, csv_file, target):
    code = main(["fit", str(csv_file), "--target", target])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("steepest fit: error:")
    assert "--target" in err and target in err
    assert "Traceback" not in err


def test_fit_bad_target_lists_column_names(capsys, csv_file):
    assert main(["fit", str(csv_file), "--target", "nope"]) == 2
    err = capsys.readouterr().err
    for name in ["a", "b", "target", "c", "d"]:
        assert re.search(rf"\b{name}\b", err), err


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_fit_missing_file(capsys, tmp_path, suffix):
    missing = tmp_path / f"missing{suffix}"
    code = main(["fit", str(missing)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("steepest fit: error:")
    assert str(missing) in err
    assert "Traceback" not in err


def test_fit_errors_subprocess(csv_file, tmp_path):
    proc = run_module("fit", csv_file, "--target", "nope", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "nope" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_module("fit", tmp_path / "missing.csv", cwd=tmp_path)
    assert proc.returncode == 2
    assert "missing.csv" in proc.stderr and "Traceback" not in proc.stderr


def test_fit_file_with_nan_is_reported(capsys, tmp_path, problem):
    X, y, _ = problem
    table = np.column_stack([X, y])
    table[7, 1] = np.nan
    path = tmp_path / "nan.npy"
    np.save(path, table)
    assert main(["fit", str(path)]) == 2
    err = capsys.readouterr().err
    assert "nan" in err and "[7, 1]" in err


def test_fit_diverging_learning_rate_is_reported(capsys, npy_file):
    code = main(["fit", str(npy_file), "--batch-size", "full", "--learning-rate", "10"])
    out, err = capsys.readouterr()
    assert code == 2, out
    assert "learning_rate" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["bench", "--rows", "many"])
    assert info.value.code == 2
    assert "--rows" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"steepest {steepest.__version__}"

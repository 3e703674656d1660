"""Checks that a consumer's printed coefficients equal steepest.fit's on the same data and settings.

    python3 cpp/examples/compare.py [--exact] OUTPUT_FILE [OUTPUT_FILE ...]

Each file holds a consumer's stdout: a stop_reason line, then the coefficients and the intercept.
Exits 1 unless all agree within 1e-12 relative; with --exact (run it with STEEPEST_KERNEL=generic,
the kernel built with the same baseline flags as the consumers), unless they agree bit for bit.
"""

import sys

import numpy as np

import steepest


def python_fit() -> np.ndarray:
    n, d = 200, 3
    k = np.arange(n * d, dtype=np.float64).reshape(n, d)
    X = np.sin(0.1 * k + np.arange(d))
    y = 1.5 * X[:, 0] - 2.0 * X[:, 1] + 0.5 * X[:, 2] + 0.25 + 0.1 * np.sin(7.0 * np.arange(n))
    result = steepest.fit(X, y, batch_size=16, learning_rate=0.05, max_epochs=20, tol=None, shuffle=False, n_threads=1)
    return np.append(result.coef, result.intercept)


def main(arguments: list[str]) -> int:
    exact = "--exact" in arguments
    paths = [a for a in arguments if a != "--exact"]
    expected = python_fit()
    print(f"Python kernel: {steepest.kernel_info()['isa']}")
    failed = False
    for path in paths:
        lines = open(path).read().split()
        values = np.array([float(v) for v in lines[2:]])
        if values.shape != expected.shape:
            print(f"{path}: expected {expected.size} numbers, got {values.size}")
            failed = True
            continue
        error = float(np.max(np.abs(values - expected)) / np.max(np.abs(expected)))
        same = np.array_equal(values, expected)
        print(f"{path}: max relative difference {error:.3g} from Python's ({'bit for bit' if same else 'not bit for bit'})")
        failed |= not (same if exact else error <= 1e-12)
    print("python:", " ".join(f"{v:.17g}" for v in expected))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

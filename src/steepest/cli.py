"""The `steepest` command: `steepest bench` and `steepest fit FILE`."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

from . import _core, reference
from ._fit import fit
from ._result import FitResult
from .datasets import make_regression


def _batch_size(text: str) -> Any:
    return "full" if text == "full" else int(text)


def _time_per_epoch(fit_function: Callable[..., FitResult], repeats: int, **kwargs: Any) -> tuple[float, FitResult]:
    """Median over `repeats` fits of (fit time / epochs), and the last fit's result."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fit_function(**kwargs)
        seconds.append((time.perf_counter() - start) / result.n_epochs)
    return statistics.median(seconds), result


def _blas_description() -> str:
    try:
        from threadpoolctl import threadpool_info  # type: ignore[import-untyped]
    except ImportError:
        return "unknown (install threadpoolctl to report it)"
    blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, {i.get('num_threads')} threads)"
            for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(blas) or "none found"


def bench(args: argparse.Namespace) -> int:
    dtype = np.dtype(args.dtype)
    X, y, _ = make_regression(args.rows, args.features, dtype=dtype, random_state=args.seed)
    print(f"steepest {_core.__version__} bench: {args.rows} x {args.features} {dtype}, "
          f"{args.epochs} epochs per fit, learning_rate {args.learning_rate}, OpenMP {_core.has_openmp}, "
          f"NumPy BLAS: {_blas_description()}")
    common = dict(X=X, y=y, max_epochs=args.epochs, tol=None, learning_rate=args.learning_rate,
                  random_state=args.seed, n_threads=args.threads)
    # All core runs first: OpenBLAS threads left spinning by NumPy would slow the core's OpenMP.
    core = {b: _time_per_epoch(fit, args.repeats, batch_size=b, **common) for b in args.batch_sizes}
    numpy = {b: _time_per_epoch(reference.fit, 1, batch_size=b, **common) for b in args.batch_sizes}
    print()
    print("| batch size | steepest ms/epoch | NumPy ms/epoch | speed-up | steepest final loss | NumPy final loss |")
    print("|---:|---:|---:|---:|---:|---:|")
    for b in args.batch_sizes:
        (t_core, r_core), (t_numpy, r_numpy) = core[b], numpy[b]
        print(f"| {b} | {t_core * 1e3:.2f} | {t_numpy * 1e3:.2f} | {t_numpy / t_core:.1f}x "
              f"| {r_core.loss:.6g} | {r_numpy.loss:.6g} |")
    print(f"\nsteepest: median of {args.repeats} fits; NumPy (steepest.reference): one fit. "
          "Same data, hyperparameters and permutations.")
    return 0


def _load_table(path: Path, target: Optional[str]) -> tuple[np.ndarray, np.ndarray, list[str], str]:
    """Features, target, feature names and target name from a .npy or .csv file."""
    if path.suffix == ".npy":
        data = np.load(path, allow_pickle=False)
        if data.ndim != 2 or data.shape[1] < 2:
            raise ValueError(f"{path} must hold a 2-D array with at least two columns, got shape {data.shape}")
        names = [f"column {i}" for i in range(data.shape[1])]
    else:
        with path.open() as handle:
            first = handle.readline().strip().split(",")
        try:
            [float(field) for field in first]
            has_header = False
        except ValueError:
            has_header = True
        names = [name.strip() for name in first] if has_header else [f"column {i}" for i in range(len(first))]
        data = np.loadtxt(path, delimiter=",", skiprows=int(has_header), ndmin=2)
    column = data.shape[1] - 1
    if target is not None:
        if target in names:
            column = names.index(target)
        else:
            try:
                column = int(target)
            except ValueError:
                raise ValueError(f"--target {target!r} is neither a column name ({', '.join(names)}) nor an index") from None
            if not -data.shape[1] <= column < data.shape[1]:
                raise ValueError(f"--target {column} is outside the {data.shape[1]} columns")
            column %= data.shape[1]
    features = [i for i in range(data.shape[1]) if i != column]
    return data[:, features], data[:, column], [names[i] for i in features], names[column]


def fit_file(args: argparse.Namespace) -> int:
    X, y, names, target = _load_table(Path(args.file), args.target)
    result = fit(X, y, batch_size=args.batch_size, learning_rate=args.learning_rate, max_epochs=args.max_epochs,
                 l2=args.l2, tol=args.tol, random_state=args.random_state)
    print(result)
    print(f"target: {target}; training R²: {result.score(X, y):.6f}")
    width = max(len(name) for name in names + ["intercept"])
    for name, value in zip(names, result.coef):
        print(f"  {name:<{width}}  {value: .6g}")
    print(f"  {'intercept':<{width}}  {float(result.intercept): .6g}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="steepest", description="Linear models trained by gradient descent.")
    parser.add_argument("--version", action="version", version=f"steepest {_core.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    b = commands.add_parser("bench", help="time the C++ core against the NumPy reference on generated data")
    b.add_argument("--rows", type=int, default=200_000)
    b.add_argument("--features", type=int, default=50)
    b.add_argument("--epochs", type=int, default=3)
    b.add_argument("--batch-sizes", type=lambda s: [_batch_size(x) for x in s.split(",")], default=[1, 32, 256, "full"],
                   help="comma-separated, e.g. 1,32,256,full")
    b.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    b.add_argument("--learning-rate", type=float, default=0.01)
    b.add_argument("--threads", type=int, default=None, help="OpenMP threads (default: OpenMP's choice)")
    b.add_argument("--repeats", type=int, default=3, help="fits timed with the core (median reported)")
    b.add_argument("--seed", type=int, default=0)
    b.set_defaults(run=bench)

    f = commands.add_parser("fit", help="fit a CSV or .npy file and print the model")
    f.add_argument("file", help="a .csv (header optional) or .npy file of numbers")
    f.add_argument("--target", default=None, help="target column: a header name or an index (default: the last)")
    f.add_argument("--batch-size", type=_batch_size, default=32)
    f.add_argument("--learning-rate", type=float, default=0.01)
    f.add_argument("--max-epochs", type=int, default=1000)
    f.add_argument("--l2", type=float, default=0.0)
    f.add_argument("--tol", type=float, default=1e-4)
    f.add_argument("--random-state", type=int, default=0)
    f.set_defaults(run=fit_file)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (ValueError, TypeError, FloatingPointError, OSError) as err:
        print(f"steepest {args.command}: error: {err}", file=sys.stderr)
        return 2

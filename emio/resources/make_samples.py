"""Write EM Studio's bundled sample data into ``emio/resources/samples/``.

Run ``python emio/resources/make_samples.py``. Every random sample comes from its
own fixed seed and is written with fixed formatting, so running the script
again rewrites each file byte for byte; a test checks that. The two coin
tables are small textbook examples typed in by hand.

Only NumPy is used, and only elementwise arithmetic on its draws: a matrix
product could round differently from one BLAS library to another.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def _csv(columns: list[str], rows: np.ndarray, number_format: str) -> bytes:
    """A comma-separated table with a header and ``\\n`` line ends on every platform."""
    lines = [",".join(columns)]
    # A missing value (NaN) is an empty cell, as spreadsheets write it.
    lines += [
        ",".join("" if value != value else format(value, number_format) for value in row)
        for row in rows
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def _gaussian_2d(
    rng: np.random.Generator, n: int, mean: tuple[float, float], sd: tuple[float, float], rho: float
) -> np.ndarray:
    """``n`` draws from a 2-D Gaussian, through its Cholesky factor written out by hand."""
    z = rng.standard_normal((n, 2))
    x = mean[0] + sd[0] * z[:, 0]
    y = mean[1] + sd[1] * (rho * z[:, 0] + np.sqrt(1.0 - rho * rho) * z[:, 1])
    return np.column_stack([x, y])


def _mixture_2d(
    seed: int, clusters: list[tuple[int, tuple[float, float], tuple[float, float], float]]
) -> np.ndarray:
    """Rows of several 2-D Gaussian clusters (size, mean, sds, correlation), shuffled."""
    rng = np.random.default_rng(seed)
    points = np.concatenate([_gaussian_2d(rng, *cluster) for cluster in clusters])
    return points[rng.permutation(points.shape[0])]


def blobs_2d() -> bytes:
    """Three round, well-separated clusters of 200 points each."""
    points = _mixture_2d(
        101,
        [
            (200, (-4.0, -2.0), (1.0, 1.0), 0.0),
            (200, (3.0, -3.0), (0.8, 0.8), 0.0),
            (200, (0.0, 4.0), (1.2, 1.2), 0.0),
        ],
    )
    return _csv(["x", "y"], points, ".3f")


def elongated_2d() -> bytes:
    """Three long, thin, parallel clusters that k-means cuts across."""
    # Each cluster lies along the direction (1, 1) and is thin across it; the
    # centres sit 2.4 units apart across that direction.
    clusters = []
    for offset, size in ((-2.4, 220), (0.0, 200), (2.4, 180)):
        centre = (offset * -np.sqrt(0.5), offset * np.sqrt(0.5))
        clusters.append((size, centre, (2.2, 2.2), 0.96))
    return _csv(["x", "y"], _mixture_2d(102, clusters), ".3f")


def heights_1d() -> bytes:
    """Heights in cm of 100 men, N(176, 7.0), and 100 women, N(163, 6.5), mixed up."""
    rng = np.random.default_rng(103)
    men = 176.0 + 7.0 * rng.standard_normal(100)
    women = 163.0 + 6.5 * rng.standard_normal(100)
    heights = np.concatenate([men, women])
    heights = heights[rng.permutation(heights.size)]
    return _csv(["height_cm"], heights[:, None], ".1f")


def heights_weights_gaps() -> bytes:
    """Heights (cm) and weights (kg) of 40 women and 40 men, with 12 values missing."""
    rows = _mixture_2d(
        107,
        [
            (40, (163.0, 60.0), (6.5, 7.0), 0.6),
            (40, (177.0, 78.0), (7.0, 9.0), 0.6),
        ],
    )
    rng = np.random.default_rng(108)
    # Twelve rows lose one value each, six heights and six weights: never a whole row.
    gappy = rng.permutation(rows.shape[0])[:12]
    rows[gappy[:6], 0] = np.nan
    rows[gappy[6:], 1] = np.nan
    return _csv(["height_cm", "weight_kg"], rows, ".1f")


def two_coins() -> bytes:
    """Heads in five rounds of five tosses, each round with one of two coins."""
    return _csv(["heads"], np.array([[3], [2], [1], [3], [2]]), "d")


def three_coins() -> bytes:
    """Ten tosses in the three-coin model: a hidden coin picks which of two coins is tossed."""
    return _csv(["toss"], np.array([1, 1, 0, 1, 0, 0, 1, 0, 1, 1])[:, None], "d")


def binary_features() -> bytes:
    """400 yes/no answers to six questions, from three groups of respondents."""
    rng = np.random.default_rng(104)
    probs = np.array(
        [
            [0.90, 0.85, 0.80, 0.10, 0.15, 0.10],
            [0.10, 0.20, 0.15, 0.90, 0.85, 0.80],
            [0.80, 0.10, 0.85, 0.15, 0.90, 0.20],
        ]
    )
    groups = rng.choice(3, size=400, p=[0.5, 0.3, 0.2])
    answers = (rng.random((400, 6)) < probs[groups]).astype(np.int64)
    return _csv([f"q{j + 1}" for j in range(6)], answers, "d")


def counts() -> bytes:
    """Daily e-mails and phone calls of 500 people from three kinds of job."""
    rng = np.random.default_rng(105)
    rates = np.array([[2.0, 10.0], [8.0, 3.0], [15.0, 15.0]])
    groups = rng.choice(3, size=500, p=[0.5, 0.3, 0.2])
    return _csv(["emails", "calls"], rng.poisson(rates[groups]), "d")


def large_2d() -> bytes:
    """100 000 points from five clusters of different sizes and shapes, as .npy."""
    points = _mixture_2d(
        106,
        [
            (30_000, (0.0, 0.0), (1.0, 0.6), 0.3),
            (25_000, (5.0, 1.0), (0.7, 1.3), -0.5),
            (20_000, (-4.0, 4.0), (1.2, 0.8), 0.0),
            (15_000, (2.0, 6.0), (0.5, 0.5), 0.2),
            (10_000, (-3.0, -4.0), (1.5, 0.4), 0.8),
        ],
    )
    buffer = io.BytesIO()
    # Format version 1.0 pinned, so a newer NumPy cannot change the header.
    np.lib.format.write_array(buffer, points, version=(1, 0), allow_pickle=False)
    return buffer.getvalue()


#: Each file and the function that makes its bytes.
SAMPLES: dict[str, Callable[[], bytes]] = {
    "blobs_2d.csv": blobs_2d,
    "elongated_2d.csv": elongated_2d,
    "heights_1d.csv": heights_1d,
    "heights_weights_gaps.csv": heights_weights_gaps,
    "two_coins.csv": two_coins,
    "three_coins.csv": three_coins,
    "binary_features.csv": binary_features,
    "counts.csv": counts,
    "large_2d.npy": large_2d,
}


def write_samples(out_dir: str | Path) -> list[Path]:
    """Write every sample file into ``out_dir`` (created if needed) and return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in SAMPLES.items():
        path = out_dir / name
        path.write_bytes(make())
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else SAMPLES_DIR
    for path in write_samples(out_dir):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Noisy linear imputation (Rong et al., 2022), the fill of ROAD: NumPy and SciPy only, so
that worker processes start without TensorFlow.

Each removed pixel becomes the weighted mean of its eight neighbours (1/6 for the four direct
ones, 1/12 for the diagonals), solved jointly as one sparse linear system, plus Gaussian noise.
"""

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

# (row offset, column offset, weight) of the eight neighbours, as in the paper.
NEIGHBOURS = (
    (-1, 0, 1 / 6),
    (1, 0, 1 / 6),
    (0, -1, 1 / 6),
    (0, 1, 1 / 6),
    (-1, -1, 1 / 12),
    (-1, 1, 1 / 12),
    (1, -1, 1 / 12),
    (1, 1, 1 / 12),
)
NOISE = 0.01  # standard deviation on the [0, 1] pixel scale, the paper's default


def noisy_linear_imputation(
    image: np.ndarray, removed: np.ndarray, rng: np.random.Generator, noise: float = NOISE
) -> np.ndarray:
    """`image` (h, w, c) in [0, 1] with the `removed` (h, w) pixels imputed from their
    neighbours plus N(0, noise) noise; every other pixel is returned unchanged."""
    height, width = removed.shape
    unknown = np.flatnonzero(removed)
    if len(unknown) == 0:
        return image.copy()
    if len(unknown) == removed.size:
        raise ValueError("cannot impute an image with every pixel removed")
    variable = np.full(removed.size, -1)
    variable[unknown] = np.arange(len(unknown))
    rows, columns = np.divmod(unknown, width)
    flat = image.reshape(-1, image.shape[-1]).astype(np.float64)
    diagonal = np.zeros(len(unknown))
    right_side = np.zeros((len(unknown), flat.shape[1]))
    entries_i, entries_j, entries_w = [], [], []
    for row_offset, column_offset, weight in NEIGHBOURS:
        r, c = rows + row_offset, columns + column_offset
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        source = np.flatnonzero(inside)
        neighbour = r[inside] * width + c[inside]
        diagonal[source] += weight
        is_unknown = variable[neighbour] >= 0
        entries_i.append(source[is_unknown])
        entries_j.append(variable[neighbour[is_unknown]])
        entries_w.append(np.full(int(is_unknown.sum()), -weight))
        np.add.at(right_side, source[~is_unknown], weight * flat[neighbour[~is_unknown]])
    matrix = sparse.csc_matrix(
        (
            np.concatenate([diagonal, *entries_w]),
            (
                np.concatenate([np.arange(len(unknown)), *entries_i]),
                np.concatenate([np.arange(len(unknown)), *entries_j]),
            ),
        ),
        shape=(len(unknown), len(unknown)),
    )
    solved = spsolve(matrix, right_side).reshape(len(unknown), -1)
    imputed = flat.copy()
    imputed[unknown] = solved + noise * rng.standard_normal(solved.shape)
    return imputed.reshape(image.shape)


def impute_one(args: tuple) -> np.ndarray:
    """Worker entry point: (image, removed, seed key, noise) -> imputed image."""
    image, removed, key, noise = args
    return noisy_linear_imputation(image, removed, np.random.default_rng(key), noise)


def impute_batch(
    images: np.ndarray,
    removed: np.ndarray,
    key: tuple[int, ...],
    noise: float = NOISE,
    workers: int | None = None,
) -> np.ndarray:
    """Impute every image's removed pixels; image k's noise is seeded by (*key, k), so the
    result does not depend on `workers` (default: one process per core)."""
    jobs = [(x, m, (*key, k), noise) for k, (x, m) in enumerate(zip(images, removed, strict=True))]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < 64:
        return np.stack([impute_one(job) for job in jobs])
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        return np.stack(list(pool.map(impute_one, jobs, chunksize=32)))

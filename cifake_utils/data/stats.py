"""Descriptive statistics of CIFAKE: counts, pixel statistics and spectra per class."""

import numpy as np
import pandas as pd
from scipy import stats

from ..constants import CIFAR10_CLASSES, LABELS
from .loading import CifakeData, CifakeSplit

_CHUNK = 4096  # images per FFT batch: bounds memory at ~70 MB of complex128


def count_table(data: CifakeData) -> pd.DataFrame:
    """Images per split, label and CIFAR-10 class, with totals."""
    rows = []
    for split_name in ("train", "test"):
        split = data.split(split_name)
        for label_index, label in enumerate(LABELS):
            classes = split.cifar_classes[split.labels == label_index]
            counts = np.bincount(classes, minlength=len(CIFAR10_CLASSES))
            per_class = dict(zip(CIFAR10_CLASSES, counts.tolist(), strict=True))
            rows.append({"split": split_name, "label": label, **per_class})
    table = pd.DataFrame(rows).set_index(["split", "label"])
    table["total"] = table.sum(axis=1)
    return table


def by_label(split: CifakeSplit) -> dict[str, np.ndarray]:
    """The split's images grouped by label name."""
    return {label: split.images[split.labels == index] for index, label in enumerate(LABELS)}


def mean_image(images: np.ndarray) -> np.ndarray:
    """Per-pixel mean as float32 in [0, 255]."""
    return images.mean(axis=0, dtype=np.float64).astype(np.float32)


def channel_histograms(images: np.ndarray) -> np.ndarray:
    """(256, 3) share of pixels with each value, per RGB channel; each column sums to 1."""
    flat = images.reshape(-1, images.shape[-1])
    counts = np.stack([np.bincount(flat[:, c], minlength=256) for c in range(flat.shape[1])], 1)
    return counts / counts.sum(axis=0, keepdims=True)


def mean_log_power_spectrum(images: np.ndarray) -> np.ndarray:
    """Mean of log10 |FFT|^2 of the grey-level images, zero frequency centred.

    Each image's mean is removed first, so the zero-frequency entry carries no power; it is
    returned as NaN rather than as the log of a rounding error.
    """
    weights = np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma, as PIL's "L" mode
    total = np.zeros(images.shape[1:3])
    for start in range(0, len(images), _CHUNK):
        grey = images[start : start + _CHUNK].astype(np.float64) @ weights
        grey -= grey.mean(axis=(1, 2), keepdims=True)  # drop DC so it does not dominate
        power = np.abs(np.fft.fft2(grey)) ** 2
        total += np.log10(power + 1e-8).sum(axis=0)
    spectrum = np.fft.fftshift(total / len(images))
    spectrum[images.shape[1] // 2, images.shape[2] // 2] = np.nan
    return spectrum


def spectral_frequencies(size: int) -> np.ndarray:
    """The centred frequencies (cycles per image) of a `size`-point FFT after fftshift:
    -size/2 ... size/2 - 1 for an even size (the first is the Nyquist frequency)."""
    return np.fft.fftshift(np.fft.fftfreq(size, d=1.0 / size))


def directional_high_frequency(difference: np.ndarray, cutoff: int = 12) -> dict[str, float]:
    """Mean of a centred spectrum difference where the vertical (rows) or the horizontal
    (columns) frequency is at least `cutoff` cycles per image in magnitude, the other below it:
    where in frequency two classes' spectra part."""
    rows = np.abs(spectral_frequencies(difference.shape[0]))[:, None]
    columns = np.abs(spectral_frequencies(difference.shape[1]))[None, :]
    vertical = (rows >= cutoff) & (columns < cutoff)
    horizontal = (columns >= cutoff) & (rows < cutoff)
    return {
        "high_vertical": float(np.nanmean(difference[vertical])),
        "high_horizontal": float(np.nanmean(difference[horizontal])),
        "cutoff": cutoff,
    }


def radial_profile(spectrum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of a centred 2-D spectrum over rings of equal radius: (radius, mean value).

    NaN entries (the removed zero frequency) are left out; radii run from 1 to the Nyquist
    frequency.
    """
    height, width = spectrum.shape
    y, x = np.indices(spectrum.shape)
    radius = np.hypot(y - height // 2, x - width // 2).round().astype(int).ravel()
    values = spectrum.ravel()
    finite = np.isfinite(values)
    sums = np.bincount(radius[finite], values[finite])
    counts = np.bincount(radius[finite], minlength=len(sums))
    radii = np.arange(1, min(height, width) // 2 + 1)
    return radii, sums[radii] / counts[radii]


def file_size_summary(data: CifakeData) -> pd.DataFrame:
    """JPEG size in bytes per split and label: count, mean, quartiles."""
    frames = [
        pd.DataFrame(
            {"split": name, "label": np.array(LABELS)[split.labels], "bytes": split.file_sizes}
        )
        for name, split in (("train", data.train), ("test", data.test))
    ]
    sizes = pd.concat(frames, ignore_index=True)
    return sizes.groupby(["split", "label"])["bytes"].describe().round(1)


def file_size_difference(split: CifakeSplit) -> dict[str, float]:
    """Do REAL and FAKE JPEG sizes come from one distribution? The two-sample
    Kolmogorov-Smirnov test, which sees a difference in spread as well as in mean: its D (the
    largest gap between the two cumulative distributions) and p."""
    real = split.file_sizes[split.labels == LABELS.index("REAL")]
    fake = split.file_sizes[split.labels == LABELS.index("FAKE")]
    test = stats.ks_2samp(real, fake)
    return {"ks_statistic": float(test.statistic), "p_value": float(test.pvalue)}


def border_and_centre_means(means: dict[str, np.ndarray], ring: int = 4) -> pd.DataFrame:
    """Mean grey level of each label's mean image on the outer `ring` pixels and inside it."""
    rows = {}
    for label, mean in means.items():
        grey = mean.mean(axis=-1, dtype=np.float64)
        inside = np.zeros(grey.shape, dtype=bool)
        inside[ring:-ring, ring:-ring] = True
        rows[label] = {
            f"border ({ring} px ring)": grey[~inside].mean(),
            "centre": grey[inside].mean(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["border - centre"] = table.iloc[:, 0] - table.iloc[:, 1]
    return table.round(1)

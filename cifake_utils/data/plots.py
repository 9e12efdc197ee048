"""Notebook 01's figures: samples, mean images, histograms, spectra and file sizes."""

import numpy as np
from matplotlib.figure import Figure

from ..constants import CIFAR10_CLASSES, LABELS
from ..plots import CHANNELS, LABEL_COLOURS
from .loading import CifakeSplit
from .stats import radial_profile, spectral_frequencies


def plot_sample_grid(split: CifakeSplit, per_label: int = 4, seed: int = 0) -> Figure:
    """Random examples: one row per CIFAR-10 class, REAL images left and FAKE right."""
    rng = np.random.default_rng(seed)
    fig = Figure(figsize=(2 * per_label * 0.9 + 1.5, len(CIFAR10_CLASSES) * 0.95))
    axes = fig.subplots(len(CIFAR10_CLASSES), 2 * per_label, squeeze=False)
    for row, class_name in enumerate(CIFAR10_CLASSES):
        for half, label in enumerate(LABELS):
            pool = np.flatnonzero((split.cifar_classes == row) & (split.labels == half))
            chosen = rng.choice(pool, size=min(per_label, len(pool)), replace=False)
            for k in range(per_label):
                ax = axes[row, half * per_label + k]
                ax.set_xticks([])
                ax.set_yticks([])
                if k < len(chosen):
                    ax.imshow(split.images[chosen[k]], interpolation="nearest")
                if row == 0 and k == 0:
                    ax.set_title(label, loc="left", color=LABEL_COLOURS[label], fontsize=11)
        axes[row, 0].set_ylabel(class_name, rotation=0, ha="right", va="center", fontsize=9)
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig


def plot_mean_images(means: dict[str, np.ndarray]) -> Figure:
    """The mean image of each label and their difference (FAKE - REAL, per pixel)."""
    fig = Figure(figsize=(10, 3.4))
    axes = fig.subplots(1, 3)
    for ax, label in zip(axes, LABELS, strict=False):
        ax.imshow(means[label].astype(np.uint8), interpolation="nearest")
        ax.set_title(f"mean {label} image")
    difference = (means["FAKE"] - means["REAL"]).mean(axis=-1)
    limit = float(np.abs(difference).max()) or 1.0
    shown = axes[2].imshow(difference, cmap="coolwarm", vmin=-limit, vmax=limit)
    axes[2].set_title("FAKE - REAL (grey levels)")
    fig.colorbar(shown, ax=axes[2], fraction=0.046)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def plot_channel_histograms(histograms: dict[str, np.ndarray]) -> Figure:
    """Share of pixels per value (0-255) in each RGB channel, REAL vs FAKE.

    The y-axis is scaled to the values 1-254; clipped pixels at 0 and 255 spike above it.
    """
    fig = Figure(figsize=(12, 3.2))
    axes = fig.subplots(1, 3, sharey=True)
    values = np.arange(256)
    interior = max(float(h[1:255].max()) for h in histograms.values())
    for channel, (ax, name) in enumerate(zip(axes, CHANNELS, strict=True)):
        for label, histogram in histograms.items():
            ax.plot(values, histogram[:, channel], color=LABEL_COLOURS[label], label=label, lw=1)
        ax.set_title(f"{name} channel")
        ax.set_xlabel("pixel value")
        ax.set_xlim(0, 255)
    axes[0].set_ylabel("share of pixels")
    axes[0].set_ylim(0, 1.25 * interior)
    axes[0].legend()
    fig.tight_layout()
    return fig


def plot_power_spectra(spectra: dict[str, np.ndarray]) -> Figure:
    """Mean log-power spectrum of each label on frequency axes, their difference, and the
    difference of their radial profiles (two nearly overlapping profiles would hide it). Zero
    frequency is in the centre (blank: each image's mean is removed); the top row and left
    column are the Nyquist frequency, -16 cycles, which an even-sized FFT holds once, so they
    have no mirror at +16."""
    fig = Figure(figsize=(18, 4.4), layout="constrained")
    axes = fig.subplots(1, 4, width_ratios=[1, 1, 1, 1.1])
    size = next(iter(spectra.values())).shape[0]
    frequencies = spectral_frequencies(size)
    extent = (
        frequencies[0] - 0.5,
        frequencies[-1] + 0.5,
        frequencies[-1] + 0.5,
        frequencies[0] - 0.5,
    )
    low = min(float(np.nanmin(s)) for s in spectra.values())
    high = max(float(np.nanmax(s)) for s in spectra.values())
    for ax, label in zip(axes, LABELS, strict=False):
        shown = ax.imshow(spectra[label], cmap="magma", vmin=low, vmax=high, extent=extent)
        ax.set_title(f"{label}: mean log10 power", fontsize=11)
    fig.colorbar(shown, ax=list(axes[:2]), fraction=0.04, label="mean log10 power")
    difference = spectra["FAKE"] - spectra["REAL"]
    limit = float(np.nanmax(np.abs(difference))) or 1.0
    shown = axes[2].imshow(difference, cmap="coolwarm", vmin=-limit, vmax=limit, extent=extent)
    axes[2].set_title("FAKE − REAL", fontsize=11)
    fig.colorbar(shown, ax=axes[2], fraction=0.046, label="difference of log10 power")
    for ax in axes[:3]:
        ax.set_xlabel("horizontal frequency (cycles per image)")
        ax.set_ylabel("vertical frequency (cycles per image)")
        ax.set_xticks([-16, -8, 0, 8, 15])
        ax.set_yticks([-16, -8, 0, 8, 15])
    radius, fake = radial_profile(spectra["FAKE"])
    _, real = radial_profile(spectra["REAL"])
    axes[3].plot(radius, fake - real, color="black", marker=".")
    axes[3].axhline(0, color="grey", linewidth=0.8)
    axes[3].set_xlabel("radial frequency (cycles per image)")
    axes[3].set_ylabel("FAKE − REAL, mean log10 power", labelpad=2)
    axes[3].set_title("radial profile: FAKE − REAL (above 0: more power in FAKE)", fontsize=11)
    axes[3].grid(alpha=0.3)
    return fig


def plot_file_sizes(split: CifakeSplit, title: str = "") -> Figure:
    """Distribution of JPEG file sizes per label."""
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    bins = np.arange(split.file_sizes.min(), split.file_sizes.max() + 10, 8)  # whole bytes
    for index, label in enumerate(LABELS):
        sizes = split.file_sizes[split.labels == index]
        ax.hist(sizes, bins=bins, alpha=0.55, color=LABEL_COLOURS[label], label=label)
    ax.set_xlabel("JPEG file size (bytes)")
    ax.set_ylabel("images")
    ax.set_title(title or "JPEG file size per class")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_near_duplicate_pairs(
    test: CifakeSplit, train: CifakeSplit, pairs: dict[int, list[tuple[int, int]]], threshold: int
) -> Figure:
    """Test images beside their nearest training image, one row per pHash distance in bits,
    the pairs set apart by a gap: where the pairs stop being the same picture is where the
    threshold belongs."""
    width = max(len(found) for found in pairs.values())
    ratios = [1, 1, 0.3] * width  # a test image, its neighbour, a gap
    fig = Figure(figsize=(2.3 * width + 1.8, len(pairs) * 1.15 + 0.5))
    axes = fig.subplots(len(pairs), 3 * width, squeeze=False, width_ratios=ratios)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_frame_on(False)
    for row, (bits, found) in enumerate(pairs.items()):
        for k, pair in enumerate(found):
            for side, split in enumerate((test, train)):
                ax = axes[row, 3 * k + side]
                ax.imshow(split.images[pair[side]], interpolation="nearest")
                label = LABELS[split.labels[pair[side]]]
                ax.set_xlabel(f"{'test' if side == 0 else 'train'} {label}", fontsize=7)
        verdict = "counted as\nnear-duplicates" if bits <= threshold else "not counted"
        axes[row, 0].set_ylabel(f"{bits} bits\n({verdict})", rotation=0, ha="right", va="center")
    fig.suptitle(
        "Test images (left of each pair) and their nearest training image by pHash distance; "
        f"pairs at most {threshold} bits apart count as near-duplicates",
        fontsize=10,
    )
    fig.subplots_adjust(wspace=0.08, hspace=0.55, left=0.12, top=0.92)
    return fig

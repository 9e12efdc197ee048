"""Notebook 01's findings, written from its saved summary (`01_data_summary.json`).

Every comparison ("brighter", "larger", "opposite signs") is decided by the numbers, so the
text stays true when the data or the profile changes.
"""

from ..constants import LABELS
from ..significance import ALPHA, holm

SAME_SIZE = 0.02  # relative difference of mean file sizes below which they count as the same


def _count(counts: dict, split: str, label: str) -> int:
    return int(counts[str((split, label))])


def adjusted_p_values(summary: dict) -> tuple[float, float]:
    """Holm over 01's two tests (the border gap per image, the file-size distributions); a
    missing test counts as p = 1."""
    cue = summary["pixel_statistics"].get("per_image") or {}
    sizes = summary.get("file_size_test") or {}
    border, size = holm([cue.get("p_value", 1.0), sizes.get("p_value", 1.0)])
    return float(border), float(size)


def balance_sentence(summary: dict) -> str:
    """Are the classes balanced in each split?"""
    counts = summary["counts"]
    parts = []
    for split in ("train", "test"):
        real, fake = _count(counts, split, "REAL"), _count(counts, split, "FAKE")
        relation = "as many FAKE as REAL" if real == fake else f"{fake - real:+,} FAKE against REAL"
        parts.append(f"{split}: {real:,} REAL and {fake:,} FAKE ({relation})")
    return "Counts per split: " + "; ".join(parts) + "."


def border_sentence(summary: dict) -> str:
    """The border-minus-centre grey level of each class's mean training image, and whether it
    is a class cue per image: a threshold fitted on train, scored on test against chance."""
    pixels = summary["pixel_statistics"]
    gap, ring = pixels["border_minus_centre"], pixels["ring"]
    real, fake = gap["REAL"], gap["FAKE"]

    def phrase(value: float) -> str:
        if round(value, 1) == 0:
            return "as bright as its centre (to 0.1 grey levels)"
        side = "brighter" if value > 0 else "darker"
        return f"{abs(value):.1f} grey levels {side} than its centre"

    signs = "opposite signs" if real * fake < 0 else "the same sign" if real * fake > 0 else ""
    text = (
        f"The {ring}-pixel border ring of the mean REAL training image is {phrase(real)}, that "
        f"of the mean FAKE one {phrase(fake)}" + (f" ({signs})" if signs else "")
    )
    cue = pixels.get("per_image")
    if cue is None:
        return text + "; whether single images differ this way is not tested here."
    shares = cue["per_class"]
    adjusted = adjusted_p_values(summary)[0]
    result = (
        f"{cue['accuracy']:.2%} of the {cue['test_images']:,} test images (95% interval "
        f"{cue['accuracy_low']:.2%}–{cue['accuracy_high']:.2%}; binomial test "
        f"against 50%, p = {cue['p_value']:.2g}, Holm over 01's two tests {adjusted:.2g})"
    )
    if adjusted >= ALPHA:
        verdict = "not significantly different from chance: per image the gap is no class cue"
    elif cue["accuracy"] > 0.5:
        verdict = (
            "above chance: per image the gap carries information about the class (notebook 05 "
            "asks whether the models look at the border)"
        )
    else:
        verdict = (
            "below chance: the side of the threshold that held in train is reversed in test, "
            "so the gap is no class cue that carries over between the splits"
        )
    return (
        f"{text}. Per image, the border is lighter than the centre in "
        f"{shares['REAL']['share_border_lighter']:.1%} of REAL and "
        f"{shares['FAKE']['share_border_lighter']:.1%} of FAKE test images, and a threshold on "
        f"the gap fitted on the training images classifies {result}, {verdict}."
    )


def spectrum_sentence(summary: dict) -> str:
    """Where in frequency the two classes' mean spectra part most (a description of the two
    means, not a per-image test)."""
    spectrum = summary["spectrum"]
    vertical, horizontal = spectrum["high_vertical"], spectrum["high_horizontal"]
    cutoff = spectrum["cutoff"]
    larger, smaller = ("vertical", "horizontal")
    if abs(horizontal) > abs(vertical):
        larger, smaller = smaller, larger
    return (
        f"Between the two classes' mean spectra (a description of the means, not a per-image "
        f"test), FAKE − REAL log10 power is {vertical:+.2f} at high vertical frequencies "
        f"(|f_y| ≥ {cutoff} cycles per image) and {horizontal:+.2f} at high horizontal ones: "
        f"the difference of the means is larger along the {larger} frequency axis than the "
        f"{smaller}."
    )


def file_size_sentence(summary: dict) -> str:
    """Mean JPEG file size per class (training split); notebook 07 tests it as a classifier."""
    sizes = summary["file_sizes"]
    real, fake = sizes["REAL"], sizes["FAKE"]
    apart = abs(fake - real) / real
    tested = "how well file size alone classifies is tested in notebook 07"
    difference = summary.get("file_size_test")
    if difference:
        adjusted = adjusted_p_values(summary)[1]
        differs = adjusted < ALPHA
        tested = (
            f"their distributions {'differ' if differs else 'are not shown to differ'} "
            f"(two-sample Kolmogorov-Smirnov over the training pool, D = "
            f"{difference['ks_statistic']:.3f}, p = {difference['p_value']:.2g}, Holm over "
            f"01's two tests {adjusted:.2g})"
            + (", so means this close do not make file size label-free; " if differs else "; ")
            + "how well file size alone classifies is tested in notebook 07"
        )
    if apart < SAME_SIZE:
        return (
            f"FAKE and REAL JPEGs have mean sizes within {SAME_SIZE:.0%} of each other "
            f"({fake:.0f} vs {real:.0f} bytes in train, {apart:.1%} apart; a description, not a "
            f"test of equal means), but {tested}."
            if difference and adjusted_p_values(summary)[1] < ALPHA
            else f"FAKE and REAL JPEGs have mean sizes within {SAME_SIZE:.0%} of each other "
            f"({fake:.0f} vs {real:.0f} bytes in train, {apart:.1%} apart); {tested}."
        )
    relation = "larger" if fake > real else "smaller"
    return (
        f"FAKE JPEGs are on average {abs(fake - real):.0f} bytes {relation} than REAL ones "
        f"({fake:.0f} vs {real:.0f} bytes in train); {tested}."
    )


def duplicate_sentence(summary: dict) -> str:
    """How many test images also occur in train."""
    shared = summary["test_images_in_train"]
    test = _count(summary["counts"], "test", "REAL") + _count(summary["counts"], "test", "FAKE")
    return (
        f"{shared:,} of the {test:,} test images ({shared / test:.1%}) also occur, pixel for "
        f"pixel, in train; {summary['duplicate_sets']:,} sets of identical images exist in all. "
        "The deduplicated test split leaves out the test images that also occur in train; "
        "copies within the test split stay in it."
    )


def container_sentence(summary: dict) -> str:
    """Whether the JPEG container (tables, subsampling, progressive) differs by class."""
    found = summary["jpeg_containers"]
    kinds = {label: "; ".join(containers) for label, containers in found.items()}
    if len({tuple(c) for c in found.values()}) == 1:
        return (
            f"Every file of both classes and both splits is saved the same way ({kinds['REAL']}): "
            "these three header fields (quantisation tables, chroma subsampling, progressive "
            "or not) carry no label, so a model cannot separate the classes by them (other "
            "header fields are not compared; notebook 07 tests the file size)."
        )
    return (
        "The classes are saved differently (REAL: "
        f"{kinds.get('REAL', 'none')}; FAKE: {kinds.get('FAKE', 'none')}): the file format "
        "itself carries the label, a shortcut any model may take instead of the picture."
    )


def near_duplicate_sentence(summary: dict) -> str:
    """How many test images have a near-duplicate (pHash) in train, per class."""
    near = summary["near_duplicates"]
    parts = [
        f"{count:,} {label} ({count / near['class_size'][label]:.2%})"
        for label, count in ((label, near["images"][label]) for label in LABELS)
    ]
    return (
        f"Counting near-duplicates too (nearest training image within {near['threshold_bits']} "
        f"bits of 64 in pHash, the exact copies included): {' and '.join(parts)} test images "
        "have one in train; notebook 04 tests whether the models score higher on them."
    )


def findings_markdown(summary: dict) -> str:
    """The Findings section of notebook 01."""
    sentences = [
        balance_sentence(summary),
        border_sentence(summary),
        spectrum_sentence(summary),
        file_size_sentence(summary),
        duplicate_sentence(summary),
        near_duplicate_sentence(summary),
        container_sentence(summary),
    ]
    return "\n".join(["## Findings", "", *[f"- {s}" for s in sentences]])

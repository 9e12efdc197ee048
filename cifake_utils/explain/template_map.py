"""The public implementation's "Grad-CAM" (notebook 05): the ReLU activation of its first
convolution's 32nd filter, shown as a heatmap. It uses no gradient and no class, so one map
stands for both verdicts; this module computes it beside real Grad-CAM of the same model and
asks which of the two ranks the image's pixels more like their brightness does.

The filter's 30x30 activations sit on input pixels 1..30 (a 3x3 "valid" convolution centres
output i on input i + 1): they are compared with brightness and Grad-CAM on those pixels, and
only the figure stretches them to 32x32, as the template displays them."""

import keras
import numpy as np
import tensorflow as tf
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ..data.resplit import as_bgr
from ..plots import overlay_heatmap
from .cam import class_activation_maps, normalise_maps
from .comparisons import paired_test
from .sanity import rank_correlations

TEMPLATE_FILTER = 31  # `grad_cam[:, :, 31]` of the first layer's output in the template
LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 weights of R, G, B


INTERIOR = slice(1, 31)  # the input pixels at the centres of conv1's 30x30 outputs


def filter_activations(
    model: keras.Model, images: np.ndarray, filter_index: int = TEMPLATE_FILTER
) -> np.ndarray:
    """(n, 30, 30) activation of the first convolution's filter `filter_index` for RGB uint8
    `images` (fed in the template's BGR order)."""
    first = keras.Model(model.input, model.get_layer("conv1").output)
    scaled = tf.cast(as_bgr(images), tf.float32) / 255.0
    return np.asarray(first(scaled, training=False)[..., filter_index], dtype=np.float32)


def as_displayed(activations: np.ndarray) -> np.ndarray:
    """(n, 32, 32): 30x30 activations stretched bilinearly, as the template shows them."""
    resized = tf.image.resize(activations[..., None], (32, 32), method="bilinear")
    return np.asarray(resized[..., 0], dtype=np.float32)


def luminance(images: np.ndarray) -> np.ndarray:
    """(n, 32, 32) brightness of RGB uint8 images, in [0, 255]."""
    return images.astype(np.float32) @ LUMA.astype(np.float32)


def template_map_study(model: keras.Model, images: np.ndarray) -> dict:
    """The filter map and Grad-CAM (for the model's own verdict) of each image, their per-image
    Spearman correlation with its brightness on the filter's 30x30 pixels, and a paired test
    of which correlates more strongly (in absolute value)."""
    filter_maps = filter_activations(model, images)
    gradcam = class_activation_maps(model, as_bgr(images))
    brightness = luminance(images)[:, INTERIOR, INTERIOR]
    rho_filter = rank_correlations(filter_maps, brightness)
    rho_gradcam = rank_correlations(gradcam[:, INTERIOR, INTERIOR], brightness)
    both = np.isfinite(rho_filter) & np.isfinite(rho_gradcam)
    test = paired_test(np.abs(rho_filter[both]), np.abs(rho_gradcam[both]), higher_is_better=True)
    return {
        "filter_maps": filter_maps,
        "gradcam_maps": gradcam,
        "summary": {
            "images": len(images),
            "defined_pairs": int(both.sum()),
            "filter_mean_spearman_with_brightness": float(np.nanmean(rho_filter)),
            "gradcam_mean_spearman_with_brightness": float(np.nanmean(rho_gradcam)),
            "filter_vs_gradcam_mean_spearman": float(
                np.nanmean(rank_correlations(filter_maps, gradcam[:, INTERIOR, INTERIOR]))
            ),
            "closer_to_brightness": test,
        },
    }


def template_map_sentence(summary: dict) -> str:
    """What the template's map is, and the test of which map follows brightness more."""
    test = summary["closer_to_brightness"]
    if test["verdict"] == "better":
        relation = "correlates more strongly with the image's brightness than Grad-CAM does"
    elif test["verdict"] == "worse":
        relation = "correlates less strongly with the image's brightness than Grad-CAM does"
    else:
        relation = (
            "correlates with the image's brightness neither more nor less strongly than "
            "Grad-CAM does"
        )
    return (
        'The public implementation\'s "Grad-CAM" is the activation of one first-layer filter '
        "(the 32nd): it takes no class and no gradient, so the same map is shown whichever "
        f"verdict it illustrates. For the template CNN2D (seed 0) on {test['images']} test "
        f"images, it {relation} (mean "
        f"absolute Spearman ρ with brightness {test['method_mean']:.2f} against "
        f"{test['baseline_mean']:.2f}, per image by a Wilcoxon signed-rank test, "
        f"p = {test['p_value']:.2g}, rank-biserial r = {test['rank_biserial']:+.2f}; signed "
        f"means {summary['filter_mean_spearman_with_brightness']:+.2f} and "
        f"{summary['gradcam_mean_spearman_with_brightness']:+.2f}), and agrees with Grad-CAM "
        f"at mean ρ = {summary['filter_vs_gradcam_mean_spearman']:+.2f}."
    )


def plot_template_maps(
    images: np.ndarray, filter_maps: np.ndarray, gradcam: np.ndarray, captions: list[str]
) -> Figure:
    """A row per image: the image, the template's filter map (30x30, stretched as the
    template shows it) and Grad-CAM, each per image scaled to [0, 1] and laid over it, with
    the colour scale both share."""
    columns = (
        "image",
        'template\'s "Grad-CAM":\nfilter 32 of conv1 (no class)',
        "Grad-CAM of the same model\n(for its own verdict)",
    )
    fig = Figure(figsize=(7.5, 2.5 * len(images) + 0.9), layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(images), 3))
    scaled = (normalise_maps(as_displayed(filter_maps)), normalise_maps(gradcam))
    for row, image in enumerate(images):
        overlays = [overlay_heatmap(image, maps[row]) for maps in scaled]
        shown = (image, *overlays)
        for column, picture in enumerate(shown):
            ax = axes[row, column]
            ax.imshow(picture)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(columns[column], fontsize=9)
        axes[row, 0].set_ylabel(captions[row], fontsize=9)
    scale = ScalarMappable(Normalize(0, 1), cmap="jet")
    bar = fig.colorbar(scale, ax=axes[:, 1:], location="bottom", shrink=0.8, aspect=30)
    bar.set_label("map value, scaled per image to [0, 1] (0.45 opacity over the image)")
    fig.suptitle(
        "The public implementation's map is one filter's activation, the same whatever the "
        "verdict;\nGrad-CAM of the template CNN2D (seed 0) on the same test images",
        fontsize=10,
    )
    return fig

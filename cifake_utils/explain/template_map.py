"""The public implementation's "Grad-CAM" (notebook 05): the ReLU activation of its first
convolution's 32nd filter, shown as a heatmap. It uses no gradient and no class, so one map
stands for both verdicts; this module computes it beside real Grad-CAM of the same model and
asks which of the two follows the image's brightness more closely."""

import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from ..data.resplit import as_bgr
from ..plots import overlay_heatmap
from .cam import class_activation_maps, normalise_maps
from .comparisons import paired_test
from .sanity import rank_correlations

TEMPLATE_FILTER = 31  # `grad_cam[:, :, 31]` of the first layer's output in the template
LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 weights of R, G, B


def filter_activation_maps(
    model: keras.Model, images: np.ndarray, filter_index: int = TEMPLATE_FILTER
) -> np.ndarray:
    """(n, 32, 32) activation of the first convolution's filter `filter_index` for RGB uint8
    `images` (fed in the template's BGR order), resized bilinearly from 30x30 as the template
    displays it."""
    first = keras.Model(model.input, model.get_layer("conv1").output)
    scaled = tf.cast(as_bgr(images), tf.float32) / 255.0
    activation = first(scaled, training=False)[..., filter_index : filter_index + 1]
    resized = tf.image.resize(activation, images.shape[1:3], method="bilinear")
    return np.asarray(resized[..., 0], dtype=np.float32)


def luminance(images: np.ndarray) -> np.ndarray:
    """(n, 32, 32) brightness of RGB uint8 images, in [0, 255]."""
    return images.astype(np.float32) @ LUMA.astype(np.float32)


def template_map_study(model: keras.Model, images: np.ndarray) -> dict:
    """The filter map and Grad-CAM (for the model's own verdict) of each image, their per-image
    Spearman correlation with its brightness, and a paired test of which follows it more."""
    filter_maps = filter_activation_maps(model, images)
    gradcam = class_activation_maps(model, as_bgr(images))
    brightness = luminance(images)
    rho_filter = rank_correlations(filter_maps, brightness)
    rho_gradcam = rank_correlations(gradcam, brightness)
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
                np.nanmean(rank_correlations(filter_maps, gradcam))
            ),
            "closer_to_brightness": test,
        },
    }


def template_map_sentence(summary: dict) -> str:
    """What the template's map is, and the test of which map follows brightness more."""
    test = summary["closer_to_brightness"]
    if test["verdict"] == "better":
        relation = "follows the image's brightness more closely than Grad-CAM does"
    elif test["verdict"] == "worse":
        relation = "follows the image's brightness less closely than Grad-CAM does"
    else:
        relation = "follows the image's brightness neither more nor less than Grad-CAM does"
    return (
        'The public implementation\'s "Grad-CAM" is the activation of one first-layer filter '
        "(the 32nd): it takes no class and no gradient, so the same map is shown whichever "
        f"verdict it illustrates. On {test['images']} test images it {relation} (mean Spearman "
        f"ρ with brightness {summary['filter_mean_spearman_with_brightness']:+.2f} against "
        f"{summary['gradcam_mean_spearman_with_brightness']:+.2f}; |ρ| compared by a Wilcoxon "
        f"signed-rank test, p = {test['p_value']:.2g}, rank-biserial r = "
        f"{test['rank_biserial']:+.2f}), and agrees with Grad-CAM at mean ρ = "
        f"{summary['filter_vs_gradcam_mean_spearman']:+.2f}."
    )


def plot_template_maps(
    images: np.ndarray, filter_maps: np.ndarray, gradcam: np.ndarray, captions: list[str]
) -> Figure:
    """A row per image: the image, the template's filter map and Grad-CAM, each per image
    scaled to [0, 1] and laid over the image."""
    columns = ("image", "template's map: filter 32 of conv1", "Grad-CAM (its own verdict)")
    fig = Figure(figsize=(7.5, 2.5 * len(images)), layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(images), 3))
    scaled = (normalise_maps(filter_maps), normalise_maps(gradcam))
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
    return fig

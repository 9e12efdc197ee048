"""The seed paper's two CNNs, the ablation between them, and the beyond-the-paper detector of
notebook 08, as functional Keras models."""

from dataclasses import dataclass

import keras
import pandas as pd
from keras import layers

from .degradation import PREFIX as BLUR_JPEG
from .degradation import RandomBlurJpeg, probability_of

INPUT_SHAPE = (32, 32, 3)


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of one CNN2D variant; defaults are the baseline CNN2D."""

    name: str = "cnn2d"
    filters: int = 32  # both conv layers, as in the paper
    kernel_size: int = 3
    hidden_units: int = 64  # the paper does not give it; see notebook 02
    global_average_pooling: bool = False  # False: Flatten, as in CNN2D
    dropout_rate: float = 0.0  # 0: no Dropout layer
    input_shape: tuple[int, int, int] = INPUT_SHAPE
    # Beyond the paper (notebook 08): VGG-style stages of this many filters each, every stage
    # two 3x3 "same" convolutions with BatchNorm and ReLU, then a 2x2 max-pool; GAP and the
    # head follow. Empty: the paper's two plain convolutions of `filters` (the fields above).
    stage_widths: tuple[int, ...] = ()
    # The public implementation's template (notebook 04's protocol section): Dropout of this
    # rate after each max-pool (0: none), and 2 softmax units instead of one sigmoid unit.
    pool_dropout: float = 0.0
    output_units: int = 1

    def __post_init__(self):
        if self.output_units not in (1, 2):
            raise ValueError(f"output_units {self.output_units}: 1 (sigmoid) or 2 (softmax)")
        object.__setattr__(self, "stage_widths", tuple(self.stage_widths))
        object.__setattr__(self, "input_shape", tuple(self.input_shape))


# The ablation of notebook 03: CNN2D, each change alone, and both (the Modified CNN2D).
ARCHITECTURES = {
    "cnn2d": ModelConfig("cnn2d"),
    "cnn2d_gap": ModelConfig("cnn2d_gap", global_average_pooling=True),
    "cnn2d_dropout": ModelConfig("cnn2d_dropout", dropout_rate=0.5),
    "modified_cnn2d": ModelConfig("modified_cnn2d", global_average_pooling=True, dropout_rate=0.5),
}

# Beyond the paper (notebook 08): a sequential BatchNorm net, so that Grad-CAM's maps can be
# placed by receptive fields exactly as for the paper's models (no skip connections). Narrow,
# because on the slow 2-core CPU a 32-64-128 net trains under 2 epochs in 15 minutes (README).
BEYOND = {
    "vgg_bn": ModelConfig(
        "vgg_bn", global_average_pooling=True, hidden_units=0, stage_widths=(16, 32, 64)
    ),
}

# The public implementation that prints the follow-up paper's numbers (issue: the paper's
# protocol): Flatten, Dense 256, two softmax units; its "modified" model adds Dropout 0.3 after
# each max-pool and has no global average pooling.
TEMPLATE = {
    "template_cnn2d": ModelConfig("template_cnn2d", hidden_units=256, output_units=2),
    "template_modified": ModelConfig(
        "template_modified", hidden_units=256, output_units=2, pool_dropout=0.3
    ),
}

# How the tables and figures name each architecture.
# The follow-up paper's two models, whose numbers the study reproduces.
PAPER_MODELS = ("cnn2d", "modified_cnn2d")

DISPLAY_NAMES = {
    "cnn2d": "CNN2D",
    "modified_cnn2d": "Modified CNN2D",
    "cnn2d_gap": "CNN2D + GAP",
    "cnn2d_dropout": "CNN2D + Dropout",
    "vgg_bn": "VGG-BN (beyond the paper)",
    "template_cnn2d": "Template CNN2D",
    "template_modified": "Template modified CNN2D",
}


# Training-time augmentations a recipe may ask for (see `TrainConfig.augmentation`), and
# "blur_jpeg_<p>": blur + JPEG with probability p each (`degradation.py`, notebook 07).
AUGMENTATIONS = ("flip", "translate")
TRANSLATE_PIXELS = 4  # the usual CIFAR +-4 pixels, reflect-padded


def augmentation_layers(names: tuple[str, ...], seed: int) -> list[layers.Layer]:
    """Seeded Keras augmentation layers: active in `fit`, identity at inference."""
    unknown = {n for n in names if n not in AUGMENTATIONS and not n.startswith(BLUR_JPEG)}
    if unknown:
        raise ValueError(f"unknown augmentation {sorted(unknown)}; choose from {AUGMENTATIONS}")
    chosen = [
        RandomBlurJpeg(probability_of(n), seed=seed + 2, name="augment_blur_jpeg")
        for n in names
        if n.startswith(BLUR_JPEG)
    ]
    if "flip" in names:
        chosen.append(layers.RandomFlip("horizontal", seed=seed, name="augment_flip"))
    if "translate" in names:
        shift = TRANSLATE_PIXELS / INPUT_SHAPE[0]
        chosen.append(
            layers.RandomTranslation(
                shift, shift, fill_mode="reflect", seed=seed + 1, name="augment_translate"
            )
        )
    return chosen


def build_model(
    config: ModelConfig, augmentation: tuple[str, ...] = (), seed: int = 0
) -> keras.Model:
    """An uncompiled functional CNN: two conv blocks, a pooling choice, a dense head.

    The output is one sigmoid unit, P(FAKE): the task is binary, so a second softmax unit
    would only repeat 1 - P(FAKE) with twice the output weights (the template's two units,
    `output_units=2`, are built only to reproduce it). `augmentation` puts seeded
    augmentation layers after the input; Keras runs them only when training.
    """
    inputs = keras.Input(shape=config.input_shape, name="image")
    x = inputs
    for layer in augmentation_layers(augmentation, seed):
        x = layer(x)
    if config.stage_widths:
        x = vgg_stages(x, config.stage_widths, config.kernel_size)
    else:
        for k in (1, 2):
            x = layers.Conv2D(
                config.filters, config.kernel_size, activation="relu", name=f"conv{k}"
            )(x)
            x = layers.MaxPooling2D(name=f"pool{k}")(x)
            if config.pool_dropout > 0:
                x = layers.Dropout(config.pool_dropout, name=f"pool{k}_dropout")(x)
    if config.global_average_pooling:
        x = layers.GlobalAveragePooling2D(name="gap")(x)
    else:
        x = layers.Flatten(name="flatten")(x)
    if config.dropout_rate > 0:
        x = layers.Dropout(config.dropout_rate, name="dropout")(x)
    if config.hidden_units:
        x = layers.Dense(config.hidden_units, activation="relu", name="hidden")(x)
    # Under a mixed policy the probabilities stay in float32: bfloat16 rounds 0.999 to 1.
    output = {"dtype": "float32"} if keras.config.dtype_policy().name.startswith("mixed") else {}
    if config.output_units == 2:
        outputs = layers.Dense(2, activation="softmax", name="class_probabilities", **output)(x)
    else:
        outputs = layers.Dense(1, activation="sigmoid", name="fake_probability", **output)(x)
    return keras.Model(inputs, outputs, name=config.name)


def vgg_stages(x, widths: tuple[int, ...], kernel_size: int = 3):
    """Per width: two "same" convolutions (no bias: BatchNorm follows), BatchNorm, ReLU, then a
    2x2 max-pool. The last ReLU is where Grad-CAM looks (`explain.cam.target_layer`)."""
    for stage, width in enumerate(widths, start=1):
        for k in (1, 2):
            x = layers.Conv2D(
                width, kernel_size, padding="same", use_bias=False, name=f"s{stage}_conv{k}"
            )(x)
            x = layers.BatchNormalization(name=f"s{stage}_bn{k}")(x)
            x = layers.ReLU(name=f"s{stage}_relu{k}")(x)
        x = layers.MaxPooling2D(name=f"s{stage}_pool")(x)
    return x


def build_cnn2d() -> keras.Model:
    """The seed paper's baseline CNN2D."""
    return build_model(ARCHITECTURES["cnn2d"])


def build_modified_cnn2d() -> keras.Model:
    """The seed paper's Modified CNN2D: GlobalAveragePooling2D and Dropout before the head."""
    return build_model(ARCHITECTURES["modified_cnn2d"])


def describe_layers(model: keras.Model) -> pd.DataFrame:
    """One row per layer: name, type, output shape and parameter count (with a total row)."""
    rows = [
        {
            "layer": layer.name,
            "type": type(layer).__name__,
            "output shape": str(tuple(layer.output.shape[1:])),
            "parameters": layer.count_params(),
        }
        for layer in model.layers
    ]
    rows.append(
        {"layer": "total", "type": "", "output shape": "", "parameters": model.count_params()}
    )
    return pd.DataFrame(rows).set_index("layer")

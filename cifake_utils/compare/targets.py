"""Where the field stands on the official 20,000-image test split, the goals, and the models
compared with it."""

from ..models.architectures import PAPER_MODELS

BEYOND = "vgg_bn"  # the from-scratch detector of notebook 08
COMPARED = (BEYOND, *PAPER_MODELS)

GOAL = 0.980  # test accuracy, mean over seeds
STRETCH = 0.986  # above the best ImageNet-pretrained result we know of
BUDGET_MINUTES = 15.0  # training per seed on the 2-core machine

# Test accuracy reported elsewhere (the beyond-the-paper issue's table).
FIELD = {
    "the follow-up paper's Modified CNN2D": 0.9594,
    "the best from-scratch models in the literature": 0.978,
    "an ImageNet-pretrained DenseNet-121": 0.985,
}

"""Facts about CIFAKE itself: labels, CIFAR-10 classes, image size and expected counts."""

IMAGE_SIZE = 32  # every CIFAKE image is 32x32 RGB

SPLITS = ("train", "test")
LABELS = ("REAL", "FAKE")  # index = numeric label: REAL=0, FAKE=1

# Order used by CIFAR-10; CIFAKE encodes it in the file name suffix " (k).jpg".
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)

# Images per "split/LABEL" folder in the Kaggle release.
EXPECTED_COUNTS = {
    "train/REAL": 50_000,
    "train/FAKE": 50_000,
    "test/REAL": 10_000,
    "test/FAKE": 10_000,
}

KAGGLE_DATASET = "birdy654/cifake-real-and-ai-generated-synthetic-images"
KAGGLE_URL = f"https://www.kaggle.com/datasets/{KAGGLE_DATASET}"

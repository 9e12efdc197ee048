"""Notebook 06's findings follow its saved predictions."""

import numpy as np
import pandas as pd

from cifake_utils.detector import findings
from cifake_utils.detector.plots import plot_predictions
from cifake_utils.detector.predict import Prediction
from cifake_utils.detector.scope import Scope


def table(rows):
    return pd.DataFrame(rows, columns=["image", "verdict", "P(FAKE)"]).set_index("image")


def test_counts_close_calls_and_out_of_distribution_photos():
    text = findings.findings_markdown(
        table(
            [
                ("cifake_test_REAL_00001_ship.png", "REAL", 0.02),
                ("cifake_test_FAKE_10001_dog.png", "FAKE", 0.505),
                ("cifake_test_FAKE_10002_cat.png", "REAL", 0.30),
                ("china.jpg", "FAKE", 0.92),
                ("flower.jpg", "REAL", 0.27),
            ]
        )
    )
    assert "2 of the 3 CIFAKE test images in this demonstration are called correctly: an" in text
    assert "closest call is cifake_test_FAKE_10001_dog.png at P(FAKE) 0.505" in text
    assert (
        "1 of the 2 real photographs that are not CIFAR-10 images are called FAKE (china.jpg 0.92)"
        in text
    )


def test_no_close_call_and_no_photo_called_fake():
    text = findings.findings_markdown(
        table([("cifake_test_REAL_00001_ship.png", "REAL", 0.02), ("flower.jpg", "REAL", 0.2)])
    )
    assert "closest call" not in text
    assert "0 of the 1 real photographs" in text and "called FAKE; the study measures no" in text
    assert findings.known_label("grace_hopper.jpg") == "REAL"
    assert findings.known_label("cifake_test_FAKE_1_x.png") == "FAKE"


def test_scope_counts_come_from_the_in_scope_column():
    rows = pd.DataFrame(
        [
            ("cifake_test_REAL_00001_ship.png", True, "REAL", 0.02),
            ("cifake_test_FAKE_10001_dog.png", False, "FAKE", 0.9),
            ("china.jpg", False, "FAKE", 0.92),
            ("flower.jpg", False, "REAL", 0.27),
        ],
        columns=["image", "in scope", "verdict", "P(FAKE)"],
    ).set_index("image")
    text = findings.findings_markdown(rows)
    assert "2 of the 2 photographs from outside CIFAKE are reported out of scope" in text
    assert "and 1 of the 2 CIFAKE test images" in text
    # How many of them the size rule set aside, a policy: here one of the two.
    rows["why not"] = ["", "", "the image is 640x427 and had to be cropped and shrunk", ""]
    text = findings.findings_markdown(rows)
    assert "(1 of them by the size rule, which sets every resized image aside" in text


def scope_rows(aucs: dict[str, float]) -> pd.DataFrame:
    rows = [
        ("CIFAKE test REAL", 0.04, 0.04, float("nan")),
        ("CIFAKE test FAKE", 0.06, 0.06, float("nan")),
    ]
    rows += [(name, 0.5, 1.0 if "shrunk" in name else 0.5, auc) for name, auc in aucs.items()]
    columns = ["images", "flagged_by_features", "out_of_scope", "roc_auc_against_cifake"]
    return pd.DataFrame(rows, columns=columns).set_index("images")


def test_scope_findings_name_where_the_feature_test_is_near_chance():
    text = findings.scope_findings(
        scope_rows({"uniform noise": 0.99, "crops shrunk": 0.55, "CIFAKE test, JPEG q95": 0.51}),
        0.95,
    )
    assert "keeps 96.0% of REAL, 94.0% of FAKE in scope" in text
    assert "ranks 1 of the 3 sets (2 from outside CIFAKE, 1 transformations of its test" in text
    assert ": uniform noise (ROC-AUC 0.990, 50% flagged)." in text
    assert "For the other 2 its ROC-AUC is 0.51–0.55" in text
    assert "Of the crops shrunk, 50% would pass the feature test alone" in text


def test_scope_findings_say_when_the_feature_test_beats_chance_everywhere():
    rows = scope_rows({"uniform noise": 0.99, "texture": 0.8, "PNG (control)": 0.5})
    text = findings.scope_findings(rows, 0.95)
    assert "ranks 2 of the 2 sets (2 from outside CIFAKE, 0 transformations" in text
    assert "For the other" not in text
    assert "On the control (PNG (control), CIFAKE's own test images" in text


def test_the_demo_figure_marks_each_in_scope_verdict_right_or_wrong_and_says_why_one_is_out():
    def prediction(label, in_scope, reasons=()):
        scope = Scope(in_scope, tuple(reasons), (32, 32), 0.5, 1.0)
        pixels = np.zeros((32, 32, 3), np.uint8)
        overlay = np.zeros((128, 128, 3), np.uint8)
        return Prediction(scope, label, 0.9, 0.9, pixels, np.zeros((32, 32)), overlay)

    results = {
        "cifake_test_REAL_0.png": prediction("FAKE", True),
        "cifake_test_FAKE_1.png": prediction("FAKE", True),
        "camera.png": prediction("FAKE", False, ["resized from 512x512 to 32x32"]),
    }
    truths = {"cifake_test_REAL_0.png": "REAL", "cifake_test_FAKE_1.png": "FAKE"}
    fig = plot_predictions(results, truths | {"camera.png": "REAL"}, "CNN2D, seed 0")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert "FAKE, P(FAKE) 0.90\nWRONG" in titles and "FAKE, P(FAKE) 0.90\nright" in titles
    assert any(t.startswith("out of scope: resized from 512x512") for t in titles)
    assert fig.get_suptitle().startswith("CNN2D, seed 0: model input")

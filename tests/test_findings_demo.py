"""Notebook 06's findings follow its saved predictions."""

import pandas as pd

from cifake_utils.detector import findings


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
    assert "2 of the 3 CIFAKE test images are called correctly" in text
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
    assert "0 of the 1 real photographs" in text and "called FAKE:" in text
    assert findings.known_label("grace_hopper.jpg") == "REAL"
    assert findings.known_label("cifake_test_FAKE_1_x.png") == "FAKE"

"""The runs table measures a model's fit in inference mode, not with dropout on."""

import numpy as np
import tensorflow as tf

from cifake_utils.models import summaries


def test_training_accuracy_is_measured_in_inference_mode(tiny_trained_run, cifake):
    images = cifake.train.images[:400]
    labels = cifake.train.labels[:400]
    scaled = tf.cast(images, tf.float32) / 255.0
    model = tiny_trained_run.model
    inference = np.asarray(model(scaled, training=False)).ravel()
    expected = float(np.mean((inference >= 0.5) == labels))
    assert summaries.inference_accuracy(tiny_trained_run, images, labels) == expected
    # With dropout on (as training logs it) the same model gives other, varying outputs.
    dropped = np.asarray(model(scaled, training=True)).ravel()
    assert not np.allclose(dropped, inference)

    table = summaries.summarise_runs([tiny_trained_run], (images, labels))
    assert table.loc[0, "train_accuracy_inference"] == expected
    assert "train_accuracy_inference" not in summaries.summarise_runs([tiny_trained_run])
    spread = summaries.mean_and_spread(table)
    assert spread.loc["modified_cnn2d", "train_accuracy_inference_mean"] == expected

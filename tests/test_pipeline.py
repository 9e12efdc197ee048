import numpy as np
import pytest
import tensorflow as tf

from cifake_utils.data.pipeline import make_dataset


@pytest.fixture(scope="module")
def sample(cifake):
    split = cifake.test.subset(np.arange(0, 20_000, 100))  # 200 real images, both labels
    return split.images, split.labels


def first_labels(dataset: tf.data.Dataset) -> np.ndarray:
    return np.concatenate([labels.numpy() for _, labels in dataset])


def test_batches_are_scaled_float_images_and_int_labels(sample):
    images, labels = sample
    batches = list(make_dataset(images, labels, batch_size=64))
    assert [len(b[0]) for b in batches] == [64, 64, 64, 8]
    first_images, first_batch_labels = batches[0]
    assert first_images.dtype == tf.float32 and first_batch_labels.dtype == tf.int32
    assert first_images.shape[1:] == (32, 32, 3)
    np.testing.assert_allclose(first_images.numpy(), images[:64] / 255.0, rtol=1e-6)
    assert 0.0 <= float(tf.reduce_min(first_images)) <= float(tf.reduce_max(first_images)) <= 1.0


def test_unshuffled_order_is_the_array_order(sample):
    images, labels = sample
    np.testing.assert_array_equal(first_labels(make_dataset(images, labels)), labels)


def test_shuffle_is_seeded_and_reshuffles_each_epoch(sample):
    images, labels = sample
    order = np.arange(len(labels))  # labels carry the index, to read the order back
    a = make_dataset(images, order, batch_size=50, shuffle=True, seed=7)
    b = make_dataset(images, order, batch_size=50, shuffle=True, seed=7)
    c = make_dataset(images, order, batch_size=50, shuffle=True, seed=8)
    epoch_a1, epoch_a2 = first_labels(a), first_labels(a)
    np.testing.assert_array_equal(epoch_a1, first_labels(b))
    assert not np.array_equal(epoch_a1, epoch_a2)
    assert not np.array_equal(epoch_a1, first_labels(c))
    assert sorted(epoch_a1) == list(order)


def test_wrong_input_is_refused(sample):
    images, labels = sample
    with pytest.raises(ValueError, match="expected uint8 images"):
        make_dataset(images.astype(np.float32), labels)
    with pytest.raises(ValueError, match="200 images but 10 labels"):
        make_dataset(images, labels[:10])

import numpy as np
import pytest

from cifake_utils.explain import cam, sanity
from cifake_utils.explain import faithfulness as faith
from cifake_utils.models.inference import predict_fake_probability
from cifake_utils.plots import overlay_heatmap


@pytest.fixture(scope="module")
def images(cifake):
    return cifake.test.images[np.arange(0, 20_000, 1_000)]  # 10 REAL, 10 FAKE


@pytest.mark.parametrize("method", list(cam.METHODS))
def test_maps_have_the_input_size_and_are_finite_and_non_negative(
    tiny_trained_model, images, method
):
    maps = cam.class_activation_maps(tiny_trained_model, images, method=method)
    assert maps.shape == (20, 32, 32)
    assert np.isfinite(maps).all()
    assert (maps >= 0).all()
    assert cam.zero_map_share(maps) < 1.0


def test_model_is_untouched_by_explaining_it(tiny_trained_model, images):
    before = predict_fake_probability(tiny_trained_model, images)
    cam.class_activation_maps(tiny_trained_model, images, method="Score-CAM")
    np.testing.assert_array_equal(predict_fake_probability(tiny_trained_model, images), before)
    assert tiny_trained_model.layers[-1].activation.__name__ == "sigmoid"


def test_logit_models_reproduce_the_sigmoid(tiny_trained_model, images):
    single, pair = cam.logit_models(tiny_trained_model)
    x = images / 255.0
    probability = predict_fake_probability(tiny_trained_model, images)
    logit = single.predict(x, verbose=0)[:, 0]
    np.testing.assert_allclose(1 / (1 + np.exp(-logit)), probability, rtol=1e-4, atol=1e-6)
    softmax = np.exp(pair.predict(x, verbose=0))
    softmax /= softmax.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax[:, 1], probability, rtol=1e-4, atol=1e-6)


def test_target_class_changes_the_explanation(tiny_trained_model, images):
    as_fake = cam.class_activation_maps(tiny_trained_model, images, np.ones(20, np.uint8))
    as_real = cam.class_activation_maps(tiny_trained_model, images, np.zeros(20, np.uint8))
    assert not np.allclose(as_fake, as_real)


def test_randomised_model_gives_different_maps(tiny_trained_model, images):
    targets = np.ones(20, np.uint8)
    stages = sanity.randomisation_stages(tiny_trained_model, images, targets, seed=0)
    assert list(stages) == ["trained"] + [
        f"random up to {name}" for name in sanity.WEIGHTED_LAYERS_TOP_DOWN
    ]
    for stage, maps in stages.items():
        if stage != "trained":
            assert not np.allclose(maps, stages["trained"]), stage
    correlations = sanity.cascading_randomisation(stages)
    assert all(len(rho) == 20 for rho in correlations.values())
    assert np.nanmax(np.abs(np.concatenate(list(correlations.values())))) <= 1.0


def test_normalisation_per_image_and_global():
    maps = np.zeros((3, 4, 4), np.float32)
    maps[0, 0, 0], maps[1, 1, 1] = 2.0, 0.5
    per_image = cam.normalise_maps(maps, "image")
    assert per_image[0].max() == per_image[1].max() == 1.0 and per_image[2].max() == 0.0
    assert cam.normalise_maps(maps, "global")[1].max() == 0.25
    assert cam.zero_map_share(maps) == pytest.approx(1 / 3)


def test_border_share_of_uniform_and_framed_maps():
    uniform = np.ones((1, 32, 32))
    assert cam.border_share(uniform)[0] == pytest.approx(cam.ring_area_share(32, 4))
    centre = np.zeros((1, 32, 32))
    centre[0, 10:20, 10:20] = 1
    assert cam.border_share(centre)[0] == 0.0
    assert np.isnan(cam.border_share(np.zeros((1, 32, 32)))[0])


def test_deletion_of_everything_and_insertion_of_everything_meet(tiny_trained_model, images):
    targets = (predict_fake_probability(tiny_trained_model, images) >= 0.5).astype(np.uint8)
    maps = cam.class_activation_maps(tiny_trained_model, images, targets)
    curves = faith.deletion_insertion_curves(
        tiny_trained_model, images, maps, targets, "neutral", steps=4
    )
    assert curves["deletion"].shape == curves["insertion"].shape == (20, 5)
    # Nothing deleted = the original image = everything inserted, and the reverse.
    np.testing.assert_allclose(curves["deletion"][:, 0], curves["insertion"][:, -1], atol=1e-6)
    np.testing.assert_allclose(curves["deletion"][:, -1], curves["insertion"][:, 0], atol=1e-6)
    assert (curves["deletion"][:, 0] >= 0.5).all()  # the target is the predicted class
    areas = faith.area_under_curve(curves["deletion"])
    assert areas.shape == (20,) and ((areas >= 0) & (areas <= 1)).all()


def test_baselines_and_replacements():
    assert faith.random_maps(2, seed=1).shape == (2, 32, 32)
    np.testing.assert_array_equal(faith.random_maps(2, seed=1), faith.random_maps(2, seed=1))
    prior = faith.centre_prior_maps(1)[0]
    assert prior[15, 15] == prior.max() and prior[0, 0] == prior.min()
    image = np.random.default_rng(0).integers(0, 256, (1, 32, 32, 3), dtype=np.uint8)
    assert (faith.replacement_images(image, "neutral") == 128).all()
    blurred = faith.replacement_images(image, "blur")
    assert blurred.dtype == np.uint8 and blurred.std() < image.std()
    with pytest.raises(ValueError, match="neutral' or 'blur"):
        faith.replacement_images(image, "noise")


def test_overlay_is_an_upsampled_rgb_image(images):
    heatmap = np.zeros((32, 32))
    heatmap[:16] = 1.0
    overlay = overlay_heatmap(images[0], heatmap, scale=4)
    assert overlay.shape == (128, 128, 3) and overlay.dtype == np.uint8
    unchanged = overlay_heatmap(images[0], heatmap, scale=4, alpha=0.0)
    np.testing.assert_array_equal(unchanged[::4, ::4], images[0])


def test_unknown_method_is_refused(tiny_trained_model, images):
    with pytest.raises(ValueError, match="unknown method 'LIME'"):
        cam.class_activation_maps(tiny_trained_model, images, method="LIME")

import math

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf
from keras import layers

from cifake_utils.explain import cam, geometry, imputation, road, sanity
from cifake_utils.explain import comparisons as compare
from cifake_utils.explain import faithfulness as faith
from cifake_utils.models.architectures import ARCHITECTURES, build_model
from cifake_utils.models.inference import predict_fake_probability
from cifake_utils.models.training import TrainConfig, train_model
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


def test_grad_cam_scores_plus_the_logit_for_fake_and_minus_it_for_real():
    logits = tf.constant([[2.0], [2.0], [-3.0]])
    score = cam.target_score(np.array([1, 0, 0]), "Grad-CAM")(logits)
    np.testing.assert_allclose(score, [2.0, -2.0, 3.0])
    # Score-CAM takes each image's target column of the pair [0, z] (its softmax is the
    # class probabilities): REAL is column 0, FAKE column 1.
    pair = tf.constant([[0.0, 2.0], [0.0, 2.0]])
    np.testing.assert_allclose(cam.target_score(np.array([1, 0]), "Score-CAM")(pair), [2.0, 0.0])


def red_green_model() -> keras.Model:
    """A real sigmoid model whose logit is worked out by hand: a 1x1 convolution copies red to
    channel 0 and green to channel 1 (ReLU), and the output unit weighs every channel-0 cell +1
    and every channel-1 cell -1, so z = sum(red) - sum(green)."""
    inputs = keras.Input((32, 32, 3))
    features = layers.Conv2D(2, 1, activation="relu", name="conv")(inputs)
    output = layers.Dense(1, activation="sigmoid")(layers.Flatten()(features))
    model = keras.Model(inputs, output)
    kernel = np.zeros((1, 1, 3, 2), np.float32)
    kernel[0, 0, 0, 0] = kernel[0, 0, 1, 1] = 1.0
    model.layers[1].set_weights([kernel, np.zeros(2, np.float32)])
    weights = np.tile(np.array([1.0, -1.0], np.float32), 32 * 32)[:, None]  # Flatten: c last
    model.layers[-1].set_weights([weights, np.zeros(1, np.float32)])
    return model


def test_grad_cam_explains_the_target_class_worked_by_hand():
    # Left half red, right half green. For FAKE, Grad-CAM differentiates +z: the gradient is +1
    # on every channel-0 cell and -1 on every channel-1 cell, so the channel weights are +1 and
    # -1 and the map is ReLU(red - green): 1 on the left half, 0 on the right. For REAL (-z)
    # the weights flip and so does the map.
    image = np.zeros((1, 32, 32, 3), np.uint8)
    image[0, :, :16, 0] = 255
    image[0, :, 16:, 1] = 255
    model = red_green_model()
    assert cam.target_layer(model) == "conv"
    left = np.zeros((32, 32), np.float32)
    left[:, :16] = 1.0
    fake = cam.class_activation_grids(model, image, np.array([1], np.uint8))
    real = cam.class_activation_grids(model, image, np.array([0], np.uint8))
    np.testing.assert_allclose(fake[0], left, atol=1e-6)
    np.testing.assert_allclose(real[0], 1.0 - left, atol=1e-6)


def test_target_class_changes_the_explanation(tiny_trained_model, images):
    as_fake = cam.class_activation_maps(tiny_trained_model, images, np.ones(20, np.uint8))
    as_real = cam.class_activation_maps(tiny_trained_model, images, np.zeros(20, np.uint8))
    assert not np.allclose(as_fake, as_real)


def test_model_randomisation_changes_the_maps_for_every_method_and_seed(tiny_trained_model, images):
    targets = np.ones(20, np.uint8)
    table, stages = sanity.model_randomisation(
        tiny_trained_model, images, targets, list(cam.METHODS), seeds=(0, 1)
    )
    assert len(table) == 3 * 2 * 4  # methods x seeds x depths
    assert list(stages["Grad-CAM"]) == ["trained"] + [
        f"up to {name}" for name in sanity.WEIGHTED_LAYERS_TOP_DOWN
    ]
    for stage, maps in stages["Grad-CAM"].items():
        assert maps.shape == (20, 13, 13)
        if stage != "trained":
            assert not np.allclose(maps, stages["Grad-CAM"]["trained"]), stage
    assert (table["mean_spearman"].dropna().abs() <= 1).all()
    for column in ("flat_trained", "flat_other", "undefined"):
        assert table[column].between(0, 1).all()
    summary = sanity.summarise_over_seeds(table)
    assert (summary["seeds"] == 2).all()
    assert (summary["sign_invariant"] >= summary["mean_spearman"].abs() - 1e-12).all()
    assert (summary["sign_invariant_max"] >= summary["sign_invariant"] - 1e-12).all()


def test_a_flipped_sign_does_not_average_the_similarity_away():
    table = pd.DataFrame(
        {
            "method": "Grad-CAM",
            "randomised": "up to fake_probability",
            "seed": [0, 1, 2],
            "mean_spearman": [0.8, -0.8, 0.5],
            "flat_trained": 0.0,
            "flat_other": 0.0,
            "undefined": 0.0,
        }
    )
    row = sanity.summarise_over_seeds(table).iloc[0]
    assert row["mean_spearman"] == pytest.approx(0.5 / 3)
    assert row["sign_invariant"] == pytest.approx(0.7)
    assert row["sign_invariant_max"] == pytest.approx(0.8)


def test_reinitialisation_seeds_differ(tiny_trained_model):
    first = sanity.randomise_from_top(tiny_trained_model, 2, seed=0).get_layer("hidden")
    second = sanity.randomise_from_top(tiny_trained_model, 2, seed=1).get_layer("hidden")
    assert not np.allclose(first.kernel.numpy(), second.kernel.numpy())


def test_flat_maps_are_counted_not_dropped():
    trained = np.random.default_rng(0).random((4, 13, 13))
    other = trained.copy()
    other[1] = 0.0  # a flat map: no ranking
    row = sanity.correlation_row(trained, other)
    assert row["images"] == 4 and row["undefined"] == 0.25 and row["flat_other"] == 0.25
    assert row["mean_spearman"] == pytest.approx(1.0)


def test_shuffled_labels_keep_the_label_counts():
    labels = np.repeat(np.array([0, 1], np.uint8), 50)
    shuffled = sanity.shuffled_labels(labels, seed=3)
    assert np.bincount(shuffled).tolist() == [50, 50]
    assert not np.array_equal(shuffled, labels)
    np.testing.assert_array_equal(shuffled, sanity.shuffled_labels(labels, seed=3))


def test_receptive_field_grid_of_the_paper_models():
    for name in ("cnn2d", "modified_cnn2d"):
        grid = geometry.receptive_field_grid(build_model(ARCHITECTURES[name]), "conv2")
        assert grid.cells == 13 and grid.step == 2.0
        assert grid.centres[0] == pytest.approx(3.5)  # conv2 cell (0, 0) -> input pixel 3.5
        assert grid.centres[-1] == pytest.approx(27.5)
        conv1 = geometry.receptive_field_grid(build_model(ARCHITECTURES[name]), "conv1")
        assert conv1.cells == 30 and conv1.centres[0] == 1.0


def test_placed_maps_put_each_cell_at_its_centre():
    grid = geometry.Grid(start=3.5, step=2.0, cells=13, size=32)
    cells = np.zeros((1, 13, 13), np.float32)
    cells[0, 0, 0] = 1.0
    placed = geometry.place_maps(cells, grid)
    assert placed.shape == (1, 32, 32)
    # Pixels 3 and 4 straddle the first centre (3.5); the corner beyond it takes its value.
    assert placed[0, 0, 0] == 1.0 and placed[0, 3, 3] == 1.0
    assert placed[0, 4, 4] == pytest.approx(0.75**2)
    assert placed[0, 8:, :].max() == 0.0
    stretched_wrongly = geometry.place_maps(np.ones((1, 13, 13), np.float32), grid)
    np.testing.assert_allclose(stretched_wrongly, 1.0)


def test_border_share_on_the_receptive_field_grid():
    grid = geometry.Grid(start=3.5, step=2.0, cells=13, size=32)
    assert grid.border_cells(4).tolist() == [True] + [False] * 11 + [True]
    uniform = np.ones((1, 13, 13))
    area = geometry.grid_border_area(grid, 4)
    assert area == pytest.approx(1 - (11 / 13) ** 2)
    assert geometry.grid_border_share(uniform, grid, 4)[0] == pytest.approx(area)
    centre = np.zeros((1, 13, 13))
    centre[0, 5:8, 5:8] = 1
    assert geometry.grid_border_share(centre, grid, 4)[0] == 0.0
    assert np.isnan(geometry.grid_border_share(np.zeros((1, 13, 13)), grid, 4)[0])


def test_smooth_random_baseline_is_as_smooth_as_the_cams(tiny_trained_model, cifake):
    images = cifake.test.images[np.arange(0, 20_000, 100)]  # 200 images, both classes
    grid = geometry.receptive_field_grid(tiny_trained_model, cam.TARGET_LAYER)
    grids = cam.class_activation_grids(tiny_trained_model, images)
    sigma = faith.matching_smoothness(grids)
    cams = geometry.place_maps(grids[~sanity.is_flat(grids)], grid)
    smooth = faith.smooth_random_maps(len(images), grid, sigma, seed=0)
    unsmoothed = faith.smooth_random_maps(len(images), grid, 0.0, seed=0)
    pixel_noise = np.random.default_rng(0).random((len(images), 32, 32))
    cam_smoothness = faith.neighbour_correlation(cams)
    assert faith.neighbour_correlation(smooth) == pytest.approx(cam_smoothness, abs=0.02)
    assert faith.neighbour_correlation(unsmoothed) < cam_smoothness - 0.05
    assert faith.neighbour_correlation(pixel_noise) < 0.1
    again = faith.smooth_random_maps(len(images), grid, sigma, seed=0)
    np.testing.assert_array_equal(smooth, again)


def test_road_imputation_changes_only_the_removed_pixels():
    rng = np.random.default_rng(0)
    image = rng.random((32, 32, 3))
    removed = rng.random((32, 32)) < 0.4
    imputed = imputation.noisy_linear_imputation(image, removed, np.random.default_rng(1))
    np.testing.assert_array_equal(imputed[~removed], image[~removed])
    assert not np.allclose(imputed[removed], image[removed])
    again = imputation.noisy_linear_imputation(image, removed, np.random.default_rng(1))
    np.testing.assert_array_equal(imputed, again)  # seeded noise


def test_road_imputation_without_noise_continues_a_linear_image():
    # Away from the border every pixel is the weighted mean of its neighbours in a linear
    # image, so noiseless imputation of interior holes gives the image back.
    y, x = np.indices((32, 32))
    image = np.stack([0.01 * x + 0.02 * y, 0.5 + 0 * x, 0.003 * x], axis=-1)
    removed = np.zeros((32, 32), bool)
    removed[5:12, 8:20] = True
    removed[20:27:2, 3:29:3] = True
    imputed = imputation.noisy_linear_imputation(
        image, removed, np.random.default_rng(0), noise=0.0
    )
    np.testing.assert_allclose(imputed, image, atol=1e-12)
    with pytest.raises(ValueError, match="every pixel removed"):
        imputation.noisy_linear_imputation(image, np.ones((32, 32), bool), np.random.default_rng(0))


def test_road_curves_have_one_column_per_fraction(tiny_trained_model, images):
    targets = (predict_fake_probability(tiny_trained_model, images) >= 0.5).astype(np.uint8)
    maps = cam.class_activation_maps(tiny_trained_model, images[:6], targets[:6])
    curves = road.road_curves(tiny_trained_model, images[:6], maps, targets[:6], (0.2, 0.8))
    assert curves["MoRF"].shape == curves["LeRF"].shape == (6, 2)
    assert ((curves["MoRF"] >= 0) & (curves["MoRF"] <= 1)).all()
    scores = road.road_scores(curves)
    np.testing.assert_allclose(scores["road_gap"], scores["road_lerf"] - scores["road_morf"])


def test_region_ranks_follow_the_patch_means():
    maps = np.zeros((1, 8, 8))
    maps[0, 4:, 4:] = 1.0  # bottom-right patch first
    maps[0, :4, :4] = 0.5  # then top-left
    ranks = faith.region_ranks(maps, region=4)
    assert (ranks[0, 4:, 4:] == 0).all() and (ranks[0, :4, :4] == 1).all()
    assert {ranks[0, 0, 4], ranks[0, 4, 0]} == {2, 3}
    with pytest.raises(ValueError, match="do not split"):
        faith.region_ranks(np.zeros((1, 6, 6)), region=4)


@pytest.mark.parametrize(
    ("method", "baseline", "expected"),
    [
        (np.linspace(0.5, 1.0, 40), np.linspace(0.4, 0.9, 40), "better"),
        (np.linspace(0.4, 0.9, 40), np.linspace(0.5, 1.0, 40), "worse"),
    ],
)
def test_paired_test_direction(method, baseline, expected):
    higher = compare.paired_test(method, baseline, higher_is_better=True)
    assert higher["verdict"] == expected and higher["p_value"] < 0.05
    lower = compare.paired_test(method, baseline, higher_is_better=False)
    assert lower["verdict"] == ({"better": "worse", "worse": "better"}[expected])
    assert abs(higher["rank_biserial"]) == pytest.approx(1.0)


def test_paired_test_without_a_difference():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=200)
    result = compare.paired_test(noise, rng.permutation(noise), higher_is_better=True)
    assert result["verdict"] == "not significantly different"
    assert compare.paired_test(noise, noise, True)["p_value"] == 1.0


def test_holm_adjustment():
    adjusted = compare.holm(np.array([0.01, 0.04, 0.03, 0.5]))
    np.testing.assert_allclose(adjusted, [0.04, 0.09, 0.09, 0.5])


def test_class_mean_maps_weigh_every_image_equally():
    strong = np.zeros((1, 4, 4))
    strong[0, 0, 0] = 100.0
    weak = np.zeros((2, 4, 4))
    weak[0, 3, 3] = 0.01  # a faint map weighs as much as a strong one
    means = cam.class_mean_maps({"REAL": strong, "FAKE": weak})
    assert means["REAL"][0, 0] == 16.0 and means["REAL"].mean() == pytest.approx(1.0)
    assert means["FAKE"][3, 3] == pytest.approx((16.0 + 1.0) / 2)  # the all-zero map: uniform
    assert means["REAL − FAKE"][0, 0] == pytest.approx(16.0 - 0.5)


def test_normalisation_per_image_and_global():
    maps = np.zeros((3, 4, 4), np.float32)
    maps[0, 0, 0], maps[1, 1, 1] = 2.0, 0.5
    per_image = cam.normalise_maps(maps, "image")
    assert per_image[0].max() == per_image[1].max() == 1.0 and per_image[2].max() == 0.0
    assert cam.normalise_maps(maps, "global")[1].max() == 0.25
    assert cam.zero_map_share(maps) == pytest.approx(1 / 3)


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


def test_baselines_and_replacements(images):
    edges = faith.edge_prior_maps(images[:2])
    assert edges.shape == (2, 32, 32) and (edges >= 0).all()
    flat = np.full((1, 32, 32, 3), 90, np.uint8)
    assert faith.edge_prior_maps(flat).max() == 0.0
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


def test_batch_imputation_does_not_depend_on_the_worker_count():
    rng = np.random.default_rng(0)
    images = rng.random((70, 8, 8, 3))
    removed = rng.random((70, 8, 8)) < 0.5
    one = imputation.impute_batch(images, removed, (0, 1), workers=1)
    two = imputation.impute_batch(images, removed, (0, 1), workers=2)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one[~removed], images[~removed])


def test_shuffled_label_control_memorises_its_labels_without_an_early_stop(cifake, tmp_path):
    chosen = np.arange(0, 100_000, 781)[:128]
    train = (cifake.train.images[chosen], cifake.train.labels[chosen])
    validation = (cifake.test.images[::100], cifake.test.labels[::100])
    recipe = TrainConfig(epochs=1, patience=3, seed=0)
    run = train_model(ARCHITECTURES["cnn2d"], recipe, train, validation, tmp_path / "run", "x")
    images = cifake.test.images[::2000]
    targets = {"cnn2d": np.zeros(len(images), np.uint8)}
    table = sanity.shuffled_label_controls(
        {"cnn2d": run},
        train,
        validation,
        tmp_path / "shuffled",
        images,
        targets,
        ["Grad-CAM"],
        seed=0,
        epochs=40,
        monitor=100,
    )
    row = table.loc[("cnn2d", "Grad-CAM")]
    assert row["epochs"] == 40  # every epoch ran: no early stop on the real validation labels
    assert row["shuffled-label model's fit to its labels"] >= 0.9
    assert 0.3 < row["shuffled labels' agreement with the true ones"] < 0.7
    assert row["true-label model's fit to its labels"] >= 0.9
    # On the 200 real validation labels the shuffled-label model is near chance (a chance
    # accuracy has sd 0.035), and its p-value is the exact two-sided binomial one: X ~
    # Binomial(200, 1/2) is symmetric, so p = 2 P(X <= min(k, 200 - k)), at most 1.
    accuracy = row["shuffled-label model's validation accuracy"]
    k = round(accuracy * 200)
    assert accuracy == k / 200 and 0.35 < accuracy < 0.65
    tail = sum(math.comb(200, i) for i in range(min(k, 200 - k) + 1)) / 2**200
    assert row["shuffled-label validation p vs 50%"] == pytest.approx(min(1.0, 2 * tail))
    # Trained alike on the true labels, the same architecture is well above chance (0.695).
    assert row["true-label model's validation accuracy"] > 0.6
    assert np.isfinite(row["mean_spearman_full_model"])

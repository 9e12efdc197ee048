import numpy as np

from cifake_utils.data import stats


def test_count_table_totals_match_the_data(cifake):
    table = stats.count_table(cifake)
    assert table["total"].tolist() == [50_000, 50_000, 10_000, 10_000]
    assert table.drop(columns="total").sum(axis=1).tolist() == table["total"].tolist()


def test_channel_histograms_are_shares_per_channel():
    images = np.zeros((2, 4, 4, 3), dtype=np.uint8)
    images[0, :, :, 0] = 255
    histograms = stats.channel_histograms(images)
    assert histograms.shape == (256, 3)
    np.testing.assert_allclose(histograms.sum(axis=0), 1.0)
    assert histograms[255, 0] == 0.5 and histograms[0, 0] == 0.5 and histograms[0, 1] == 1.0


def test_mean_image_is_the_pixel_mean(cifake):
    images = cifake.test.images[:10]
    np.testing.assert_allclose(stats.mean_image(images), images.mean(axis=0), rtol=1e-6)


def test_power_spectrum_of_a_vertical_stripe_pattern_peaks_on_the_horizontal_axis():
    x = np.arange(32)
    stripes = (127 + 100 * np.sin(2 * np.pi * 8 * x / 32)).astype(np.uint8)
    images = np.broadcast_to(stripes[None, None, :, None], (3, 32, 32, 3)).copy()
    spectrum = stats.mean_log_power_spectrum(images)
    assert np.isnan(spectrum[16, 16])  # mean removed: no zero-frequency power
    peak = np.unravel_index(np.nanargmax(spectrum), spectrum.shape)
    assert peak in {(16, 8), (16, 24)}  # 8 cycles per image, left and right of the centre


def test_radial_profile_of_a_radial_ramp_is_the_ramp():
    y, x = np.indices((32, 32))
    ramp = np.hypot(y - 16, x - 16)
    radius, profile = stats.radial_profile(ramp)
    assert radius[0] == 1 and radius[-1] == 16
    np.testing.assert_allclose(profile, radius, atol=0.5)


def test_border_and_centre_means_separate_a_dark_frame():
    framed = np.full((32, 32, 3), 200.0, dtype=np.float32)
    framed[:4], framed[-4:], framed[:, :4], framed[:, -4:] = 50, 50, 50, 50
    table = stats.border_and_centre_means({"FAKE": framed}, ring=4)
    assert table.loc["FAKE"].tolist() == [50.0, 200.0, -150.0]


def test_file_size_summary_counts_every_image(cifake):
    summary = stats.file_size_summary(cifake)
    assert summary["count"].sum() == 120_000
    assert (summary["min"] > 0).all()

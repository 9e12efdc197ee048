import numpy as np
import pytest
from matplotlib.figure import Figure

from cifake_utils.data import plots, stats
from cifake_utils.plots import save_figure


@pytest.fixture(scope="module")
def small_split(cifake):
    return cifake.train.subset(np.arange(0, 100_000, 50))  # 2,000 real images


def test_each_figure_renders_and_saves_as_png(small_split, tmp_path):
    by_label = stats.by_label(small_split)
    figures = {
        "grid": plots.plot_sample_grid(small_split, per_label=2, seed=0),
        "means": plots.plot_mean_images({k: stats.mean_image(v) for k, v in by_label.items()}),
        "histograms": plots.plot_channel_histograms(
            {k: stats.channel_histograms(v) for k, v in by_label.items()}
        ),
        "spectra": plots.plot_power_spectra(
            {k: stats.mean_log_power_spectrum(v) for k, v in by_label.items()}
        ),
        "sizes": plots.plot_file_sizes(small_split),
    }
    for name, fig in figures.items():
        assert isinstance(fig, Figure)
        path = save_figure(fig, name, tmp_path / "figures")
        assert path.read_bytes().startswith(b"\x89PNG")


def test_sample_grid_is_seeded(small_split):
    def pixels(seed: int) -> list:
        fig = plots.plot_sample_grid(small_split, per_label=2, seed=seed)
        return [ax.images[0].get_array().tolist() for ax in fig.axes if ax.images]

    assert pixels(3) == pixels(3)
    assert pixels(3) != pixels(4)


def test_near_duplicate_pairs_stand_apart_and_say_which_count(small_split):
    pairs = {0: [(0, 1), (2, 3)], 6: [(4, 5)]}
    fig = plots.plot_near_duplicate_pairs(small_split, small_split, pairs, threshold=4)
    axes = np.array(fig.axes).reshape(2, 6)  # each pair: test, train, then a gap
    assert [len(ax.get_images()) for ax in axes[0]] == [1, 1, 0, 1, 1, 0]
    assert [len(ax.get_images()) for ax in axes[1]] == [1, 1, 0, 0, 0, 0]
    assert axes[0, 0].get_ylabel() == "0 bits\n(counted as\nnear-duplicates)"
    assert axes[1, 0].get_ylabel() == "6 bits\n(not counted)"
    assert axes[0, 3].get_images()[0].get_array().tolist() == small_split.images[2].tolist()


def test_the_radial_panel_draws_fake_minus_real():
    real = np.zeros((32, 32))
    fake = np.full((32, 32), 0.25)  # FAKE has 0.25 more log10 power at every frequency
    ax = plots.plot_power_spectra({"REAL": real, "FAKE": fake}).axes[3]
    difference = ax.lines[0].get_ydata()
    assert np.allclose(difference, 0.25)
    assert "FAKE − REAL" in ax.get_ylabel()

"""Where a convolutional map's cells sit on the input image: receptive-field centres.

With unpadded ("valid") convolutions and pooling, the last convolution's 13x13 map of CNN2D
does not span the whole 32x32 image: its cells' receptive fields are centred on input pixels
3.5, 5.5, ..., 27.5. Stretching the map over the whole image (what tf-keras-vis's resize does)
puts every cell up to 3.5 pixels away from the region it summarises, most of all at the
border. These functions place a map's cells at their receptive-field centres instead.
"""

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers
from scipy import ndimage


@dataclass(frozen=True)
class Grid:
    """A layer's cells along one image axis: cell i is centred on input pixel start + step * i.

    Pixel k of the input covers [k - 0.5, k + 0.5]; `size` is the input's side in pixels.
    """

    start: float
    step: float
    cells: int
    size: int

    @property
    def centres(self) -> np.ndarray:
        return self.start + self.step * np.arange(self.cells)

    def border_cells(self, ring: int) -> np.ndarray:
        """Per cell: is its centre within `ring` pixels of the image's edge?"""
        distance = np.minimum(self.centres + 0.5, self.size - 0.5 - self.centres)
        return distance <= ring


# Layers that move no pixel (augmentation is the identity at inference).
PASS_THROUGH = (
    layers.InputLayer,
    layers.RandomFlip,
    layers.RandomTranslation,
    layers.Rescaling,
    layers.BatchNormalization,
    layers.ReLU,
)


def receptive_field_grid(model: keras.Model, layer_name: str) -> Grid:
    """The receptive-field centres of `layer_name`'s cells, from the layers before it.

    Supports square kernels, "valid" padding (and "same" with stride 1) and dilation 1, which
    covers every model of this study; anything else raises, rather than mislocate a map.
    """
    size = int(model.input_shape[1])
    start, step = 0.0, 1.0
    for layer in model.layers:
        if isinstance(layer, PASS_THROUGH):
            pass
        elif isinstance(layer, layers.Conv2D | layers.MaxPooling2D | layers.AveragePooling2D):
            kernel, stride, padding = _window(layer)
            if padding == "valid":
                start += step * (kernel - 1) / 2
            elif padding != "same" or stride != 1:
                raise ValueError(f"{layer.name}: padding {padding!r} with stride {stride}")
            step *= stride
        else:
            raise ValueError(f"{layer.name}: cannot place a map through a {type(layer).__name__}")
        if layer.name == layer_name:
            return Grid(start, step, int(layer.output.shape[1]), size)
    raise ValueError(f"{model.name} has no layer {layer_name!r} before its head")


def _window(layer: keras.layers.Layer) -> tuple[int, int, str]:
    """(kernel side, stride, padding) of a square convolution or pooling layer."""
    if isinstance(layer, layers.Conv2D):
        kernel, strides = layer.kernel_size, layer.strides
        if tuple(layer.dilation_rate) != (1, 1):
            raise ValueError(f"{layer.name}: dilated convolutions are not supported")
    else:
        kernel, strides = layer.pool_size, layer.strides
    if kernel[0] != kernel[1] or strides[0] != strides[1]:
        raise ValueError(f"{layer.name}: only square kernels and strides are supported")
    return int(kernel[0]), int(strides[0]), layer.padding


def place_maps(grid_maps: np.ndarray, grid: Grid) -> np.ndarray:
    """(n, cells, cells) maps to (n, size, size): each pixel takes the bilinear interpolation
    of the cells around it, with cells at their receptive-field centres; pixels beyond the
    outermost centres take the outermost cell's value."""
    grid_maps = np.asarray(grid_maps, dtype=np.float32)
    if grid_maps.shape[1:] != (grid.cells, grid.cells):
        raise ValueError(f"expected (n, {grid.cells}, {grid.cells}) maps, got {grid_maps.shape}")
    position = (np.arange(grid.size) - grid.start) / grid.step  # pixel -> cell coordinate
    rows, columns = np.meshgrid(position, position, indexing="ij")
    return np.stack(
        [ndimage.map_coordinates(m, [rows, columns], order=1, mode="nearest") for m in grid_maps]
    ).astype(np.float32)


def grid_border_share(grid_maps: np.ndarray, grid: Grid, ring: int = 4) -> np.ndarray:
    """Per map: the share of its mass in cells centred within `ring` pixels of the edge
    (NaN for an all-zero map)."""
    border_1d = grid.border_cells(ring)
    border = border_1d[:, None] | border_1d[None, :]
    total = grid_maps.sum(axis=(1, 2))
    on_border = grid_maps[:, border].sum(axis=1)
    return np.divide(on_border, total, out=np.full(len(grid_maps), np.nan), where=total > 0)


def grid_border_area(grid: Grid, ring: int = 4) -> float:
    """The border cells' share of all cells: what a uniform map puts on the border."""
    border_1d = grid.border_cells(ring)
    return float(np.mean(border_1d[:, None] | border_1d[None, :]))

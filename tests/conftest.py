"""Shared fixtures: the real CIFAKE copy in ../shared and small real copies built from it."""

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cifake_utils.data.loading import CifakeData, DataConfig, load_cifake
from cifake_utils.data.sources import GROUPS
from cifake_utils.paths import project_root

SHARED_CIFAKE = project_root().parent / "shared" / "data" / "cifake"


@pytest.fixture(scope="session")
def shared_cifake() -> Path:
    """The read-only full CIFAKE copy that tests and CI use."""
    if not (SHARED_CIFAKE / "cifake_test_REAL.zip").is_file():
        pytest.fail(f"CIFAKE is expected at {SHARED_CIFAKE} (see README: Data)")
    return SHARED_CIFAKE


@pytest.fixture(scope="session")
def cifake(shared_cifake: Path) -> CifakeData:
    """All 120,000 images, from the project's cache (built on first use)."""
    return load_cifake(DataConfig(cifake_dir=shared_cifake), progress=False)


@pytest.fixture(scope="session")
def real_jpegs(shared_cifake: Path) -> dict[str, list[tuple[str, bytes]]]:
    """The first 6 real JPEG files of each group, as (file name, bytes)."""
    picked: dict[str, list[tuple[str, bytes]]] = {}
    for group in GROUPS:
        split, label = group.split("/")
        with zipfile.ZipFile(shared_cifake / f"cifake_{split}_{label}.zip") as archive:
            names = sorted(n for n in archive.namelist() if not n.endswith("/"))[:6]
            picked[group] = [(n.rsplit("/", 1)[1], archive.read(n)) for n in names]
    return picked


@pytest.fixture
def make_folder_copy(
    tmp_path: Path, real_jpegs: dict[str, list[tuple[str, bytes]]]
) -> Callable[..., Path]:
    """Build an extracted-folder CIFAKE copy of real images under tmp_path; return its root."""

    def build(name: str = "cifake", per_group: int = 6) -> Path:
        root = tmp_path / name
        for group, files in real_jpegs.items():
            (root / group).mkdir(parents=True)
            for file_name, data in files[:per_group]:
                (root / group / file_name).write_bytes(data)
        return root

    return build


@pytest.fixture
def small_config(tmp_path: Path) -> Callable[..., DataConfig]:
    """A DataConfig for a small copy: its own cache folder, no full-size count check."""

    def config(cifake_dir: Path, **changes) -> DataConfig:
        return DataConfig(
            cifake_dir=cifake_dir, cache_dir=tmp_path / "cache", expected_counts=None, **changes
        )

    return config


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """Write an uncompressed zip holding `members` (path inside the zip -> bytes)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def jpeg_bytes(size: tuple[int, int] = (32, 32), mode: str = "RGB") -> bytes:
    """A valid JPEG of the given size and mode."""
    buffer = io.BytesIO()
    Image.new(mode, size, color=128 if mode == "L" else (120, 30, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def tiny_trained_run(cifake: CifakeData, tmp_path_factory):
    """A real Modified CNN2D trained for 2 epochs on 2,000 real CIFAKE images (seeded), with
    its temperature and scope reference fitted as the notebooks fit them."""
    from cifake_utils.detector.reference import calibrate_run
    from cifake_utils.models.architectures import ARCHITECTURES
    from cifake_utils.models.training import TrainConfig, train_model

    train = cifake.train.subset(np.arange(0, 100_000, 50))
    validation = cifake.train.subset(np.arange(25, 100_000, 250))
    run = train_model(
        ARCHITECTURES["modified_cnn2d"],
        TrainConfig(epochs=2, seed=0),
        (train.images, train.labels),
        (validation.images, validation.labels),
        tmp_path_factory.mktemp("tiny_model"),
        cifake.checksum,
    )
    return calibrate_run(run, (train.images, train.labels), (validation.images, validation.labels))


@pytest.fixture(scope="session")
def tiny_trained_model(tiny_trained_run):
    """The Keras model of `tiny_trained_run`."""
    return tiny_trained_run.model


@pytest.fixture(scope="session")
def tiny_model_path(tiny_trained_run, tmp_path_factory) -> Path:
    """`tiny_trained_run` saved as a .keras file with its JSON sidecar."""
    from cifake_utils.models.training import save_run

    return save_run(tiny_trained_run, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def tiny_detector(tiny_model_path):
    """`tiny_model_path` loaded as the command and the web app load a detector."""
    from cifake_utils.models.saved import load_detector

    return load_detector(tiny_model_path, tiny_model_path.parent)


# --- The web app (flaskr's fixtures: app, client, and the login helpers) ---

ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture
def app(tiny_model_path, tmp_path):
    """The app serving the tiny real model, with a test accuracy table and an admin account."""
    from cifake_utils.web import create_app
    from cifake_utils.web.auth import save_admin

    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "04_test_metrics_per_run.csv").write_text(
        "architecture,seed,accuracy\nmodified_cnn2d,0,0.9123\n"
    )
    app = create_app(
        {
            "TESTING": True,
            "MODELS_DIR": str(tiny_model_path.parent),
            "METRICS_DIR": str(metrics),
            "SECRET_KEY": "test",
            "MAX_CONTENT_LENGTH": 200_000,
            "MAX_IMAGE_BYTES": 100_000,
        },
        instance_path=tmp_path / "instance",
    )
    save_admin(tmp_path / "instance" / "admin.json", "boss", ADMIN_PASSWORD)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def jpeg(real_jpegs, tiny_detector) -> bytes:
    """A real CIFAKE test JPEG that the tiny detector holds in scope: the most typical of twelve
    in its features (any single image may be among the 5% held out of scope)."""
    from cifake_utils.detector.predict import predict_image

    candidates = [data for group in ("test/REAL", "test/FAKE") for _, data in real_jpegs[group]]
    return min(candidates, key=lambda data: predict_image(tiny_detector, data).scope.score)


def csrf_token(client, url: str = "/") -> str:
    """The CSRF token of the form on `url`."""
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def upload(data: bytes, name: str = "image.jpg") -> dict:
    """Form data with `data` as the `image` file."""
    return {"image": (io.BytesIO(data), name)}


def login(client, password: str = ADMIN_PASSWORD, next_page: str | None = None):
    """Log in as the fixture's admin through the form; returns the response."""
    url = "/admin/login" if next_page is None else f"/admin/login?next={next_page}"
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, "/admin/login"),
            "username": "boss",
            "password": password,
        },
    )

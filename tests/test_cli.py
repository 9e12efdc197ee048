"""The `cifake` command, run as a user runs it: a subprocess of the installed script."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import skimage

from .test_user_images import big_png_header

CIFAKE = Path(sys.executable).parent / "cifake"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CIFAKE), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def images(tmp_path, real_jpegs) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    for group in ("test/REAL", "test/FAKE"):
        for name, data in real_jpegs[group][:2]:
            (folder / f"{group.split('/')[1]}_{name}").write_bytes(data)
    return folder


def test_one_image_prints_verdict_model_and_writes_a_heatmap(images, tiny_model_path, tmp_path):
    image = sorted(images.iterdir())[0]
    result = run(
        "predict",
        str(image),
        "--model",
        str(tiny_model_path),
        "--heatmap",
        "heat.png",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith(str(image))
    # "<image>  in scope  FAKE  P(FAKE)=0.731 (calibrated)": the label is the verdict of the
    # probability it prints (0.5, the study's threshold; three decimals print 0.500 only for
    # a probability in [0.4995, 0.5005), where the printed value cannot tell).
    label, probability = re.search(
        r"(REAL|FAKE)  P\(FAKE\)=([0-9.]+) \(calibrated\)", line
    ).groups()
    assert float(probability) != 0.5
    assert label == ("FAKE" if float(probability) > 0.5 else "REAL")
    assert f"model {tiny_model_path}" in result.stderr and "data checksum" in result.stderr
    assert "temperature" in result.stderr
    assert "in scope is not trustworthy: the detector has seen one generator only" in (
        result.stderr
    )
    assert (tmp_path / "heat.png").read_bytes().startswith(b"\x89PNG")


def test_folder_gives_a_table_a_csv_and_json(images, tiny_model_path, tmp_path):
    result = run(
        "predict",
        str(images),
        "--model",
        str(tiny_model_path),
        "--csv",
        "out.csv",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    for row in rows:
        assert row["label"] == ("FAKE" if row["fake_probability"] >= 0.5 else "REAL")
        assert row["original_size"] == "32x32" and row["atypicality_threshold"] > 0
        assert row["in_scope"] == (row["atypicality"] <= row["atypicality_threshold"])
        assert row["in_scope"] == (row["scope_reason"] == "")
    with open(tmp_path / "out.csv") as handle:
        table = list(csv.DictReader(handle))
    assert [row["image"] for row in table] == [row["image"] for row in rows]
    assert {"in_scope", "scope_reason", "fake_probability", "raw_fake_probability"} <= set(table[0])
    assert "4 classified" in result.stderr


def test_every_bad_input_gets_one_line_and_the_rest_of_the_batch_still_runs(
    images, tiny_model_path, tmp_path
):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.jpg").write_bytes(b"")
    (bad / "notes.png").write_text("these are notes")
    good = sorted(images.iterdir())[0]
    (bad / "cut.jpg").write_bytes(good.read_bytes()[:200])
    (bad / "bomb.png").write_bytes(big_png_header(20_000, 20_000))
    (tmp_path / "no_images").mkdir()
    inputs = [
        "missing.jpg",
        "no_images",
        "bad/empty.jpg",
        "bad/notes.png",
        "bad/cut.jpg",
        "bad/bomb.png",
        str(good),
    ]
    result = run("predict", *inputs, "--model", str(tiny_model_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    expected = [
        "missing.jpg: no such file",
        "no_images: folder holds no image",
        "empty.jpg: empty file",
        "notes.png: not an image",
        "cut.jpg: corrupt or truncated",
        "bomb.png: image too large",
    ]
    assert len(errors) == len(expected)
    for fragment in expected:
        assert any(fragment in line for line in errors), fragment
    assert len(result.stdout.splitlines()) == 1 and str(good) in result.stdout


def test_a_missing_model_is_a_clear_error(images, tmp_path):
    result = run("predict", str(images), "--model", "nowhere.keras", cwd=tmp_path)
    assert result.returncode == 1
    assert "error: cannot load the model: nowhere.keras: no such model file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--csv", "existing_folder"], "--csv existing_folder: is a folder"),
        (["--heatmap", "one.png"], "--heatmap one.png: 4 images need a folder"),
        (["--heatmap", "a_file.txt"], "--heatmap a_file.txt: 4 images need a folder"),
    ],
)
def test_impossible_output_paths_are_one_line_errors_before_any_work(
    images, tiny_model_path, tmp_path, options, message
):
    (tmp_path / "existing_folder").mkdir()
    (tmp_path / "a_file.txt").write_text("keep me")
    result = run("predict", str(images), "--model", str(tiny_model_path), *options, cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {message}")
    assert result.stdout == "" and (tmp_path / "a_file.txt").read_text() == "keep me"


def test_heatmaps_of_images_with_the_same_name_do_not_overwrite_each_other(
    real_jpegs, tiny_model_path, tmp_path
):
    for folder, (_, data) in zip(("a", "b"), real_jpegs["test/REAL"][:2], strict=True):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.jpg").write_bytes(data)
    result = run(
        "predict", "a/x.jpg", "b/x.jpg", "--model", str(tiny_model_path), "--heatmap", "heat",
        "--json", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    written = sorted(json.loads(line)["heatmap"] for line in result.stdout.splitlines())
    assert written == ["heat/x_heatmap.png", "heat/x_heatmap_2.png"]
    first, second = ((tmp_path / path).read_bytes() for path in written)
    assert first != second  # two different images, two different overlays


def test_a_heatmap_folder_works_for_one_image_too(images, tiny_model_path, tmp_path):
    (tmp_path / "heat").mkdir()
    image = sorted(images.iterdir())[0]
    result = run(
        "predict", str(image), "--model", str(tiny_model_path), "--heatmap", "heat", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "heat" / f"{image.stem}_heatmap.png").is_file()


def test_a_photograph_larger_than_32x32_is_out_of_scope_with_its_size_and_exits_0(
    tiny_model_path, tmp_path
):
    photo = Path(skimage.data.__path__[0]) / "astronaut.png"
    result = run("predict", str(photo), "--model", str(tiny_model_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{photo}  OUT OF SCOPE: the image is 512x512 and had to be shrunk")
    assert "model's score, not to be relied on" in line
    as_json = run("predict", str(photo), "--model", str(tiny_model_path), "--json", cwd=tmp_path)
    row = json.loads(as_json.stdout)
    assert row["in_scope"] is False and row["original_size"] == "512x512"


def test_cifake_test_images_are_judged_in_scope_by_the_served_model(images, tmp_path):
    """The default model (outputs/models) holds most CIFAKE test images in scope."""
    result = run("predict", str(images), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(row["in_scope"] for row in rows)
    assert all(row["in_scope"] or row["scope_reason"].startswith("its features") for row in rows)
    text = run("predict", str(sorted(images.iterdir())[0]), cwd=tmp_path).stdout
    assert "in scope" in text or "OUT OF SCOPE: its features" in text

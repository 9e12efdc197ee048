"""Admin pages: choosing the served model and evaluating a labelled zip."""

import io
import zipfile
from pathlib import Path

import pytest

from .conftest import csrf_token, login
from .test_user_images import big_png_header


def test_admin_chooses_the_served_model_by_name_only(client, app):
    login(client)
    bad = client.post(
        "/admin/model",
        data={"csrf_token": csrf_token(client, "/admin/"), "model": "../../etc/passwd"},
    )
    assert bad.status_code == 400
    good = client.post(
        "/admin/model",
        data={"csrf_token": csrf_token(client, "/admin/"), "model": "modified_cnn2d_seed0"},
    )
    assert good.status_code == 302
    assert (Path(app.instance_path) / "serving_model.txt").read_text() == "modified_cnn2d_seed0"


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def evaluate(client, data: bytes):
    return client.post(
        "/admin/evaluate",
        data={
            "csrf_token": csrf_token(client, "/admin/"),
            "testset": (io.BytesIO(data), "set.zip"),
        },
        content_type="multipart/form-data",
    )


def test_admin_evaluates_a_labelled_zip(client, real_jpegs):
    login(client)
    members = {
        f"{group}/{name}": data
        for group in ("test/REAL", "test/FAKE")
        for name, data in real_jpegs[group]
    }
    members["test/FAKE/broken.jpg"] = b"not a jpeg"
    page = evaluate(client, make_zip(members)).get_data(as_text=True)
    assert "12 images evaluated, 1 could not be read" in page
    assert "accuracy" in page and "Confusion matrix" in page
    assert "Accuracy per CIFAR-10 class" in page and "broken.jpg" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK not really a zip", "not a zip file"),
        (make_zip({"photos/cat.jpg": b"x"}), "no member like test/REAL"),
    ],
)
def test_bad_zips_are_explained(client, data, message):
    login(client)
    response = evaluate(client, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_zip_bomb_limits(client, app, real_jpegs):
    login(client)
    app.config["MAX_ZIP_UNCOMPRESSED_BYTES"] = 1_000
    members = {f"test/REAL/{name}": data for name, data in real_jpegs["test/REAL"]}
    response = evaluate(client, make_zip(members))
    assert response.status_code == 400 and "unpacks to more than" in response.get_data(True)
    app.config.update(MAX_ZIP_UNCOMPRESSED_BYTES=10**9, MAX_ZIP_IMAGES=3)
    assert "at most 3" in evaluate(client, make_zip(members)).get_data(as_text=True)


def flag_member(data: bytes, name: str, flag_bits: int | None = None, method: int | None = None):
    """A zip with the named member's general-purpose flags or compression method rewritten in
    both its local header and its central-directory entry (what encrypting tools write)."""
    data = bytearray(data)
    encoded = name.encode()
    for signature, flags_at, method_at, name_length_at, name_at in (
        (b"PK\x03\x04", 6, 8, 26, 30),
        (b"PK\x01\x02", 8, 10, 28, 46),
    ):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            length = int.from_bytes(
                data[start + name_length_at : start + name_length_at + 2], "little"
            )
            if bytes(data[start + name_at : start + name_at + length]) == encoded:
                if flag_bits is not None:
                    data[start + flags_at : start + flags_at + 2] = flag_bits.to_bytes(2, "little")
                if method is not None:
                    data[start + method_at : start + method_at + 2] = method.to_bytes(2, "little")
            start += 4
    return bytes(data)


def test_encrypted_or_unsupported_members_are_400s_naming_the_member(client, real_jpegs):
    login(client)
    members = {f"test/REAL/{name}": data for name, data in real_jpegs["test/REAL"][:2]}
    plain = make_zip(members)
    victim = next(iter(members))
    encrypted = evaluate(client, flag_member(plain, victim, flag_bits=0x1))
    assert encrypted.status_code == 400
    assert victim in encrypted.get_data(as_text=True) and "encrypted" in encrypted.get_data(True)
    unsupported = evaluate(client, flag_member(plain, victim, method=99))  # AES (WinZip)
    assert unsupported.status_code == 400
    assert "compression method 99" in unsupported.get_data(as_text=True)


def test_zip_limits_count_decoded_pixels_not_bytes(client, app):
    """Twenty 40-megapixel PNGs pack into a few KB; their pixels are refused before decoding."""
    login(client)
    big = big_png_header(8000, 5000)
    members = {f"test/REAL/{k:02d}.png": big for k in range(20)}
    app.config["MAX_ZIP_PIXELS"] = 64_000_000
    response = evaluate(client, make_zip(members))
    assert response.status_code == 400
    assert "pixels in all" in response.get_data(as_text=True)

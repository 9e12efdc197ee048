"""The public page and the JSON API."""

import io
import re
from pathlib import Path

import pytest
import skimage
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import EnvironBuilder, encode_multipart

from cifake_utils.decision import format_probability

from .conftest import csrf_token, upload
from .test_user_images import big_png_header, encode


def test_index_shows_the_upload_form_and_the_model(client):
    page = client.get("/").get_data(as_text=True)
    assert 'type="file" name="image"' in page and "drop-zone" in page
    assert "Modified CNN2D" in page and "91.23%" in page


def test_upload_shows_verdict_probability_image_and_heatmap(client, jpeg):
    response = client.post(
        "/predict",
        data={"csrf_token": csrf_token(client), **upload(jpeg)},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<h1 id="scope" class="in-scope">Verdict: <span id="verdict"', page)
    css, label = re.search(r'id="verdict" class="verdict (real|fake)">(REAL|FAKE)<', page).groups()
    assert css == label.lower()
    assert "Probability that the image is FAKE" in page and "calibrated" in page
    # The verdict is that of the probability printed beside it, against the study's threshold
    # 0.5 (fixed before any result: P(FAKE) = 0.5 is where both errors cost the same): "0.73",
    # "0.505" near 0.5, or "≥ 0.99" / "≤ 0.01" at the ends. "0.500" could be either side.
    shown = re.search(r"Probability that the image is FAKE: <strong>([^<]+)</strong>", page)[1]
    assert shown != "0.500"
    assert label == ("FAKE" if float(shown.lstrip("≥≤ ")) >= 0.5 else "REAL")
    assert page.count('src="data:image/png;base64,') == 2


def test_upload_without_csrf_token_is_refused(client, jpeg):
    response = client.post("/predict", data=upload(jpeg), content_type="multipart/form-data")
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"", 400, "empty file"),
        (b"GIF89a but not really", 400, "not an image"),
        (b"<html>not an image</html>", 400, "not an image"),
        (b"\xff" * 100_010, 413, "too large"),  # over the image limit
        (b"\xff" * 300_000, 413, "too large"),  # over the whole request's limit
    ],
)
def test_bad_uploads_are_explained_without_a_trace(client, data, status, message):
    page_response = client.post(
        "/predict",
        data={"csrf_token": csrf_token(client), **upload(data)},
        content_type="multipart/form-data",
    )
    api_response = client.post(
        "/api/predict", data=upload(data), content_type="multipart/form-data"
    )
    for response in (page_response, api_response):
        assert response.status_code == status
        assert message in response.get_data(as_text=True)
        assert "Traceback" not in response.get_data(as_text=True)
    assert message in api_response.get_json()["error"]


def test_file_extension_is_ignored_content_is_sniffed(client, jpeg):
    response = client.post(
        "/api/predict", data=upload(jpeg, "holiday.txt"), content_type="multipart/form-data"
    )
    assert response.status_code == 200
    response = client.post(
        "/api/predict", data=upload(b"plain text", "photo.jpg"), content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_missing_file_is_a_400(client):
    response = client.post("/api/predict", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose an image" in response.get_json()["error"]


def test_api_returns_json_with_label_probability_and_heatmap(client, jpeg):
    response = client.post("/api/predict", data=upload(jpeg), content_type="multipart/form-data")
    body = response.get_json()
    assert body["in_scope"] is True and body["scope_reasons"] == []
    assert "one generator only, Stable Diffusion 1.4" in body["scope_limits"]
    assert body["original_size"] == [32, 32]
    assert body["atypicality"] <= body["atypicality_threshold"]
    # The label is the verdict of the probability it comes with (0.5, the study's threshold),
    # and the temperature moves the probability but never across 0.5.
    assert body["label"] == ("FAKE" if body["fake_probability"] >= 0.5 else "REAL")
    assert body["label"] == ("FAKE" if body["raw_fake_probability"] >= 0.5 else "REAL")
    assert 0 < body["fake_probability"] < 1
    assert body["fake_probability"] != body["raw_fake_probability"]
    assert body["model"] == "modified_cnn2d_seed0" and body["test_accuracy"] == 0.9123
    assert body["heatmap_png"].startswith("data:image/png;base64,")


def test_probability_is_shown_no_more_precisely_than_calibration_supports():
    assert format_probability(0.9996) == "≥ 0.99"
    assert format_probability(0.001) == "≤ 0.01"
    assert format_probability(0.5049) == "0.505"  # FAKE: three decimals near the threshold
    assert format_probability(0.497) == "0.497"  # REAL, not "0.50"
    assert format_probability(0.5051) == "0.51" and format_probability(0.4949) == "0.49"


def test_predictions_are_rate_limited_per_client(app, jpeg):
    app.config["PREDICT_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    statuses = [
        client.post(
            "/api/predict", data=upload(jpeg), content_type="multipart/form-data"
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    page = client.post(
        "/predict",
        data={"csrf_token": csrf_token(client), **upload(jpeg)},
        content_type="multipart/form-data",
    )
    assert page.status_code == 429 and "Too many requests" in page.get_data(as_text=True)


def test_decoding_waits_for_a_free_slot_and_then_answers_busy(app, jpeg):
    app.config["DECODE_WAIT_SECONDS"] = 0.05
    slots = app.extensions["cifake_decode_slots"]
    taken = [slots.acquire(blocking=False) for _ in range(app.config["DECODE_SLOTS"])]
    assert all(taken)  # every slot held, as by uploads in flight
    try:
        busy = app.test_client().post(
            "/api/predict", data=upload(jpeg), content_type="multipart/form-data"
        )
    finally:
        for _ in taken:
            slots.release()
    assert busy.status_code == 503 and "busy" in busy.get_json()["error"]
    after = app.test_client().post(
        "/api/predict", data=upload(jpeg), content_type="multipart/form-data"
    )
    assert after.status_code == 200


def test_a_large_16_bit_png_is_refused_before_it_is_decoded(client):
    # 6300x6300 16-bit grey: 81 KB on the wire, 79 MB decoded, 300+ MB through float64.
    data = big_png_header(6300, 6300, mode="I;16")
    response = client.post("/api/predict", data=upload(data), content_type="multipart/form-data")
    assert response.status_code == 400 and "MiB to decode" in response.get_json()["error"]


def test_the_body_is_not_read_past_the_image_limit(app):
    """A public upload may not make the server read and buffer the admin zip's 64 MB."""
    app.config.update(MAX_CONTENT_LENGTH=64 * 2**20, MAX_IMAGE_BYTES=100_000)
    boundary, body = encode_multipart({"image": FileStorage(io.BytesIO(b"\xff" * 1_000_000), "x")})
    stream = io.BytesIO(body)  # in memory: the test client would spool it to a temporary file
    builder = EnvironBuilder(
        path="/api/predict",
        method="POST",
        input_stream=stream,
        content_type=f"multipart/form-data; boundary={boundary}",
        content_length=len(body),
    )
    response = app.test_client().open(builder)
    assert response.status_code == 413
    assert stream.tell() < 200_000  # refused from its length, not after reading it


def test_a_large_photograph_leads_with_out_of_scope_and_links_the_measurements(client):
    photo = encode(Image.open(Path(skimage.data.__path__[0]) / "astronaut.png"), "JPEG")
    response = client.post(
        "/predict",
        data={"csrf_token": csrf_token(client), "image": (io.BytesIO(photo), "astronaut.jpg")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 id="scope" class="out-of-scope">Out of scope</h1>' in page
    assert page.index("Out of scope") < page.index('id="verdict"')  # the score comes second
    assert "the image is 512x512 and had to be shrunk to 32x32" in page
    assert 'href="/scope"' in page
    about = client.get("/scope").get_data(as_text=True)
    assert "What the detector can judge" in about

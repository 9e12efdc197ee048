"""The public page and the JSON API: one image in, verdict, probability and heatmap out."""

import threading

from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, request

from ..decision import format_probability
from ..detector.predict import Prediction, predict_image
from ..detector.scope import GENERATORS_NOTE
from ..images import ImageReadError
from ..models.architectures import DISPLAY_NAMES
from ..robustness.findings import user_guidance
from .encoding import png_data_uri
from .extensions import limiter
from .serving import registry

bp = Blueprint("predict", __name__)
# One budget per client for the page and the API together.
prediction_limit = limiter.shared_limit(
    lambda: current_app.config["PREDICT_RATE_LIMIT"], scope="predictions"
)
MULTIPART_OVERHEAD = 64 * 2**10  # the form's boundaries, headers and CSRF field


def uploaded_image() -> bytes:
    """The bytes of the request's `image` file; 400 if absent, 413 if too large.

    The request body is capped before it is parsed, so an anonymous upload is never read
    past the image limit.
    """
    limit = current_app.config["MAX_IMAGE_BYTES"]
    request.max_content_length = limit + MULTIPART_OVERHEAD
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        abort(400, "Choose an image file to upload.")
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        abort(413)
    return data


def classify(data: bytes) -> Prediction:
    """Verdict for an upload, at most DECODE_SLOTS at a time; 503 if none frees up in time.

    Raises ImageReadError for an unreadable upload.
    """
    slots: threading.BoundedSemaphore = current_app.extensions["cifake_decode_slots"]
    if not slots.acquire(timeout=current_app.config["DECODE_WAIT_SECONDS"]):
        abort(503, "The server is busy; try again in a moment.")
    try:
        # The client's file name is never used, not even in messages.
        models = registry()
        return predict_image(models.current(), data, "the upload", models.resampling)
    finally:
        slots.release()


def page_context() -> dict:
    detector = registry().current()
    return {
        "info": detector.info,
        "names": DISPLAY_NAMES,
        "accuracy": registry().test_accuracy(detector.info),
    }


@bp.get("/")
def index():
    return render_template("index.html", **page_context())


@bp.post("/predict")
@prediction_limit
def predict_page():
    data = uploaded_image()
    try:
        result = classify(data)
    except ImageReadError as error:
        return render_template("index.html", error=str(error), **page_context()), 400
    return render_template(
        "result.html",
        result=result,
        probability=format_probability(result.fake_probability),
        raw_probability=format_probability(result.raw_fake_probability),
        image_uri=png_data_uri(result.pixels, scale=4),
        overlay_uri=png_data_uri(result.overlay),
        generators_note=GENERATORS_NOTE,
        **page_context(),
    )


@bp.post("/api/predict")
@prediction_limit
def api_predict():
    data = uploaded_image()
    try:
        result = classify(data)
    except ImageReadError as error:
        return jsonify({"error": str(error)}), 400
    info = registry().current().info
    scope = result.scope
    return jsonify(
        {
            "in_scope": scope.in_scope,
            "scope_reasons": list(scope.reasons),
            "scope_limits": GENERATORS_NOTE,
            "original_size": list(scope.original_size),
            "atypicality": scope.score,
            "atypicality_threshold": scope.threshold,
            "label": result.label,
            "fake_probability": result.fake_probability,
            "raw_fake_probability": result.raw_fake_probability,
            "model": info.path.stem,
            "data_checksum": info.data_checksum,
            "test_accuracy": registry().test_accuracy(info),
            "heatmap_png": png_data_uri(result.overlay),
        }
    )


@bp.get("/scope")
def scope_page():
    """What the study measured about the detector's limits, for a user (notebooks 07, 08)."""
    guidance = user_guidance(registry().robustness, registry().beyond)
    items = [line.removeprefix("- ").replace("**", "") for line in guidance.splitlines()]
    return render_template("scope.html", items=items, **page_context())


def init_app(app: Flask) -> None:
    """At most DECODE_SLOTS uploads are decoded and classified at once."""
    app.extensions["cifake_decode_slots"] = threading.BoundedSemaphore(app.config["DECODE_SLOTS"])

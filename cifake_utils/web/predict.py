"""The public page and the JSON API: one image in, verdict, probability and heatmap out."""

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from ..evaluation import DISPLAY_NAMES
from ..prediction import ImageReadError, predict_image
from .images import png_data_uri

bp = Blueprint("predict", __name__)


def uploaded_image() -> tuple[bytes, str]:
    """The bytes of the request's `image` file; 400 if absent, 413 if too large."""
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        abort(400, "Choose an image file to upload.")
    limit = current_app.config["MAX_IMAGE_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        abort(413)
    return data, "the upload"  # the client's file name is never used as a path


def serving_model():
    registry = current_app.extensions["cifake_models"]
    info, model = registry.current()
    return registry, info, model


@bp.get("/")
def index():
    registry, info, _ = serving_model()
    return render_template(
        "index.html", info=info, names=DISPLAY_NAMES, accuracy=registry.test_accuracy(info)
    )


@bp.post("/predict")
def predict_page():
    registry, info, model = serving_model()
    data, name = uploaded_image()
    try:
        result = predict_image(model, data, name)
    except ImageReadError as error:
        return render_template(
            "index.html",
            info=info,
            names=DISPLAY_NAMES,
            accuracy=registry.test_accuracy(info),
            error=str(error),
        ), 400
    return render_template(
        "result.html",
        result=result,
        info=info,
        names=DISPLAY_NAMES,
        accuracy=registry.test_accuracy(info),
        image_uri=png_data_uri(result.pixels, scale=4),
        overlay_uri=png_data_uri(result.overlay),
    )


@bp.post("/api/predict")
def api_predict():
    registry, info, model = serving_model()
    data, name = uploaded_image()
    try:
        result = predict_image(model, data, name)
    except ImageReadError as error:
        return jsonify({"error": str(error)}), 400
    return jsonify(
        {
            "label": result.label,
            "fake_probability": result.fake_probability,
            "model": info.path.stem,
            "data_checksum": info.data_checksum,
            "test_accuracy": registry.test_accuracy(info),
            "heatmap_png": png_data_uri(result.overlay),
        }
    )

"""Admin pages: choose the served model; evaluate it on an uploaded labelled zip."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from ..data.labelled_zip import ZipLimits, read_labelled_zip
from ..errors import LayoutError
from ..evaluation.labelled import evaluate_labelled
from ..models.architectures import DISPLAY_NAMES
from .auth import login_required
from .encoding import figure_data_uri
from .serving import registry

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@login_required
def dashboard():
    models = [(info, registry().test_accuracy(info)) for info in registry().available()]
    return render_template(
        "admin.html", models=models, serving=registry().serving, names=DISPLAY_NAMES
    )


@bp.post("/model")
@login_required
def choose_model():
    try:
        registry().select(request.form.get("model", ""))
    except KeyError:
        abort(400, "No such model.")
    flash(f"Now serving {registry().serving}.")
    return redirect(url_for("admin.dashboard"))


@bp.post("/evaluate")
@login_required
def evaluate():
    upload = request.files.get("testset")
    if upload is None or not upload.filename:
        abort(400, "Choose a zip file to upload.")
    config = current_app.config
    limits = ZipLimits(
        config["MAX_ZIP_IMAGES"], config["MAX_ZIP_UNCOMPRESSED_BYTES"], config["MAX_ZIP_PIXELS"]
    )
    try:
        labelled = read_labelled_zip(upload.stream.read(), limits)
    except LayoutError as error:
        abort(400, str(error))
    if len(labelled.labels) == 0:
        abort(400, "No image in the zip could be read.")
    detector = registry().current()
    report = evaluate_labelled(detector.model, detector.info.path.stem, labelled)
    return render_template(
        "admin_report.html",
        info=detector.info,
        count=report.count,
        rejected=labelled.rejected,
        headline=report.headline,
        per_class=report.per_class.round(4).to_html(classes="table"),
        figures={title: figure_data_uri(fig) for title, fig in report.figures.items()},
    )

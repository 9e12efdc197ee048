"""Admin pages: choose the served model; evaluate it on an uploaded labelled zip."""

import numpy as np
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import evaluation, evaluation_plots, metrics
from ..errors import LayoutError
from ..labelled_zip import read_labelled_zip
from ..prediction import predict_fake_probability
from .auth import login_required
from .images import figure_data_uri

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@login_required
def dashboard():
    registry = current_app.extensions["cifake_models"]
    models = [(info, registry.test_accuracy(info)) for info in registry.available()]
    return render_template(
        "admin.html", models=models, serving=registry.serving, names=evaluation.DISPLAY_NAMES
    )


@bp.post("/model")
@login_required
def choose_model():
    registry = current_app.extensions["cifake_models"]
    try:
        registry.select(request.form.get("model", ""))
    except KeyError:
        abort(400, "No such model.")
    flash(f"Now serving {registry.serving}.")
    return redirect(url_for("admin.dashboard"))


@bp.post("/evaluate")
@login_required
def evaluate():
    upload = request.files.get("testset")
    if upload is None or not upload.filename:
        abort(400, "Choose a zip file to upload.")
    config = current_app.config
    try:
        labelled = read_labelled_zip(
            upload.stream.read(), config["MAX_ZIP_IMAGES"], config["MAX_ZIP_UNCOMPRESSED_BYTES"]
        )
    except LayoutError as error:
        abort(400, str(error))
    if len(labelled.labels) == 0:
        abort(400, "No image in the zip could be read.")
    registry = current_app.extensions["cifake_models"]
    info, model = registry.current()
    probability = predict_fake_probability(model, labelled.images)
    per_class = metrics.per_class_metrics(labelled.labels, probability)
    figures = {
        "Confusion matrix": evaluation_plots.plot_confusion_matrices(
            {info.path.stem: metrics.confusion(labelled.labels, probability)}
        )
    }
    if (labelled.cifar_classes >= 0).all():
        table = evaluation.per_cifar_class_accuracy(
            labelled.labels, labelled.cifar_classes, probability
        )
        figures["Accuracy per CIFAR-10 class"] = evaluation_plots.plot_per_class_accuracy(
            table, info.path.stem
        )
    both_classes = len(np.unique(labelled.labels)) == 2
    headline = metrics.headline_metrics(labelled.labels, probability) if both_classes else None
    return render_template(
        "admin_report.html",
        info=info,
        count=len(labelled.labels),
        rejected=labelled.rejected,
        headline=headline,
        per_class=per_class.round(4).to_html(classes="table"),
        figures={title: figure_data_uri(fig) for title, fig in figures.items()},
    )

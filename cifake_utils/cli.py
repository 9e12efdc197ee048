"""The `cifake` console command: `cifake predict IMAGE_OR_FOLDER... [--model PATH] [--json]`.

Each answer says first whether the image is in the detector's scope (`detector.scope`); an
image out of scope is reported as such, with the model's score beside it, and exits 0.
"""

import argparse
import csv
import json
import sys
import time
from pathlib import Path

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".mpo"}


class OutputPathError(ValueError):
    """An output option that cannot be honoured; the message is one line for the user."""


def expand_inputs(inputs: list[Path]) -> tuple[list[Path], list[str]]:
    """Files as given, folders as their image files (sorted); and one error per empty folder."""
    files, errors = [], []
    for path in inputs:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
            if not found:
                errors.append(f"{path}: folder holds no image (.png .jpg .webp .bmp .gif)")
            files.extend(found)
        else:
            files.append(path)
    return files, errors


def heatmap_targets(target: Path, images: list[Path]) -> dict[Path, Path]:
    """Where each image's overlay goes: `target` itself when it names a file (an existing one
    or a new `.png`) and there is one image; else one file per image in the folder `target`,
    named after the image and never shared by two images.

    Raises OutputPathError, before anything is classified, for a target that cannot work.
    """
    names_a_file = target.is_file() or (not target.exists() and target.suffix.lower() == ".png")
    if names_a_file and len(images) > 1:
        raise OutputPathError(f"--heatmap {target}: {len(images)} images need a folder, not a file")
    if names_a_file:
        return {images[0]: target}
    if target.exists() and not target.is_dir():
        raise OutputPathError(f"--heatmap {target}: not a folder")
    targets, taken = {}, set()
    for image in images:
        stem = f"{image.stem}_heatmap"
        name, number = f"{stem}.png", 1
        while name in taken:  # a/x.jpg and b/x.png: x_heatmap.png and x_heatmap_2.png
            number += 1
            name = f"{stem}_{number}.png"
        taken.add(name)
        targets[image] = target / name
    return targets


def check_csv_target(target: Path) -> None:
    """Refuse a --csv path that is a folder, before anything is classified."""
    if target.is_dir():
        raise OutputPathError(f"--csv {target}: is a folder; give a file name such as out.csv")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cifake", description="Is an image REAL or FAKE?")
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser(
        "predict", help="classify images (files or folders) as REAL or FAKE"
    )
    predict.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    predict.add_argument(
        "--model",
        type=Path,
        help="a .keras model (default: the best paper model on validation; notebook 08's is "
        "outputs/models/vgg_bn_seed0.keras)",
    )
    predict.add_argument("--json", action="store_true", help="one JSON object per image")
    predict.add_argument(
        "--heatmap",
        type=Path,
        metavar="OUT",
        help="write the Grad-CAM overlay: a .png file for one image, else a folder",
    )
    predict.add_argument("--csv", type=Path, help="also write the results as CSV")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; exit status 0 when every image was classified, else 1 (or 2 on usage)."""
    args = build_parser().parse_args(argv)
    files, errors = expand_inputs(args.images)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    try:
        heatmaps = heatmap_targets(args.heatmap, files) if args.heatmap and files else {}
        if args.csv:
            check_csv_target(args.csv)
    except OutputPathError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    # TensorFlow loads here, after the arguments are checked.
    from .detector.predict import predict_image, save_png
    from .detector.scope import GENERATORS_NOTE, resampling_accuracies
    from .images import ImageReadError
    from .models.saved import load_detector
    from .project.artifacts import load_json
    from .project.profiles import get_profile

    outputs = get_profile("full")
    try:
        detector = load_detector(args.model, outputs.models_dir)
    except (FileNotFoundError, ValueError, OSError, KeyError) as error:
        print(f"error: cannot load the model: {error}", file=sys.stderr)
        return 1
    robustness_file = outputs.metrics_dir / "07_robustness.json"
    robustness = load_json(robustness_file) if robustness_file.is_file() else None
    resampling = resampling_accuracies(robustness)
    info = detector.info
    print(
        f"model {info.path} ({info.architecture}, seed {info.seed}), "
        f"data checksum {info.data_checksum[:16]}, temperature {info.temperature:.3f}"
        + ("" if info.scope_reference else ", no feature reference: scope by size only"),
        file=sys.stderr,
    )
    print(f"in scope is not trustworthy: {GENERATORS_NOTE}", file=sys.stderr)
    rows = []
    several = len(files) > 1
    for number, path in enumerate(files, start=1):
        start = time.perf_counter()
        try:
            result = predict_image(detector, path, resampling=resampling)
        except ImageReadError as error:
            print(f"error: {error}", file=sys.stderr)
            errors.append(str(error))
            continue
        row = result_row(path, result, time.perf_counter() - start)
        if path in heatmaps:
            try:
                heatmaps[path].parent.mkdir(parents=True, exist_ok=True)
                row["heatmap"] = str(save_png(result.overlay, heatmaps[path]))
            except OSError as error:
                message = f"{heatmaps[path]}: cannot write the heatmap ({error.strerror})"
                print(f"error: {message}", file=sys.stderr)
                errors.append(message)
        rows.append(row)
        if args.json:
            print(json.dumps(row))
        else:
            progress = f"[{number}/{len(files)}] " if several else ""
            print(f"{progress}{path}  {answer_line(result)}")
    if args.csv and rows:
        try:
            write_csv(rows, args.csv)
        except OSError as error:
            print(f"error: {args.csv}: cannot write the CSV ({error.strerror})", file=sys.stderr)
            errors.append(str(error))
    if several:
        out = sum(not r["in_scope"] for r in rows)
        print(
            f"{len(rows)} classified: {out} out of scope, "
            f"{sum(r['in_scope'] and r['label'] == 'FAKE' for r in rows)} FAKE and "
            f"{sum(r['in_scope'] and r['label'] == 'REAL' for r in rows)} REAL in scope; "
            f"{len(errors)} error(s)",
            file=sys.stderr,
        )
    return 1 if errors or not rows else 0


def result_row(path: Path, result, seconds: float) -> dict:
    """One image's answer as the JSON and CSV rows give it: scope first, then the verdict."""
    scope = result.scope
    return {
        "image": str(path),
        "in_scope": scope.in_scope,
        "scope_reason": "; ".join(scope.reasons),
        "original_size": f"{scope.original_size[0]}x{scope.original_size[1]}",
        "atypicality": None if scope.score is None else round(scope.score, 4),
        "atypicality_threshold": None if scope.threshold is None else round(scope.threshold, 4),
        "label": result.label,
        "fake_probability": round(result.fake_probability, 6),
        "raw_fake_probability": round(result.raw_fake_probability, 6),
        "seconds": round(seconds, 3),
    }


def answer_line(result) -> str:
    """The one-line answer: the verdict in scope; "OUT OF SCOPE" and why, score secondary."""
    score = f"{result.label}  P(FAKE)={result.fake_probability:.3f} (calibrated)"
    if result.scope.in_scope:
        return f"in scope  {score}"
    reasons = "; ".join(result.scope.reasons)
    return f"OUT OF SCOPE: {reasons}  (model's score, not to be relied on: {score})"


def write_csv(rows: list[dict], path: Path) -> None:
    """The result rows as CSV (every column that any row has)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    sys.exit(main())

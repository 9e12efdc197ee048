"""The `cifake` console command: `cifake predict IMAGE_OR_FOLDER... [--model PATH] [--json]`."""

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from .paths import project_root

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"}


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


def heatmap_path(target: Path, image: Path, several: bool) -> Path:
    """Where the overlay of `image` goes: `target` itself, or a file in folder `target`."""
    if not several:
        return target
    target.mkdir(parents=True, exist_ok=True)
    return target / f"{image.stem}_heatmap.png"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cifake", description="Is an image REAL or FAKE?")
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser(
        "predict", help="classify images (files or folders) as REAL or FAKE"
    )
    predict.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    predict.add_argument("--model", type=Path, help="a .keras model (default: the study's best)")
    predict.add_argument("--json", action="store_true", help="one JSON object per image")
    predict.add_argument(
        "--heatmap",
        type=Path,
        metavar="OUT.png",
        help="write the Grad-CAM overlay (a folder when several images)",
    )
    predict.add_argument("--csv", type=Path, help="also write the results as CSV")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; exit status 0 when every image was classified, else 1 (or 2 on usage)."""
    args = build_parser().parse_args(argv)
    files, errors = expand_inputs(args.images)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    from . import prediction  # TensorFlow loads here, after the arguments are checked

    try:
        model_path = args.model or prediction.default_model_path(
            project_root() / "outputs" / "models"
        )
        info = prediction.read_model_info(model_path)
        import keras

        model = keras.models.load_model(model_path)
    except (FileNotFoundError, ValueError, OSError, KeyError) as error:
        print(f"error: cannot load the model: {error}", file=sys.stderr)
        return 1
    print(
        f"model {info.path} ({info.architecture}, seed {info.seed}), "
        f"data checksum {info.data_checksum[:16]}",
        file=sys.stderr,
    )
    rows = []
    several = len(files) > 1
    for number, path in enumerate(files, start=1):
        start = time.perf_counter()
        try:
            result = prediction.predict_image(model, path)
        except prediction.ImageReadError as error:
            print(f"error: {error}", file=sys.stderr)
            errors.append(str(error))
            continue
        row = {
            "image": str(path),
            "label": result.label,
            "fake_probability": round(result.fake_probability, 6),
            "seconds": round(time.perf_counter() - start, 3),
        }
        if args.heatmap:
            out = heatmap_path(args.heatmap, path, several)
            out.parent.mkdir(parents=True, exist_ok=True)
            prediction.save_png(result.overlay, out)
            row["heatmap"] = str(out)
        rows.append(row)
        if args.json:
            print(json.dumps(row))
        else:
            progress = f"[{number}/{len(files)}] " if several else ""
            print(f"{progress}{path}  {result.label}  P(FAKE)={result.fake_probability:.4f}")
    if args.csv and rows:
        with open(args.csv, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    if several:
        print(
            f"{len(rows)} classified ({sum(r['label'] == 'FAKE' for r in rows)} FAKE), "
            f"{len(errors)} error(s)",
            file=sys.stderr,
        )
    return 1 if errors or not rows else 0


if __name__ == "__main__":
    sys.exit(main())

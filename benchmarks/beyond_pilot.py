"""Pilot: one VGG-BN run on the full training split, scored on validation only.

A first measurement for notebook 08's search (the beyond-the-paper issue): how far the
candidate gets on validation within a CPU budget on this machine. Prints the validation
accuracy after every epoch with the elapsed minutes, and the CPU it ran on. The test split
is not read. Run with `make beyond-pilot EPOCHS=<n>`.
"""

import argparse
from dataclasses import replace

from cifake_utils.machine import machine_info
from cifake_utils.models.architectures import BEYOND
from cifake_utils.models.training import TrainConfig, train_model
from cifake_utils.study.inputs import load_study_data
from cifake_utils.study.profiles import get_profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    default = list(BEYOND["vgg_bn"].stage_widths)
    parser.add_argument("--widths", type=int, nargs="+", default=default)
    args = parser.parse_args()
    profile = get_profile("full")
    study = load_study_data(profile)
    recipe = TrainConfig(
        epochs=args.epochs,
        batch_size=128,
        optimizer="adamw",
        learning_rate=args.learning_rate,
        weight_decay=0.05,
        patience=None,
        schedule="cosine",
        warmup_epochs=1,
        label_smoothing=0.1,
        augmentation=("flip",),
    )
    config = replace(BEYOND["vgg_bn"], stage_widths=tuple(args.widths))
    widths = "-".join(map(str, args.widths))
    run = train_model(
        config,
        recipe,
        study.arrays("train"),
        study.arrays("validation"),
        profile.checkpoints_dir / "beyond_pilot" / f"vgg_bn_{widths}_{args.epochs}_epochs",
        study.data.checksum,
    )
    machine = machine_info()
    print(
        f"CPU {machine['cpu']}, {machine['cpu_count']} cores; {run.model.count_params():,} "
        f"parameters; {run.seconds / 60:.1f} min for {run.epochs_trained} epochs"
    )
    for epoch, accuracy in enumerate(run.history["val_accuracy"], start=1):
        print(f"epoch {epoch}: validation accuracy {100 * accuracy:.2f}%")


if __name__ == "__main__":
    main()

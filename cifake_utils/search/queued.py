"""The trainings the study's open questions need, as queue jobs (`make train`), in the order
they are drained, and the arrays each trains on.

- the paper's protocol: the public implementation's two models, as it trains them, on
  its 80/20 re-split of the training folder (one split per seed);
- bfloat16 against float32: notebook 08's net in both precisions, 2 seeds, on validation
  (`make benchmark-precision`; a precision is adopted only at equal accuracy);
- where each paper model levels off: one seed, each budget doubled beyond its current one;
- the ablation at equal compute: the four arms at the Modified CNN2D's 40 epochs, one recipe;
- recipe x arm: CNN2D and its two single-change variants under the untuned recipe, beside
  their tuned runs of notebook 03;
- calibration without label smoothing: each paper model with its tuned recipe but no
  smoothing, 2 seeds, beside its smoothed headline seeds (is smoothing what miscalibrates?);
- beyond the paper, first round: VGG-BN nets of several widths and depths at about 0.1 PFLOP
  each, notebook 08's recipe in bfloat16 (adopted by `make benchmark-precision`), two seeds;
  second round: the two best of the first (`make beyond-table`) scaled to 0.5 PFLOP each.
"""

from dataclasses import replace
from pathlib import Path

from ..data.loading import CifakeData, CifakeSplit
from ..data.resplit import resplit_arrays
from ..data.splits import stratified_sample
from ..models.architectures import BEYOND, TEMPLATE, ModelConfig
from ..models.jobs import TrainingData, train_jobs
from ..models.queue import QueuedJob, QueueFolders, landed_model, plan, queue_running
from ..models.training import TrainConfig, TrainingRun, load_run, save_run
from ..paths import project_root
from ..project.profiles import Profile
from . import beyond_round, recipes
from .beyond_search import RECIPE as BEYOND_RECIPE
from .beyond_search import chosen_configs
from .chosen import EQUAL_COMPUTE_EPOCHS, final_recipe

STUDY_SPLIT = "study split"  # notebook 01's training and validation split
RESPLIT = "template re-split "  # + seed: the template's 80/20 re-split of the training folder
SEEDS = (0, 1, 2, 3, 4)
# The template's recipe: Adam 1e-3, batch 32, 15 epochs, the best epoch on validation loss
# kept (ModelCheckpoint(save_best_only)); patience of the whole budget, so it never stops early.
TEMPLATE_RECIPE = TrainConfig(
    epochs=15, batch_size=32, optimizer="adam", learning_rate=1e-3, patience=15
)
BUDGET_CURVES = {"cnn2d": (20, 40, 80), "modified_cnn2d": (80, 160)}
ABLATION_ARMS = ("cnn2d", "cnn2d_gap", "cnn2d_dropout", "modified_cnn2d")
RECIPE_ARMS = ("cnn2d", "cnn2d_gap", "cnn2d_dropout")  # the recipe x arm 2x2s' untuned cells
PRECISION_SEEDS = (0, 1)
SMOOTHING_SEEDS = (0, 1)
# Beyond the paper at equal compute: stage widths -> the epochs nearest 0.1 PFLOP over the
# 90,000 training images (models/flops.py: 0.0053, 0.0209, 0.0285 and 0.0466 PFLOP an epoch).
BEYOND_ROUND_PFLOP = 0.1
BEYOND_ROUND = {(16, 32, 64): 19, (32, 64, 128): 5, (32, 64, 128, 256): 4, (48, 96, 192): 2}
BEYOND_SEEDS = (0, 1)


def protocol_jobs() -> list[QueuedJob]:
    """The template CNN2D and its modified model, 5 seeds; the seed fixes split and weights."""
    return [
        QueuedJob(
            f"{name}_seed{seed}",
            "template",
            config,
            replace(TEMPLATE_RECIPE, seed=seed),
            f"{RESPLIT}{seed}",
            "#39 paper protocol",
        )
        for name, config in TEMPLATE.items()
        for seed in SEEDS
    ]


def queue_folders(profile: Profile) -> QueueFolders:
    """Committed state and models below the profile's outputs; working state and locks in
    data/, which git ignores."""
    data = project_root() / "data"
    return QueueFolders(
        checkpoints=profile.output_dir / "checkpoints",
        models=profile.models_dir,
        work=data / "checkpoints" / f"{profile.name}-queue",
        locks=data / "queue-locks" / profile.name,
    )


def arm(profile: Profile, name: str):
    """An ablation arm's architecture (the Modified CNN2D's own, the tuned CNN2D's for the
    others) and CNN2D's tuned recipe, which all arms share (the Modified CNN2D's recipe
    differs from it only in its epochs)."""
    cnn2d, recipe = final_recipe(profile, "cnn2d")
    if name == "cnn2d":
        return cnn2d, recipe
    if name == "modified_cnn2d":
        return final_recipe(profile, "modified_cnn2d")[0], recipe
    return recipes.ablation_variant(cnn2d, name), recipe


def budget_jobs(profile: Profile) -> list[QueuedJob]:
    """Each paper model with its tuned recipe at each budget of `BUDGET_CURVES`, seed 0."""
    jobs = []
    for name, budgets in BUDGET_CURVES.items():
        model, recipe = arm(profile, name)
        jobs += [
            QueuedJob(
                f"{name}_e{epochs}_seed0",
                "budget_curve",
                model,
                replace(recipe, epochs=epochs, seed=0),
                STUDY_SPLIT,
                "#35 budget curve",
            )
            for epochs in budgets
        ]
    return jobs


def precision_jobs(profile: Profile) -> list[QueuedJob]:
    """Notebook 08's net and recipe in float32 and in mixed_bfloat16, `PRECISION_SEEDS`."""
    model, recipe = chosen_configs(profile)
    return [
        QueuedJob(
            f"vgg_bn_{precision}_seed{seed}",
            "precision",
            model,
            replace(recipe, seed=seed, precision=precision),
            STUDY_SPLIT,
            "#34 bfloat16 against float32",
        )
        for precision in ("float32", "mixed_bfloat16")
        for seed in PRECISION_SEEDS
    ]


def smoothing_jobs(profile: Profile) -> list[QueuedJob]:
    """Each paper model with its headline recipe without label smoothing, `SMOOTHING_SEEDS`."""
    jobs = []
    for name in ("cnn2d", "modified_cnn2d"):
        model, recipe = final_recipe(profile, name)
        jobs += [
            QueuedJob(
                f"{name}_no_smoothing_seed{seed}",
                "no_smoothing",
                model,
                replace(recipe, label_smoothing=0.0, seed=seed),
                STUDY_SPLIT,
                "#37 calibration",
            )
            for seed in SMOOTHING_SEEDS
        ]
    return jobs


def beyond_model(widths: tuple[int, ...]) -> ModelConfig:
    """Notebook 08's VGG-BN with the stage widths of a search candidate."""
    name = f"vgg_bn_{'-'.join(map(str, widths))}"
    return replace(BEYOND["vgg_bn"], name=name, stage_widths=widths)


def beyond_jobs(model: ModelConfig, epochs: int, group: str, purpose: str) -> list[QueuedJob]:
    """A search candidate at `epochs` with notebook 08's recipe in bfloat16, `BEYOND_SEEDS`."""
    recipe = replace(BEYOND_RECIPE, epochs=epochs, precision="mixed_bfloat16")
    return [
        QueuedJob(
            f"{model.name}_e{epochs}_seed{seed}",
            group,
            model,
            replace(recipe, seed=seed),
            STUDY_SPLIT,
            purpose,
        )
        for seed in BEYOND_SEEDS
    ]


def beyond_round_jobs() -> list[QueuedJob]:
    """The first round of the beyond-the-paper search: each width of `BEYOND_ROUND` at about
    `BEYOND_ROUND_PFLOP`, notebook 08's recipe in bfloat16, `BEYOND_SEEDS`."""
    jobs = []
    for widths, epochs in BEYOND_ROUND.items():
        jobs += beyond_jobs(beyond_model(widths), epochs, "beyond_round1", "#36 equal compute")
    return jobs


def beyond_round2_jobs() -> list[QueuedJob]:
    """The second round of the beyond-the-paper search: the two best widths of round 1 in the
    committed table (`beyond_round`, mean validation accuracy), each at the epochs nearest
    `ROUND2_PFLOP` per seed, the same recipe, `BEYOND_SEEDS`; none before the table exists."""
    table = beyond_round.load_rounds()
    if table is None:
        return []
    jobs = []
    for widths in beyond_round.best_widths(table):
        model = beyond_model(widths)
        epochs = round(beyond_round.ROUND2_PFLOP / beyond_round.epoch_pflop(model))
        jobs += beyond_jobs(model, epochs, "beyond_round2", "#36 scaled to 0.5 PFLOP")
    return jobs


def equal_compute_jobs(profile: Profile) -> list[QueuedJob]:
    """The four ablation arms at `EQUAL_COMPUTE_EPOCHS` with the tuned recipe, 5 seeds."""
    jobs = []
    for name in ABLATION_ARMS:
        model, recipe = arm(profile, name)
        recipe = replace(recipe, epochs=EQUAL_COMPUTE_EPOCHS)
        jobs += [
            QueuedJob(
                f"{name}_e{EQUAL_COMPUTE_EPOCHS}_seed{seed}",
                "equal_compute",
                model,
                replace(recipe, seed=seed),
                STUDY_SPLIT,
                "#35 equal compute",
            )
            for seed in SEEDS
        ]
    return jobs


def recipe_arm_jobs(profile: Profile) -> list[QueuedJob]:
    """CNN2D, + GAP and + Dropout under the untuned recipe on the study split, 5 seeds, seed by
    seed: every cell of both 2x2s has two seeds (the fewest a Welch test takes) after six jobs."""
    return [
        QueuedJob(
            f"{name}_untuned_seed{seed}",
            "recipe_arm",
            arm(profile, name)[0],
            replace(recipes.UNTUNED, seed=seed),
            STUDY_SPLIT,
            "#35 recipe x arm",
        )
        for seed in SEEDS
        for name in RECIPE_ARMS
    ]


def queued_jobs(profile: Profile) -> list[QueuedJob]:
    """Every job, in the order the queue drains them (cheapest questions first)."""
    return [
        *protocol_jobs(),
        *precision_jobs(profile),  # make benchmark-precision: the precision of later jobs
        *budget_jobs(profile),
        *smoothing_jobs(profile),
        *beyond_round_jobs(),
        *equal_compute_jobs(profile),
        *recipe_arm_jobs(profile),
        *beyond_round2_jobs(),
    ]


def job_arrays(job: QueuedJob, data: CifakeData, study_arrays) -> tuple[tuple, tuple]:
    """(train, validation) arrays of a job: `study_arrays()` gives the study split's."""
    if job.data == STUDY_SPLIT:
        return study_arrays()
    if job.data.startswith(RESPLIT):
        return resplit_arrays(data.train, int(job.data.removeprefix(RESPLIT)))
    raise ValueError(f"{job.label}: unknown data {job.data!r}")


def profile_folder(profile: Profile, data: CifakeData) -> CifakeSplit:
    """The training folder the protocol re-splits: all of it, or the profile's stratified
    sample of it (the smoke run's)."""
    if profile.train_images is None:
        return data.train
    return data.train.subset(stratified_sample(data.train, profile.train_images, seed=0))


def train_protocol_models(profile: Profile, folder, data_checksum: str) -> dict:
    """{(architecture, seed): TrainingRun} of the template models on their re-splits of
    `folder` (the profile's training folder): each loaded from `<models>/template/` when the
    queue (or an earlier run) saved it under the key this profile would train it with, else
    trained here (resumable) and saved there. Refuses to train while `make train` runs, which
    may be training the same models."""
    saved = profile.models_dir / "template"
    names = [f"{name}_seed{seed}" for name in TEMPLATE for seed in profile.headline_seeds]
    missing = [name for name in names if not (saved / f"{name}.keras").is_file()]
    if missing and queue_running(queue_folders(profile)):
        raise RuntimeError(
            f"the training queue (make train) is running and may be training {missing}: "
            "wait for it or stop it"
        )
    runs = {}
    for seed in profile.headline_seeds:
        train, held_out = resplit_arrays(folder, seed)
        data = TrainingData(
            train,
            held_out,
            profile.checkpoints_dir / "template",
            data_checksum,
            profile.workers,
            None if profile.fresh else saved,
        )
        jobs = [
            (config, recipes.cap_epochs(replace(TEMPLATE_RECIPE, seed=seed), profile.max_epochs))
            for config in TEMPLATE.values()
        ]
        for run in train_jobs(jobs, data):
            save_run(run, saved)
            runs[(run.model_config.name, seed)] = run
    return runs


def landed_or_trained(
    profile: Profile,
    jobs: list[QueuedJob],
    train: tuple,
    validation: tuple,
    data_checksum: str,
    partial: bool = False,
) -> list[TrainingRun | None]:
    """The run of each of `jobs`, its recipe capped like the profile's headline runs: the
    model the queue landed under the job's key; in a profile other than `full` (whose jobs the
    queue never trains) a missing one is trained here (once for jobs the cap makes identical)
    and saved where the queue would land it. In `full` a missing one is an error, or None
    with `partial` (the queue is still training it)."""
    folders = queue_folders(profile)
    capped = [
        replace(job, train_config=recipes.cap_epochs(job.train_config, profile.max_epochs))
        for job in jobs
    ]
    runs: dict[str, TrainingRun] = {}
    missing = []
    for job in capped:
        landed = landed_model(plan(job, train, validation, profile.threads_per_worker), folders)
        if landed is not None:
            runs[job.name] = load_run(landed)
            continue
        note_absent(folders.landed(job))
        if (job.model_config, job.train_config) not in [
            (m.model_config, m.train_config) for m in missing
        ]:
            missing.append(job)
    if missing and profile.name == "full":
        if partial:
            return [runs.get(job.name) for job in capped]
        raise RuntimeError(
            f"{', '.join(j.label for j in missing)}: not landed; run `make train` to finish them"
        )
    folder = profile.checkpoints_dir / "queued_here"
    data = TrainingData(train, validation, folder, data_checksum, profile.workers)
    trained = train_jobs([(job.model_config, job.train_config) for job in missing], data)
    for job, run in zip(missing, trained, strict=True):
        save_run(run, folders.landed(job).parent, job.name)
    done = {(j.model_config, j.train_config): r for j, r in zip(missing, trained, strict=True)}
    return [runs.get(job.name) or done[(job.model_config, job.train_config)] for job in capped]


def note_absent(path: Path) -> None:
    """Try to open the model a job would land as. The study's provenance record sees every
    open, failed ones too, and keeps a path a stage found absent, so that `make check-outputs`
    flags the stage once the queue lands the model there."""
    try:
        path.open("rb").close()
    except FileNotFoundError:
        pass


def recipe_arm_runs(
    profile: Profile, train: tuple, validation: tuple, data_checksum: str
) -> dict[str, list[TrainingRun]]:
    """{arm: [TrainingRun]} of `recipe_arm_jobs` for the profile's headline seeds, as far as the
    queue has landed them in `full` (an arm may have fewer seeds, or none, until it has)."""
    jobs = [j for j in recipe_arm_jobs(profile) if j.train_config.seed in profile.headline_seeds]
    runs = landed_or_trained(profile, jobs, train, validation, data_checksum, partial=True)
    arms: dict[str, list[TrainingRun]] = {name: [] for name in RECIPE_ARMS}
    for run in runs:
        if run is not None:
            arms[run.model_config.name].append(run)
    return arms


def smoothing_runs(profile: Profile, train: tuple, validation: tuple, data_checksum: str) -> dict:
    """{(architecture, seed): TrainingRun} of `smoothing_jobs` for the profile's headline
    seeds (`landed_or_trained`)."""
    jobs = [j for j in smoothing_jobs(profile) if j.train_config.seed in profile.headline_seeds]
    runs = landed_or_trained(profile, jobs, train, validation, data_checksum)
    return {(run.model_config.name, run.train_config.seed): run for run in runs}


def equal_compute_runs(
    profile: Profile, train: tuple, validation: tuple, data_checksum: str
) -> dict[str, list[TrainingRun]]:
    """{arm: [TrainingRun]} of `equal_compute_jobs` for the profile's headline seeds, as far as
    the queue has landed them in `full` (an arm may have fewer seeds, or none, until it has)."""
    jobs = [j for j in equal_compute_jobs(profile) if j.train_config.seed in profile.headline_seeds]
    runs = landed_or_trained(profile, jobs, train, validation, data_checksum, partial=True)
    arms: dict[str, list[TrainingRun]] = {name: [] for name in ABLATION_ARMS}
    for run in runs:
        if run is not None:
            arms[run.model_config.name].append(run)
    return arms


def budget_runs(profile: Profile, train: tuple, validation: tuple, data_checksum: str) -> dict:
    """{architecture: [TrainingRun]} of `budget_jobs`, by increasing epochs
    (`landed_or_trained`)."""
    runs = landed_or_trained(profile, budget_jobs(profile), train, validation, data_checksum)
    curves: dict[str, list[TrainingRun]] = {}
    for run in runs:
        curves.setdefault(run.model_config.name, []).append(run)
    return curves

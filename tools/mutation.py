"""Mutation testing of the modules that decide the study's results (`make mutation`).

mutmut (pinned in requirements-mutation.txt) mutates one module at a time in a copy of the
project under scratch/mutation/<name>/, so the working tree is never touched. It first records
which tests of the module's own test files call each function, then runs every mutant against
only those tests. The score and each mutant that no test killed go to
outputs/benchmarks/mutation.json, and its two tables to docs/mutation.md. Hours on two cores
for every module: not part of `make test`.

python tools/mutation.py [--module decision --module store ...] [--jobs N]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from cifake_utils.machine import cpu_model
from cifake_utils.paths import project_root, resolve_cache_dir
from cifake_utils.project.benchmarks import benchmark_markdown, benchmarks_dir
from cifake_utils.project.readme import update_section

ROOT = project_root()
WORK = ROOT / "scratch" / "mutation"
MUTMUT = Path(sys.executable).parent / "mutmut"

# The modules whose code decides a result, and the test files that cover each.
MODULES = {
    "decision": ("cifake_utils/decision.py", ("tests/test_decision.py",)),  # the 0.5 rule
    "seeds": ("cifake_utils/evaluation/seeds.py", ("tests/test_seeds.py",)),  # paired t
    "family": ("cifake_utils/evaluation/family.py", ("tests/test_family.py",)),  # Holm, Welch
    "scope": ("cifake_utils/detector/scope.py", ("tests/test_scope.py",)),  # scope rule
    "store": ("cifake_utils/models/store.py", ("tests/test_store.py",)),  # the model key
    "significance": ("cifake_utils/significance.py", ("tests/test_significance.py",)),  # Holm
    "inputs": ("cifake_utils/project/inputs.py", ("tests/test_inputs.py",)),  # data wiring
    "check": ("cifake_utils/study/check.py", ("tests/test_check.py",)),  # staleness check
}
# Mutants that survived and were judged equivalent, by name, with the reason: no test can
# tell them from the code because they do not change what the code does.
EQUIVALENT = {
    "cifake_utils.models.store.x_data_digest__mutmut_9": (
        'cast("b") for cast("B"): hashlib reads the bytes of a buffer whatever its item '
        "format, so signed and unsigned bytes give the same digest"
    ),
}
SEEDS = "cifake_utils.evaluation.seeds"
NEVER_EXACTLY_ALPHA = (
    "<= for < against 5%: McNemar's exact p is a sum of Binomial(n, 1/2) probabilities, a "
    "multiple of 2^-n, so it is never exactly 0.05"
)
EQUAL_COUNTS = (
    ">= for > between the discordant counts: when they are equal McNemar's p is 1, so the "
    "p < 5% beside it already excludes equality"
)
EQUIVALENT |= {
    f"{SEEDS}.x_verdict__mutmut_11": (
        ">= 0 for > 0: a significant p with a zero mean difference cannot occur (identical "
        "differences of zero give p = 1, and so does McNemar with equal discordant counts)"
    ),
    f"{SEEDS}.x_paired_comparison__mutmut_28": (
        ">= 1 for > 1 seeds beside a non-zero range: one seed's differences have range zero, so "
        "the condition fails either way"
    ),
    f"{SEEDS}.x_paired_comparison__mutmut_46": (
        "differences[1] for differences[0]: the branch runs only when every difference is "
        "equal, so any index gives the same value"
    ),
    f"{SEEDS}.x_paired_comparison__mutmut_94": NEVER_EXACTLY_ALPHA,
    f"{SEEDS}.x_paired_comparison__mutmut_107": NEVER_EXACTLY_ALPHA,
    f"{SEEDS}.x_paired_comparison__mutmut_97": EQUAL_COUNTS,
    f"{SEEDS}.x_paired_comparison__mutmut_110": EQUAL_COUNTS,
    f"{SEEDS}.x_metric_intervals__mutmut_3": (
        "sort=None for sort=False: pandas treats None as false, keeping the table's order"
    ),
}
FAMILY = "cifake_utils.evaluation.family"
SAME_LENGTH = (
    "strict=None/False/omitted for strict=True: both columns come from one table, so their "
    "lengths are equal and strict changes nothing"
)
EQUIVALENT |= {
    f"{FAMILY}.x_unpaired_comparison__mutmut_49": (
        "equal_var=None for equal_var=False: SciPy reads None as false, so the test stays "
        "Welch's (the equal_var=True bug is caught by the hand-worked Welch p)"
    ),
    f"{FAMILY}.x_family_table__mutmut_58": SAME_LENGTH,
    f"{FAMILY}.x_family_table__mutmut_61": SAME_LENGTH,
    f"{FAMILY}.x_family_table__mutmut_66": SAME_LENGTH,
}
SCOPE = "cifake_utils.detector.scope"
UNUSED_LABELS = "the labels' dtype: the dataset's labels are mapped away before the model sees it"
LOGGING = "Keras's verbose setting: it changes the progress output, not the features"
EQUIVALENT |= {
    f"{SCOPE}.x_features__mutmut_3": UNUSED_LABELS,
    f"{SCOPE}.x_features__mutmut_5": UNUSED_LABELS,
    f"{SCOPE}.x_features__mutmut_13": (
        "Keras's default batch for 1024: the batch groups the work; each image's features are "
        "its own (up to float rounding)"
    ),
    f"{SCOPE}.x_features__mutmut_14": (
        "a batch of 1025 for 1024: the batch groups the work; each image's features are its "
        "own (up to float rounding)"
    ),
    f"{SCOPE}.x_features__mutmut_16": (
        "astype(None) for astype(np.float64): NumPy's default is float64"
    ),
    f"{SCOPE}.x_mahalanobis__mutmut_21": (
        "upper-case einsum subscripts: the letters only name the axes, consistently"
    ),
    f"{SCOPE}.x_size_reason__mutmut_14": (
        ">= for > against 32: a centre square of exactly 32 returns earlier, so the two agree on "
        "every side that reaches this line"
    ),
    f"{SCOPE}.x_features__mutmut_18": LOGGING,
    f"{SCOPE}.x_features__mutmut_20": LOGGING,
    f"{SCOPE}.x_features__mutmut_21": LOGGING,
}
SIGNIFICANCE = "cifake_utils.significance"
TIES = (
    "the sort's algorithm: tied p-values get the same adjusted value whichever comes first "
    "(the running maximum carries the first to the second)"
)
INTEGER_MEAN = "no dtype for float: the mean and the standard error of integers are floats"
NAN_SPELLING = "float('NAN') for float('nan'): Python reads both as NaN"
INPUTS = "cifake_utils.project.inputs"
PROGRESS = "load_cifake's progress setting: it prints a progress line, the arrays are the same"
EQUIVALENT |= {
    f"{SIGNIFICANCE}.x_holm__mutmut_8": "np.full_like(p, None) on floats fills with NaN too",
    f"{SIGNIFICANCE}.x_holm__mutmut_16": TIES,
    f"{SIGNIFICANCE}.x_holm__mutmut_18": TIES,
    f"{SIGNIFICANCE}.x_holm__mutmut_20": TIES + "; NumPy also reads 'STABLE' as 'stable'",
    f"{SIGNIFICANCE}.x_t_interval__mutmut_4": INTEGER_MEAN,
    f"{SIGNIFICANCE}.x_t_interval__mutmut_6": INTEGER_MEAN,
    f"{SIGNIFICANCE}.x_t_interval__mutmut_11": NAN_SPELLING,
    f"{SIGNIFICANCE}.x_t_interval__mutmut_14": NAN_SPELLING,
    f"{SIGNIFICANCE}.x_tost_p_value__mutmut_10": NAN_SPELLING,
    f"{SIGNIFICANCE}.x_tost_p_value__mutmut_3": INTEGER_MEAN,
    f"{SIGNIFICANCE}.x_tost_p_value__mutmut_5": INTEGER_MEAN,
    f"{SIGNIFICANCE}.x_prediction_interval__mutmut_2": (
        "and for or: with one seed the t quantile has 0 degrees of freedom and is NaN, and a NaN "
        "SD makes the half-width NaN, so the interval is NaN either way"
    ),
    f"{INPUTS}.xǁStudyDataǁtraining_data__mutmut_22": (
        "always joining the folder: Path / '' is the same path, so the default folder gives the "
        "profile's checkpoints either way"
    ),
    f"{INPUTS}.x_load_study_data__mutmut_5": PROGRESS,
    f"{INPUTS}.x_load_study_data__mutmut_7": PROGRESS,
    f"{INPUTS}.x_load_study_data__mutmut_8": PROGRESS,
}
EQUIVALENT |= {
    "cifake_utils.study.check.x_stage_problems__mutmut_60": (
        "stage_code(stage, None, root): stage_code does not read the profile"
    ),
}
DETECTED = ("killed", "timeout")
# Committed outputs some of these tests read: the untuned recipe's saved test predictions and
# one saved model (tests/test_family.py).
READ_OUTPUTS = (
    "outputs/untuned/04_test_predictions.npz",
    "outputs/models/cnn2d_seed0.keras",
    "outputs/models/cnn2d_seed0.json",
)  # a mutant that makes its tests fail or hang is caught


def prepare(name: str, module: str, tests: tuple[str, ...]) -> Path:
    """A fresh copy of the package, the tests and pytest's settings, with mutmut's settings."""
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "cifake_utils", work / "cifake_utils", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", work / "pyproject.toml")  # pytest's settings
    for name in READ_OUTPUTS:  # committed outputs that the tests read, copied into the copy
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, work / name)
    # The tests find CIFAKE beside the project root, which in the copy is <work>/mutants.
    if (ROOT.parent / "shared").is_dir():
        (work / "shared").symlink_to(ROOT.parent / "shared")
    settings = {
        "source_paths": ["cifake_utils"],
        "only_mutate": [module],
        "pytest_add_cli_args_test_selection": list(tests),
        "pytest_add_cli_args": ["-p", "no:cacheprovider"],
        "also_copy": ["outputs"],
        # Workers fork from a process that has imported the tests but run no TensorFlow op.
        "process_isolation": "forkserver",
        "use_git_change_detection": "false",
    }
    lines = ["[mutmut]"]
    for key, value in settings.items():
        listed = isinstance(value, list)  # one value a line, as configparser reads a list
        lines.append(
            f"{key} =" + "".join(f"\n    {v}" for v in value) if listed else f"{key} = {value}"
        )
    (work / "setup.cfg").write_text("\n".join(lines) + "\n")
    return work


def mutmut(work: Path, *args: str, log: Path | None = None) -> str:
    """Run the mutmut command in `work`; its output (or, with `log`, nothing)."""
    env = os.environ | {"CIFAKE_CACHE_DIR": str(resolve_cache_dir()), "PYTHONIOENCODING": "utf-8"}
    if log is None:
        done = subprocess.run(
            [str(MUTMUT), *args], cwd=work, env=env, capture_output=True, text=True
        )
        output = done.stdout + done.stderr
    else:
        with open(log, "w") as stream:
            done = subprocess.run(
                [str(MUTMUT), *args], cwd=work, env=env, stdout=stream, stderr=subprocess.STDOUT
            )
        output = ""
    if done.returncode != 0:
        raise SystemExit(f"mutmut {' '.join(args)} failed in {work}:\n{output or log}")
    return output


def changed_lines(diff: str) -> list[str]:
    """The removed and added lines of a unified diff."""
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "-+" and not line.startswith(("---", "+++"))
    ]


def measure(name: str, jobs: int) -> dict:
    """Mutate one module, run its mutants, and return its counts and the mutants not killed."""
    module, tests = MODULES[name]
    work = prepare(name, module, tests)
    start = time.monotonic()
    mutmut(work, "run", "--max-children", str(jobs), log=work / "mutmut.log")
    seconds = time.monotonic() - start
    listing = mutmut(work, "results", "--all", "true")
    statuses = dict(re.findall(r"^\s+(\S+): (.+)$", listing, re.MULTILINE))
    if not statuses:
        raise SystemExit(f"mutmut made no mutant of {module}: see {work / 'mutmut.log'}")
    survivors = [
        {
            "module": module,
            "mutant": mutant,
            "status": status,
            "change": changed_lines(mutmut(work, "show", mutant)),
            "equivalent": EQUIVALENT.get(mutant),
        }
        for mutant, status in sorted(statuses.items())
        if status not in DETECTED
    ]
    counts = {status: list(statuses.values()).count(status) for status in set(statuses.values())}
    print(f"[mutation] {module}: {counts} in {seconds / 60:.1f} min", flush=True)
    return {
        "module": module,
        "tests": tests,
        "statuses": counts,
        "seconds": seconds,
        "survivors": survivors,
    }


def module_row(result: dict) -> dict:
    statuses, total = result["statuses"], sum(result["statuses"].values())
    detected = sum(statuses.get(status, 0) for status in DETECTED)
    equivalent = sum(s["equivalent"] is not None for s in result["survivors"])
    return {
        "module": f"`{result['module']}`",
        "tests": ", ".join(f"`{test}`" for test in result["tests"]),
        "mutants": total,
        "killed": detected,
        "not killed": total - detected,
        "judged equivalent": equivalent,
        "score (%)": f"{100 * detected / total:.1f}",
        "score without equivalent (%)": f"{100 * detected / (total - equivalent):.1f}",
        "minutes": f"{result['seconds'] / 60:.1f}",
    }


def cell(text: str) -> str:
    """Text for a markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def survivors_markdown(survivors: list[dict]) -> str:
    if not survivors:
        return "Every mutant of the modules measured was killed."
    lines = [
        "| module | mutant | status | change | judged equivalent because |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in survivors:
        change = " → ".join(f"`{line[1:].strip()}`" for line in s["change"][:2])
        reason = s["equivalent"] or "not equivalent: a test is missing"
        lines.append(
            f"| `{s['module']}` | `{s['mutant'].rsplit('.', 1)[-1]}` | {s['status']} | "
            f"{cell(change)} | {cell(reason)} |"
        )
    return "\n".join(lines)


def kept_results(path: Path, measured: list[str]) -> list[dict]:
    """The results of the modules not in `measured` from the committed `mutation.json`, as
    `measure` gives them (their survivors judged again against `EQUIVALENT`), with the date each
    was measured."""
    if not path.is_file():
        return []
    previous = json.loads(path.read_text())
    kept = []
    for row in previous["rows"]:
        module = row["module"].strip("`")
        name = next(n for n, (m, _) in MODULES.items() if m == module)
        if name in measured:
            continue
        survivors = [
            s | {"equivalent": EQUIVALENT.get(s["mutant"])}
            for s in previous["survivors"]
            if s["module"] == module
        ]
        kept.append(
            {
                "module": module,
                "tests": MODULES[name][1],
                "statuses": {"killed": row["killed"], "not killed": row["not killed"]},
                "seconds": float(row["minutes"]) * 60,
                "survivors": survivors,
                "measured": row.get("measured", previous["measured"][:10]),
            }
        )
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/mutation.py", description=__doc__)
    parser.add_argument("--module", action="append", choices=list(MODULES), dest="modules")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the committed results of the modules not measured in this run",
    )
    args = parser.parse_args(argv)
    names = args.modules or list(MODULES)
    path = benchmarks_dir() / "mutation.json"
    start = time.monotonic()
    today = datetime.now(UTC).date().isoformat()
    results = [measure(name, args.jobs) | {"measured": today} for name in names]
    seconds = time.monotonic() - start
    if args.keep:
        results += kept_results(path, names)
        results.sort(key=lambda result: [m for m, _ in MODULES.values()].index(result["module"]))
        names = [n for n, (m, _) in MODULES.items() if m in {r["module"] for r in results}]
    rows = [module_row(result) | {"measured": result["measured"]} for result in results]
    survivors = [s for result in results for s in result["survivors"]]
    total = sum(row["mutants"] for row in rows)
    killed = sum(row["killed"] for row in rows)
    equivalent = sum(row["judged equivalent"] for row in rows)
    missing = [MODULES[name][0] for name in MODULES if name not in names]
    notes = (
        f"mutmut {version('mutmut')}, {args.jobs} worker(s), {seconds / 60:.1f} minutes of wall "
        f"time: {killed} of {total} mutants killed ({100 * killed / total:.1f}%); "
        f"{equivalent} of the {total - killed} not killed judged equivalent "
        f"({100 * killed / (total - equivalent):.1f}% of the others)."
    )
    if missing:
        notes += " Not measured in this run: " + ", ".join(f"`{m}`" for m in missing) + "."
    earlier = [r for r in results if r["measured"] != today]
    if earlier:
        notes += (
            " The wall time is this run's; kept from earlier runs: "
            + ", ".join(f"`{r['module']}` ({r['measured']})" for r in earlier)
            + "."
        )
    model, flags = cpu_model()
    document = {
        "benchmark": "mutation",
        "command": "make mutation"
        + (f' MODULES="{" ".join(names)}"' if missing else "")
        + (" KEEP=1" if args.keep else ""),
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": {"model": model, "flags": flags, "cores": os.cpu_count()},
        "rows": rows,
        "notes": notes,
        "tool": f"mutmut {version('mutmut')}",
        "wall_seconds": round(seconds, 1),
        "score": {"killed": killed, "mutants": total, "judged_equivalent": equivalent},
        "not_measured": missing,
        "survivors": survivors,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    update_section("benchmark-mutation", benchmark_markdown(document))
    update_section("mutation-survivors", survivors_markdown(survivors))
    print(f"[mutation] {notes}\n[mutation] wrote {path.relative_to(ROOT)} and docs/mutation.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

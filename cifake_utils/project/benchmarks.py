"""Benchmark results as JSON under `outputs/benchmarks/`, and the measured-times tables of
`docs/measured-times.md` made from them, so that no measured time is typed by hand."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from ..machine import cpu_model
from ..paths import project_root
from .readme import update_section


def benchmarks_dir() -> Path:
    return project_root() / "outputs" / "benchmarks"


def benchmark_markdown(document: dict) -> str:
    """A benchmark's table: what ran, on which CPU and when, one row per measured setting."""
    rows = document["rows"]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    header = "| " + " | ".join(columns) + " |\n| " + " | ".join("---" for _ in columns) + " |"
    body = "\n".join(
        "| " + " | ".join(str(row.get(column, "")) for column in columns) + " |" for row in rows
    )
    cpu = document["cpu"]
    lines = [
        f"`{document['command']}`, measured {document['measured'][:10]} on {cpu['model']} "
        f"({', '.join(cpu['flags']) or 'no AVX2'}; {cpu['cores']} cores):",
        "",
        header,
        body,
    ]
    if document.get("notes"):
        lines += ["", document["notes"]]
    return "\n".join(lines)


def save_benchmark(name: str, command: str, rows: list[dict], notes: str = "") -> Path:
    """Write `outputs/benchmarks/<name>.json` and its table in docs/measured-times.md.

    `rows` are the figures the benchmark printed, already rounded for reading; `notes` says
    in a sentence what they show, from the same figures.
    """
    model, flags = cpu_model()
    document = {
        "benchmark": name,
        "command": command,
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": {"model": model, "flags": flags, "cores": os.cpu_count()},
        "rows": rows,
        "notes": notes,
    }
    path = benchmarks_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    update_section(f"benchmark-{name}", benchmark_markdown(document))
    return path

"""Write generated tables into README.md between named markers, so no number is typed by hand."""

import sys
from pathlib import Path

import pandas as pd

from ..paths import project_root
from ..tracing import README_SECTION_EVENT


def markdown_table(table: pd.DataFrame, floatfmt: str = ".2f") -> str:
    """A pipe table of `table`, its index as the first column."""
    frame = table.reset_index()
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"

    def cell(value) -> str:
        return format(value, floatfmt) if isinstance(value, float) else str(value)

    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([header, rule, *body])


def update_section(name: str, content: str, readme: Path | None = None) -> Path:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->` in the README."""
    readme = readme or project_root() / "README.md"
    text = readme.read_text()
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise ValueError(f"{readme} has no {start} ... {end} section")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    readme.write_text(f"{before}{start}\n{content.strip()}\n{end}{after}")
    sys.audit(README_SECTION_EVENT, name)  # the provenance record notes which stage wrote it
    return readme

"""Write generated text into the README and docs/ between named markers, so that no number is
typed by hand."""

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


def generated_files(root: Path | None = None) -> list[Path]:
    """The files that hold generated sections: the README and the pages under docs/."""
    root = root or project_root()
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def update_section(name: str, content: str, readme: Path | None = None) -> Path:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->` in the README or
    the docs page that holds that section (or in `readme`, when given); return that file."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    candidates = [readme] if readme is not None else generated_files()
    holders = [path for path in candidates if start in path.read_text()]
    if len(holders) != 1 or end not in holders[0].read_text():
        where = ", ".join(str(path) for path in candidates)
        raise ValueError(f"not exactly one {start} ... {end} section in {where}")
    path = holders[0]
    before, rest = path.read_text().split(start, 1)
    _, after = rest.split(end, 1)
    path.write_text(f"{before}{start}\n{content.strip()}\n{end}{after}")
    sys.audit(README_SECTION_EVENT, name)  # the provenance record notes which stage wrote it
    return path

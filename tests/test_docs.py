"""The README is an entry point, and the measured-times tables are generated, never typed."""

import json
import re

import pytest

from cifake_utils.paths import project_root
from cifake_utils.project.benchmarks import benchmark_markdown
from cifake_utils.project.readme import generated_files, update_section

ROOT = project_root()
BENCHMARKS = sorted((ROOT / "outputs" / "benchmarks").glob("*.json"))


def section(name: str) -> str:
    text = "".join(path.read_text() for path in generated_files())
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n?<!-- {name}:end -->", text, re.DOTALL)
    assert match, f"no {name} section in the README or docs/"
    return match[1].strip()


def test_readme_is_an_entry_point_of_at_most_about_2000_words():
    words = len((ROOT / "README.md").read_text().split())
    assert words <= 2_100, f"the README has {words} words: move detail into docs/"


def test_every_docs_page_the_readme_links_exists():
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\((docs/[\w.-]+\.md)\)", readme):
        assert (ROOT / target).is_file(), target


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.stem)
def test_each_benchmark_table_is_what_its_json_generates(path):
    document = json.loads(path.read_text())
    assert section(f"benchmark-{path.stem}") == benchmark_markdown(document).strip()


def test_every_benchmark_section_has_its_json_or_says_it_is_not_measured_yet():
    # Timings are on docs/measured-times.md; the mutation score has its own page.
    text = "".join(path.read_text() for path in generated_files())
    named = set(re.findall(r"<!-- benchmark-([\w-]+):start -->", text))
    measured = {path.stem for path in BENCHMARKS}
    assert measured <= named
    for name in named - measured:
        assert section(f"benchmark-{name}").startswith("Not measured yet: "), name


def test_a_section_lives_in_exactly_one_file(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("intro\n<!-- s:start -->\nold\n<!-- s:end -->\nend\n")
    update_section("s", "new", readme=page)
    assert page.read_text() == "intro\n<!-- s:start -->\nnew\n<!-- s:end -->\nend\n"
    with pytest.raises(ValueError, match="not exactly one"):
        update_section("missing", "x", readme=page)

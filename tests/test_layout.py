"""The package's shape: imports run one way (no cycle) and none hides inside a function."""

import ast

from cifake_utils.paths import project_root
from cifake_utils.study.imports import imported_names, package_modules

PACKAGE = project_root() / "cifake_utils"
# The command imports TensorFlow only after its arguments are checked: deferred for speed,
# not to dodge a cycle.
DEFERRED_IMPORTS_ALLOWED = {"cifake_utils.cli"}


MODULES = package_modules(PACKAGE)


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """Module-level imports between package modules, and imports found inside functions."""
    graph, deferred = {}, []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        top = ast.Module(
            body=[node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)],
            type_ignores=[],
        )
        names = imported_names(top, module, path.name == "__init__.py")
        graph[module] = {name for name in names if name in MODULES}
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(function):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        deferred.append(f"{module}.{function.name}")
    return graph, deferred


def test_package_imports_have_no_cycle():
    graph, _ = import_graph()
    visiting, done = set(), set()

    def visit(module: str, path: list[str]) -> None:
        if module in done:
            return
        assert module not in visiting, "import cycle: " + " -> ".join([*path, module])
        visiting.add(module)
        for target in graph.get(module, ()):
            if target != module and not module.startswith(target + "."):
                visit(target, [*path, module])
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, [])


# The package's units (subpackages and top-level modules), bottom first: each imports only
# units of earlier layers, so imports run one way between subpackages, not just modules.
LAYERS = (
    ("constants", "errors", "paths", "significance", "tracing", "verdict_table"),
    ("decision", "images", "plots", "machine"),
    ("data",),
    ("models",),
    ("project",),
    ("evaluation",),
    ("explain",),
    ("robustness",),
    ("compare",),
    ("search",),
    ("detector",),
    ("study", "web", "cli"),
)


def unit(module: str) -> str:
    """`cifake_utils.models.training` -> `models`; the package itself -> ``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_subpackages_import_one_way_in_layers():
    layer = {name: index for index, names in enumerate(LAYERS) for name in names}
    units = {unit(module) for module in MODULES} - {""}
    assert units == set(layer), f"place every unit in LAYERS: {units ^ set(layer)}"
    graph, _ = import_graph()
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if unit(module) and unit(target) and unit(module) != unit(target)
        and layer[unit(target)] >= layer[unit(module)]
    )  # fmt: skip
    assert not wrong, "imports that run up or across a layer: " + ", ".join(wrong)


def test_no_module_is_too_long_to_read_in_one_sitting():
    long = {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}
    assert {name: n for name, n in long.items() if n > 400} == {}


def test_no_import_hides_inside_a_function():
    _, deferred = import_graph()
    assert {name.rsplit(".", 1)[0] for name in deferred} <= DEFERRED_IMPORTS_ALLOWED, deferred


def test_one_decision_threshold():
    """`>= 0.5` and the label pair are written once, in decision.py and constants.py."""
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        if path.name != "decision.py":
            assert ">= 0.5" not in text and ">= THRESHOLD" not in text, path
        if path.name != "constants.py":
            assert '("REAL", "FAKE")' not in text, path

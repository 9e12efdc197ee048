"""The package's shape: imports run one way (no cycle) and none hides inside a function."""

import ast
from pathlib import Path

from cifake_utils.paths import project_root

PACKAGE = project_root() / "cifake_utils"
# The command imports TensorFlow only after its arguments are checked: deferred for speed,
# not to dodge a cycle.
DEFERRED_IMPORTS_ALLOWED = {"cifake_utils.cli"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(node: ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """Absolute names of the package modules one `from ... import ...` brings in."""
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([node.module] if node.module else []))
    if not base.startswith("cifake_utils"):
        return []
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [name for name in names if name in MODULES] or [base]


MODULES = {module_name(path) for path in PACKAGE.rglob("*.py")}


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """Module-level imports between package modules, and imports found inside functions."""
    graph, deferred = {}, []
    for path in PACKAGE.rglob("*.py"):
        module = module_name(path)
        tree = ast.parse(path.read_text())
        graph[module] = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                graph[module] |= set(imported_modules(node, module, path.name == "__init__.py"))
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

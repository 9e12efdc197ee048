"""The package modules a notebook runs, read from its import statements (no import happens).

The package imports nothing inside functions (`tests/test_layout.py`), so the modules named by
import statements, followed transitively, are exactly the code a notebook can run.
"""

import ast
from pathlib import Path

PACKAGE_NAME = "cifake_utils"


def module_name(path: Path, package_dir: Path) -> str:
    """`cifake_utils.models.training` for `<package_dir>/models/training.py`."""
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules(package_dir: Path) -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(path, package_dir): path for path in sorted(package_dir.rglob("*.py"))}


def imported_names(tree: ast.AST, module: str = "", is_package: bool = False) -> set[str]:
    """Absolute dotted names that the import statements anywhere in `tree` bring in."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in names if name.split(".")[0] == PACKAGE_NAME}


def with_parents(name: str) -> list[str]:
    """Importing `a.b.c` runs `a`, `a.b` and `a.b.c`."""
    parts = name.split(".")
    return [".".join(parts[: k + 1]) for k in range(len(parts))]


def import_closure(roots: set[str], package_dir: Path) -> dict[str, Path]:
    """The package modules that importing `roots` runs, directly or through other modules."""
    modules = package_modules(package_dir)
    seen: dict[str, Path] = {}
    pending = [parent for name in roots for parent in with_parents(name)]
    while pending:
        name = pending.pop()
        if name in seen or name not in modules:  # an attribute, not a module
            continue
        path = seen[name] = modules[name]
        tree = ast.parse(path.read_text(), filename=str(path))
        for imported in imported_names(tree, name, path.name == "__init__.py"):
            pending.extend(with_parents(imported))
    return dict(sorted(seen.items()))


def code_cell_imports(sources: list[str]) -> set[str]:
    """Package names imported by notebook code cells (IPython's `%` and `!` lines skipped)."""
    names: set[str] = set()
    for source in sources:
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        names |= imported_names(ast.parse("\n".join(lines)))
    return names

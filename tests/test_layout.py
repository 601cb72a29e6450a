"""The package's shape: no import cycles, and imports only flow down the layers.

Every ``import`` inside ``omo_selenium`` counts, wherever it stands: at the top of a
module, inside a function (imported on first use) or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

import omo_selenium

PACKAGE = Path(omo_selenium.__file__).parent

#: Layers from the bottom up: a module may import its own layer and those below it.
LAYERS: list[tuple[str, ...]] = [
    ("errors",),
    ("_types", "config", "_signals"),
    ("images",),
    ("engine",),
    ("api", "browser"),
    ("records", "defaults"),
    ("debug",),
    ("solver", "attempt", "steering", "verdict", "ratio", "look"),
    ("mixin",),
    ("drivers",),
    ("testing", "demo_site"),
    ("client", "server", "slide", "capture", "cli", "__main__", "__init__"),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    # os.walk follows the link that brings the repository's demo_site/ into the package.
    paths = [
        Path(root, file)
        for root, _, files in os.walk(PACKAGE, followlinks=True)
        for file in files
        if file.endswith(".py")
    ]
    return {_module_name(path): path for path in sorted(paths)}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports (any import statement in the file)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # "from pkg import mod" imports the module pkg.mod; else a name of pkg.
            targets = [
                f"{module}.{a.name}" if f"{module}.{a.name}" in known else module
                for a in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def test_every_module_belongs_to_a_layer() -> None:
    unplaced = sorted({_layer(m) for m in _modules()} - set(RANK))
    assert unplaced == [], f"add these to LAYERS in {__file__}: {unplaced}"


def test_there_is_no_import_cycle_inside_the_package() -> None:
    assert _cycle(_graph()) is None


def test_imports_only_flow_down_the_layers() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in _graph().items()
        for target in sorted(targets)
        if RANK[_layer(target)] > RANK[_layer(module)]
    ]
    assert upward == []


def test_the_engine_knows_nothing_of_selenium_or_http() -> None:
    for path in (PACKAGE / "engine").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in {"selenium", "requests", "urllib3", "http"}, (
                    f"{path.name} imports {name}"
                )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": set(), "c": {"b"}}, None),
        ({"a": {"a"}}, ["a", "a"]),
    ],
)
def test_the_cycle_finder_finds_cycles(
    source: dict[str, set[str]], expected: list[str] | None
) -> None:
    assert _cycle(source) == expected


def test_type_checking_and_function_level_imports_count(tmp_path: Path) -> None:
    module = tmp_path / "omo_selenium" / "x.py"
    module.parent.mkdir()
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .a import A\n"
        "def f():\n    from .b import B\n",
        encoding="utf-8",
    )
    known = {"omo_selenium.a", "omo_selenium.b", "omo_selenium.x"}
    assert _imports("omo_selenium.x", module, known) == {"omo_selenium.a", "omo_selenium.b"}

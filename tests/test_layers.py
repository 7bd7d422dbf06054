"""The import graph of the installed packages: layers point one way and nothing imports in a
circle (docs/architecture.md, Layers)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {folder: f"datamill.{folder}" for folder in ("pipeline", "stages", "classifiers", "mixes")}

# lowest first; a module may import only from its own layer or the ones below it
FOUNDATION_MODULES = ["stage", "schema", "decisions", "lineage", "stats", "rundir", "outputs", "textref"]
FOUNDATION_MODULES += ["signals", "hashing", "errors", "progress", "terminal", "partitions", "parser_process"]
FOUNDATION_MODULES += ["view", "utf8", "utf8_kernels"]
FOUNDATION = {f"datamill.pipeline.{name}" for name in FOUNDATION_MODULES} | {"datamill.pipeline"}
ORCHESTRATION_MODULES = ["registry", "config", "ray_session", "memory_pool", "fused", "head_start", "runner"]
ORCHESTRATION_MODULES += ["verify"]
ORCHESTRATION = {f"datamill.pipeline.{name}" for name in ORCHESTRATION_MODULES}
LAYERS = ["foundation", "classifiers", "stages", "orchestration", "mixes", "cli"]


def layer(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    if module in ORCHESTRATION:
        return "orchestration"
    if module == "datamill.pipeline.cli":
        return "cli"
    return module.split(".")[1]


def modules() -> dict[str, Path]:
    found = {}
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            name = ".".join([package, *parts])
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports (at the top or inside a function)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def test_the_packages_install_under_one_namespace_only():
    names = set(modules())
    assert names and all(n.startswith("datamill.") for n in names)
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert node.module.split(".")[0] not in PACKAGES, f"{path}: bare import of {node.module}"


def test_no_module_imports_a_layer_above_its_own():
    upward = [
        f"{mod} ({layer(mod)}) imports {dep} ({layer(dep)})"
        for mod, deps in graph().items()
        for dep in deps
        if LAYERS.index(layer(dep)) > LAYERS.index(layer(mod))
    ]
    assert upward == []


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(edges[node]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join([*path[path.index(dep) :], dep]))
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []

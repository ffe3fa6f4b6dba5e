"""Dependencies point one way, and each package keeps its private modules to itself.

The layers, bottom to top: leaves (errors, progress, precision, paths, device),
structures and graphs, the oracle, the models, the protocol, the store, the jobs
and their runners, the dashboard's live-run service. A cycle (even one held
together by an import inside a function) makes every layer of it one module to
read and to change; an import of another package's ``_private`` module ties a
caller to what its owner may rename. Both are read here from the source, every
import at any depth, so an import added inside a function counts too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "eqgnn"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(LIBRARY.rglob("*.py"))}


def package_of(module: str) -> str:
    """The package a module belongs to (a package's ``__init__`` belongs to itself)."""
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def absolute(module: str, node: ast.ImportFrom) -> str:
    """The module a (possibly relative) ``from … import`` names."""
    if not node.level:
        return node.module
    base = package_of(module).split(".")
    base = base[:len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> set[str]:
    """Every eqgnn module ``module`` imports, at any depth of its code.

    ``from a.b import c`` counts ``a.b`` and, where it is one, the module ``a.b.c``.
    Importing a submodule of another package also runs that package's ``__init__``
    (Python imports the parents first), so the package counts as imported too.
    """
    named = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = absolute(module, node)
            named.add(base)
            named.update(f"{base}.{alias.name}" for alias in node.names)
    found = {name for name in named if name in MODULES and name != module}
    for name in list(found):
        parts = name.split(".")
        for cut in range(2, len(parts)):
            parent = ".".join(parts[:cut])
            if parent in MODULES and not module.startswith(parent + ".") and module != parent:
                found.add(parent)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def owner_of_private(module: str) -> str | None:
    """The package whose private module (or private package) ``module`` is, if it is one."""
    parts = module.split(".")
    for cut, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:cut])
    return None


def test_the_import_graph_has_no_cycle():
    assert cycles(GRAPH) == []


def test_the_walk_sees_imports_inside_functions_and_the_finder_sees_cycles():
    # the command modules import what they run inside ``run()`` only
    source = MODULES["eqgnn.cli.cmd_distinguish"].read_text()
    assert "\nfrom eqgnn.jobs" not in source and "    from eqgnn.jobs import" in source
    assert "eqgnn.jobs" in GRAPH["eqgnn.cli.cmd_distinguish"]
    # a submodule of another package runs that package's __init__ first
    assert "eqgnn.oracle" in GRAPH["eqgnn.oracle._compare"] | GRAPH["eqgnn.frames._stabiliser"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_another_packages_private_module():
    offenders = sorted(
        f"{module} imports {imported}"
        for module, imported_modules in GRAPH.items()
        for imported in imported_modules
        if (owner := owner_of_private(imported)) is not None
        and not (module == owner or module.startswith(owner + "."))
    )
    assert offenders == []


def test_the_store_runs_nothing_and_the_jobs_never_reach_the_live_service():
    # the layers the product's own words name: the store below the jobs, the live
    # service above them, the oracle below every model
    def reaches(module: str, target: str) -> bool:
        seen, todo = set(), [module]
        while todo:
            for other in GRAPH[todo.pop()] - seen:
                seen.add(other)
                todo.append(other)
        return any(name == target or name.startswith(target + ".") for name in seen)

    assert not reaches("eqgnn.store", "eqgnn.jobs")
    assert not reaches("eqgnn.jobs", "eqgnn.live")
    assert not reaches("eqgnn.oracle", "eqgnn.nn")
    assert not reaches("eqgnn.protocol", "eqgnn.jobs")


README_PATH = re.compile(r"`((?:eqgnn|ui|app_pages|tools|tests|data)/[A-Za-z0-9_./-]*)`")


def test_every_path_the_readme_names_exists():
    named = sorted(set(README_PATH.findall((ROOT / "README.md").read_text())))
    assert named, "the README names no paths: the pattern is wrong"
    missing = [path for path in named if not (ROOT / path.rstrip("/")).exists()]
    assert missing == []

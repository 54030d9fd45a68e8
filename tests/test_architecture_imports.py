"""The package's import graph: no cycles, and no imports hidden inside functions (#9.4).

A function-level import hides a cycle from Python until the function runs, and hides a
dependency from the reader of the module's head. Every import of every module under
``survey/`` counts here, wherever it is written: the graph is built from the module level and
from inside functions alike, so a cycle cannot hide in a function body.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "survey"

# Function-level imports that stay, each for a reason a reader can check. Only packages that a
# plain install may lack belong here; a module of this package never does.
ALLOWED_IN_FUNCTIONS = {
    # The ``stats`` extra (about 170 MB with numpy, and no wheels for musl Linux): SPSS and
    # Stata exports ask for it when run, so that an install without it still starts.
    ("survey.statout", "pandas"): "optional extra `stats`",
    ("survey.statout", "pyreadstat"): "optional extra `stats`",
    # The ``serve`` extra: only `papi-pulse serve --server waitress` needs it.
    ("survey.ops", "waitress"): "optional extra `serve`",
}


def module_name(path: Path) -> str:
    """Return the dotted name of a module file under the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Return every module of the package by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def is_package(path: Path) -> bool:
    """Tell whether a module file is a package's ``__init__``."""
    return path.name == "__init__.py"


def imported(name: str, node: ast.ImportFrom | ast.Import, path: Path, known) -> list[str]:
    """Return the dotted names one import statement loads, resolved against the package."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = name.split(".") if is_package(path) else name.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    # ``from survey import points`` loads survey.points; ``from survey import csrf`` loads survey.
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]


def imports_of(name: str, path: Path, known) -> list[tuple[str, int, bool]]:
    """Return (imported name, line, inside a function) for each import in a module."""
    found = []

    def visit(node, in_function):
        """Walk the tree, noting whether an import sits inside a function body."""
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in imported(name, child, path, known):
                    found.append((target, child.lineno, in_function))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def graph() -> dict[str, set[str]]:
    """Return the package's import graph: module -> the package's modules it imports."""
    known = modules()
    edges = {name: set() for name in known}
    for name, path in known.items():
        for target, _line, _inside in imports_of(name, path, known):
            if target in known and target != name:
                edges[name].add(target)
            # A module of a package imports its siblings with that package already running.
            edges[name] |= {
                p for p in parents(target) if p in known and not name.startswith(p + ".")
            }
    return edges


def parents(name: str) -> list[str]:
    """Return the subpackages whose ``__init__`` importing a module runs first.

    ``survey`` itself is left out: it runs before any of its modules, always in the same
    order, and only to wire the app (create_app's area imports).
    """
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(2, len(parts))]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return one cycle through each knot of modules."""
    return [shortest_cycle(edges, group) for group in knots(edges)]


def knots(edges: dict[str, set[str]]) -> list[set[str]]:
    """Return the groups of modules that import each other, directly or not (Tarjan's)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def connect(node):
        """Number a node and collect the group it closes, if any."""
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return groups


def describe(edges, cycle: list[str]) -> str:
    """Return a cycle as one line, with every other module caught in the same knot."""
    knot = next(group for group in knots(edges) if cycle[0] in group)
    others = sorted(knot - set(cycle))
    return " -> ".join(cycle) + (f"  (same knot: {', '.join(others)})" if others else "")


def shortest_cycle(edges, group: set[str]) -> list[str]:
    """Return a shortest cycle through the first module of a group, staying inside it."""
    start = min(group)
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for target in sorted(edges[path[-1]] & group):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                paths.append([*path, target])
    raise AssertionError(f"no cycle through {start}")


def test_the_graph_sees_every_kind_of_import():
    edges = graph()
    assert "survey.config" in edges["survey"]  # from survey import config as settings
    assert "survey.webdb" in edges["survey.cli"]  # from survey.webdb import get_db
    assert "survey" in edges["survey.cli"]  # from survey import create_app
    assert "survey.staff" in edges["survey.analysis.views"]  # runs survey/staff/__init__.py
    assert "survey.staff" not in edges["survey.staff.review"]  # its own package
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_import_cycle_even_counting_imports_inside_functions():
    edges = graph()
    found = cycles(edges)
    assert not found, "import cycles:\n" + "\n".join(describe(edges, cycle) for cycle in found)


def test_no_import_inside_a_function_but_optional_extras():
    known = modules()
    hidden, used = [], set()
    for name, path in known.items():
        for target, line, inside in imports_of(name, path, known):
            key = (name, target.split(".")[0])
            if inside and key in ALLOWED_IN_FUNCTIONS:
                used.add(key)
            elif inside:
                hidden.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not hidden, "imports inside functions (move them to the module's head):\n" + "\n".join(
        hidden
    )
    assert used == set(ALLOWED_IN_FUNCTIONS), "allowed but no longer needed"


def test_the_allowed_exceptions_are_optional_extras():
    setup = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    required = setup.split("install_requires =")[1].split("[options.extras_require]")[0]
    extras = setup.split("[options.extras_require]")[1].split("[options.package_data]")[0]
    for _module, package in ALLOWED_IN_FUNCTIONS:
        assert package not in required and f"\n    {package}>=" in extras, package

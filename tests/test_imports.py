"""The package's modules import each other without cycles, and only at module
level (an import inside a function hides a cycle rather than removing it)."""
import ast
import os

import fasttape

PKG = os.path.dirname(os.path.abspath(fasttape.__file__))


def _modules():
    return sorted(f[:-3] for f in os.listdir(PKG) if f.endswith(".py"))


def _imports(name):
    """(module-level targets, nested targets) of module ``name`` within the package."""
    with open(os.path.join(PKG, name + ".py")) as f:
        tree = ast.parse(f.read())
    top_nodes = set(id(n) for n in tree.body)
    top, nested = set(), set()
    mods = set(_modules())
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level != 1:
            continue
        targets = [node.module] if node.module else [a.name for a in node.names]
        targets = [t.split(".")[0] for t in targets if t.split(".")[0] in mods]
        (top if id(node) in top_nodes else nested).update(targets)
    return top, nested


def test_no_imports_inside_functions():
    hidden = {m: sorted(_imports(m)[1]) for m in _modules() if _imports(m)[1]}
    assert not hidden, "imports inside functions (hidden cycles): %s" % hidden


def test_module_imports_are_acyclic():
    graph = {m: _imports(m)[0] - {"__init__"} for m in _modules()}
    state = {}

    def visit(m, path):
        if state.get(m) == "done":
            return
        assert state.get(m) != "active", "import cycle: %s" % " -> ".join(path + [m])
        state[m] = "active"
        for n in sorted(graph.get(m, ())):
            visit(n, path + [m])
        state[m] = "done"

    for m in graph:
        visit(m, [])

"""Imports run one way (blueprints -> schemas and services -> models) and never in a loop.

Every project module is parsed with `ast`; every import it makes, at the top or inside
a function, is an edge. A layer may import only the layers its entry names, and the
graph of modules has no cycle.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("blueprints", "commands", "models", "schemas", "services")
TOP_MODULES = ("app", "wsgi", "gunicorn.conf", "config", "extensions")
SHARED_HELPERS = "services.root"  # the modules at the root of services/: plain values and helpers

# layer -> the layers it may import (its own layer included where listed)
MAY_IMPORT = {
    "entry": {"entry", "commands", "blueprints", "extensions", "schemas", "services", SHARED_HELPERS, "models",
              "config"},
    "commands": {"commands", "schemas", "services", SHARED_HELPERS, "models", "config"},
    "blueprints": {"blueprints", "extensions", "schemas", "services", SHARED_HELPERS, "models"},
    "extensions": {"schemas", SHARED_HELPERS},
    "schemas": {"schemas", SHARED_HELPERS, "models"},
    "services": {"services", SHARED_HELPERS, "models"},
    SHARED_HELPERS: {SHARED_HELPERS, "models"},
    "models": {"models"},
    "config": set(),
}


def project_modules() -> dict[str, Path]:
    found = {name: ROOT / f"{name}.py" for name in TOP_MODULES}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def layer_of(module: str) -> str:
    if module in ("app", "wsgi", "gunicorn.conf"):
        return "entry"
    if module in ("config", "extensions"):
        return module
    parts = module.split(".")
    if parts[0] == "services" and len(parts) == 2 and not (ROOT / "services" / parts[1]).is_dir():
        return SHARED_HELPERS
    return parts[0]


def imports_of(path: Path, module: str, modules: dict) -> set[str]:
    """The project modules `path` imports (a `from package import module` names the module)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from package import module` imports the module; `from module import name`, the module
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for name in names:
            # the longest project module the name starts with
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {module: imports_of(path, module, modules) for module, path in modules.items()}


def test_every_import_runs_down_the_layers():
    wrong = [f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
             for module, targets in import_graph().items() for target in sorted(targets)
             if layer_of(target) not in MAY_IMPORT[layer_of(module)]
             and not _is_own_package(module, target)]
    assert not wrong, "\n".join(wrong)


def _is_own_package(module: str, target: str) -> bool:
    """A package's __init__ (its docstring) may be imported by its own modules."""
    return module.startswith(target + ".")


def test_no_modules_import_each_other_in_a_loop():
    graph = import_graph()
    cycles = []
    state = {}  # module -> "open" while on the stack, "done" after

    def visit(module, stack):
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert not cycles, "\n".join(cycles)


def test_the_walk_sees_imports_at_every_depth():
    """The check itself: a function-level import is an edge, and the graph covers the
    packages (an empty walk would pass the tests above)."""
    graph = import_graph()
    assert {"services.gateways.ingest", "blueprints.webhooks", "models.tenancy"} <= graph.keys()
    assert "services.gateways.ingest" in graph["blueprints.webhooks"]
    assert "services.gateways.ingest" in graph["services.operations.scheduler"]  # a function-level import

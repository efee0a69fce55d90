"""The code's shape: dependencies point one way, and no module imports itself back through others.

Layers of the Lambda code asset (``lambdas/``), bottom to top. A module may import from its own layer and
the layers below it, never from a layer above: the domain's models and errors know nothing of
generation, generation knows nothing of the workflow's sections, nothing in ``vpr`` knows the handlers.
Every import counts — module level, inside functions (lazy imports) and under ``TYPE_CHECKING`` — because
each is a dependency a reader must follow. A new package of ``vpr`` fails here until it is given a layer:
where it sits is a design decision, written down in ``LAYERS``.

The asset never imports the repository's other top-level packages (``local``, ``stacks``, ...): they are
not deployed with it. Across everything first-party, there are no import cycles between modules.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from tests.conftest import ROOT

#: Bottom to top. A name is a package or module of ``lambdas/`` (``vpr.models`` covers its submodules).
LAYERS: list[tuple[str, set[str]]] = [
    ("domain vocabulary", {"vpr.models", "vpr.errors", "vpr.pricing", "vpr.settings"}),
    ("domain rules", {"vpr.experience", "vpr.report_text", "vpr.render", "vpr.idempotency", "vpr.grounding"}),
    ("report writing", {"vpr.generation"}),
    ("section writing", {"vpr.sections"}),
    ("data access", {"vpr.aws"}),
    ("services", {"vpr.status", "vpr.pipeline", "vpr.jobs", "vpr.control"}),
    ("handlers", {"handlers"}),
]
#: Top-level packages of the repository outside the asset (never imported by ``lambdas/``).
NOT_DEPLOYED = {"local", "stacks", "tests", "bench", "tools", "eval", "app"}
FIRST_PARTY_ROOTS = {"lambdas": ROOT / "lambdas", "local": ROOT / "local", "stacks": ROOT / "stacks"}


def _module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@functools.cache
def modules() -> dict[str, Path]:
    """Every first-party module by its import name (``vpr.jobs``, ``handlers.submit``, ``local.cli``)."""
    found = {}
    for root_name, base in FIRST_PARTY_ROOTS.items():
        origin = base if root_name == "lambdas" else ROOT
        for path in base.rglob("*.py"):
            found[_module_name(path, origin)] = path
    return found


def _owner(name: str) -> str | None:
    """The first-party module an import name refers to (``vpr.models.Application`` -> ``vpr.models``)."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


@functools.cache
def imports_of(module: str) -> frozenset[str]:
    """First-party modules ``module`` imports, anywhere in its body."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    package = module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from package import submodule`` depends on the submodule; ``from module import name`` on
            # the module.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base
                for alias in node.names
            ]
        else:
            continue
        found.update(owner for name in names if (owner := _owner(name)) and owner != module)
    return frozenset(found)


def _top(module: str) -> str:
    return module.split(".")[0]


def layer_of(module: str) -> int | None:
    for index, (_, members) in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in members):
            return index
    return None


def asset_modules() -> list[str]:
    return [m for m, path in modules().items() if (ROOT / "lambdas") in path.parents]


def test_every_package_of_the_asset_has_a_layer() -> None:
    unplaced = sorted(m for m in asset_modules() if m not in ("vpr", "handlers") and layer_of(m) is None)
    assert not unplaced, f"give these a layer in LAYERS: {unplaced}"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = []
    for module in asset_modules():
        own = layer_of(module)
        if own is None:
            continue
        for imported in imports_of(module):
            theirs = layer_of(imported)
            if theirs is not None and theirs > own:
                upward.append(f"{module} ({LAYERS[own][0]}) imports {imported} ({LAYERS[theirs][0]})")
    assert not upward, "\n".join(upward)


def test_the_asset_imports_nothing_that_is_not_deployed_with_it() -> None:
    leaks = [
        f"{module} imports {imported}"
        for module in asset_modules()
        for imported in imports_of(module)
        if _top(imported) in NOT_DEPLOYED
    ]
    assert not leaks, leaks


def import_cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), in a stable order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(imports_of(node)):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(modules()):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycles_anywhere_first_party() -> None:
    assert import_cycles() == []


def test_the_checks_can_fail() -> None:
    """The graph is read from the code: the known edges are there (a parser that found none would pass)."""
    assert "vpr.models" in imports_of("vpr.jobs")
    assert "vpr.generation" in imports_of("vpr.sections.writers")  # a lazy import inside a function
    assert layer_of("handlers.submit") == len(LAYERS) - 1
    assert layer_of("vpr.models.request") == 0

"""The apps are layers: each imports only apps below it in ORDER, so no two apps import each other.

Every `import` and `from ... import` in apps/**/*.py counts, those inside functions included (a
function-level import is still a dependency, only a later one). Imports under `if TYPE_CHECKING:`
would not count (there are none today). Models refer to other apps' models by string
("assets.Asset"), which is no import; a lower app learns of a higher one only through a signal it
sends or a registry the higher app fills in from its AppConfig.ready() (the deliveries table, the
provenance fields). Run this file with -s to see the import graph's cycles printed."""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "apps"
CORE = APPS / "core"

# Lowest first. An app may import any app before it and none after it.
ORDER = (
    "core",         # errors, pagination, transitions, storage keys: no domain app
    "audit",        # the append-only log every app writes to
    "projects",     # projects, members, who may do what
    "accounts",     # single sign-on: joins people to projects
    "apikeys",
    "gemini",       # catalogue, kinds, the gateway and the emulator
    "assets",       # stored images, lineage links, files, renditions, provenance
    "library",      # characters and objects with their reference images
    "generations",  # jobs: intake, dispatch, engine, deliveries, job_finished
    "batches",      # a delivery backend
    "refinements",
    "webhooks",     # subscribes to the signals below it
    "checks",       # brand checks, after asset_stored
    "approvals",    # reviews, which brand checks may block
    "rights",       # rights down the lineage, refusing uses of assets
    "placements",   # channel renditions, refused by rights
    "campaigns",    # composes jobs, reviews, placements and rights
    "guests",       # review links into campaigns and assets
    "workflow",     # assignments and notifications about everything below
    "site",         # pages composing several apps; nothing imports it
)

# Upward imports still left, each (importer, imported): why. None is left (the last, assets reading
# job rows for the gallery and the lineage, became apps.assets.selectors.JOB_QUERIES); keep it so.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "apps" and len(parts) > 1 else None


def absolute(path: Path, node: ast.ImportFrom) -> str:
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def type_checking_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imported_modules(path: Path) -> set[str]:
    return {module for _, module, _ in imports_of(path)}


def imports_of(path: Path):
    """(line, module, names) for every import in the file, at any depth, TYPE_CHECKING-only ones left out."""
    tree = ast.parse(path.read_text(), str(path))
    skip = type_checking_lines(tree)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            module = absolute(path, node) if node.level else node.module
            yield node.lineno, module, tuple(alias.name for alias in node.names)


def cross_app_imports():
    """(importer app, imported app, "file:line module") for every import of another app."""
    for path in sorted(APPS.rglob("*.py")):
        importer = app_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for line, module, names in imports_of(path):
            imported = app_of(module)
            if imported and importer and imported != importer:
                yield importer, imported, f"{path.relative_to(ROOT)}:{line} {module} {', '.join(names)}".strip(), names


def import_graph() -> dict[tuple[str, str], list[str]]:
    edges = defaultdict(list)
    for importer, imported, where, _ in cross_app_imports():
        edges[(importer, imported)].append(where)
    return edges


def cycles(pairs) -> list[list[str]]:
    """The strongly connected components of more than one app (Tarjan's algorithm)."""
    graph = defaultdict(set)
    for a, b in pairs:
        graph[a].add(b)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
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
    return found


def test_every_app_has_a_place_in_the_order():
    apps = {path.parent.name for path in APPS.glob("*/__init__.py")}
    assert apps == set(ORDER), f"add to ORDER: {sorted(apps - set(ORDER))}; not an app: {sorted(set(ORDER) - apps)}"


def test_lower_apps_never_import_higher_ones():
    rank = {app: position for position, app in enumerate(ORDER)}
    upward = {pair: where for pair, where in import_graph().items() if rank[pair[1]] > rank[pair[0]]}
    new = {f"{a} -> {b}": where for (a, b), where in upward.items() if (a, b) not in ALLOWED_UPWARD}
    assert not new, "a lower app imports a higher one (see ORDER): " + repr(new)
    gone = sorted(f"{a} -> {b}" for a, b in ALLOWED_UPWARD if (a, b) not in upward)
    assert not gone, f"no longer imported: take these off ALLOWED_UPWARD: {gone}"


def test_no_import_circle_between_apps():
    edges = import_graph()
    every = cycles(edges)
    print("\nimport cycles between apps (function-level imports included):")
    for component in every:
        print("  ", " <-> ".join(component))
        for (a, b), where in sorted(edges.items()):
            if a in component and b in component:
                print(f"      {a} -> {b}: {where[0]}" + (f" (+{len(where) - 1})" if len(where) > 1 else ""))
    unexplained = cycles(pair for pair in edges if pair not in ALLOWED_UPWARD)
    assert not unexplained, f"import circles between apps: {unexplained}"


def test_no_app_imports_another_apps_underscore_names():
    private = [
        where for _, _, where, names in cross_app_imports()
        if any(part.startswith("_") and not part.startswith("__") for part in where.split(" ")[1].split("."))
        or any(name.startswith("_") and not name.startswith("__") for name in names)
    ]
    assert not private, f"private names imported across apps: {private}"


@pytest.mark.parametrize("package", ["config"])
def test_no_app_imports_the_project_package(package):
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {module}"
        for path in APPS.rglob("*.py")
        for module in imported_modules(path)
        if module == package or module.startswith(f"{package}.")
    )
    assert not offenders, offenders


def test_core_imports_no_domain_app_and_not_config():
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in CORE.rglob("*.py")
        for module in imported_modules(path)
        if module == "config" or module.startswith("config.")
        or (module.startswith("apps.") and not module.startswith("apps.core"))
    }
    assert not offenders, sorted(offenders)

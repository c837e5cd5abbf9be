"""The job engine's boundaries: generations never imports batches (batch delivery plugs in through
the delivery table), no app imports another app's underscore name, and the Batch API module uses
only the gateway's public names. Function-level imports count too."""

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "apps"


def _modules():
    for path in sorted(APPS.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path, path.relative_to(APPS).parts[0], ast.parse(path.read_text(), str(path))


def _private(name: str) -> bool:
    # A model's `_meta` is Django's documented Model _meta API, public despite its underscore.
    return name.startswith("_") and not name.startswith("__") and name != "_meta"


def _foreign_private_uses(path: Path, app: str, tree: ast.AST) -> list[str]:
    """Underscore names this module takes from a module of another app (imported or reached as an attribute)."""
    found, aliases = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("apps.") and not node.level:
            other = node.module.split(".")[1]
            for alias in node.names:
                if other != app and _private(alias.name):
                    found.append(f"{node.module}.{alias.name}")
                if other != app:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("apps.") and alias.name.split(".")[1] != app and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases and _private(node.attr):
            found.append(f"{aliases[node.value.id]}.{node.attr}")
    return [f"{path.relative_to(APPS.parent)}: {name}" for name in found]


def _imports(tree: ast.AST) -> set[str]:
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_generations_never_imports_batches():
    offenders = [
        f"{path.relative_to(APPS.parent)}: {module}"
        for path, app, tree in _modules() if app == "generations"
        for module in _imports(tree) if module == "apps.batches" or module.startswith("apps.batches.")
    ]
    assert not offenders, offenders


def test_no_app_uses_another_apps_underscore_names():
    offenders = [use for path, app, tree in _modules() for use in _foreign_private_uses(path, app, tree)]
    assert not offenders, offenders


def test_the_batch_api_module_uses_only_the_gateways_public_names():
    tree = ast.parse((APPS / "gemini" / "batches.py").read_text())
    taken = [
        alias.name for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("apps.gemini")
        for alias in node.names if _private(alias.name)
    ]
    assert not taken, taken

"""apps/core is the bottom layer: it imports no domain app and not the project package."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "apps" / "core"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_core_imports_no_domain_app_and_not_config():
    offenders = {
        f"{path.relative_to(CORE.parent.parent)}: {module}"
        for path in CORE.rglob("*.py")
        for module in imported_modules(path)
        if module == "config" or module.startswith("config.")
        or (module.startswith("apps.") and not module.startswith("apps.core"))
    }
    assert not offenders, sorted(offenders)

"""Build the two generated clients from a schema, cached under var/ by a hash of everything that
shapes them (schema, generator settings, lockfile, flow), so a rerun with nothing changed is fast."""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

HERE = Path(__file__).resolve().parent
TS = HERE / "ts"
PYTHON_CONFIG = HERE / "python-client.yaml"
PACKAGE = "brand_images_client"


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


def _cache() -> Path:
    folder = Path(settings.VAR_DIR) / "contract-clients"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _build_once(target: Path, build) -> Path:
    """Build into a scratch folder, then move it into place: a half-built client is never reused."""
    if target.exists():
        return target
    scratch = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    build(scratch)
    scratch.rename(target)
    return target


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


def python_client(schema: bytes):
    """openapi-python-client's package for `schema`, imported."""
    from importlib.metadata import version

    key = _digest(schema, PYTHON_CONFIG.read_bytes(), version("openapi-python-client").encode())

    def build(scratch: Path):
        (scratch / "schema.json").write_bytes(schema)
        generator = Path(sys.executable).with_name("openapi-python-client")
        _run([str(generator), "generate", "--path", "schema.json", "--config", str(PYTHON_CONFIG),
              "--output-path", PACKAGE, "--meta", "none"], scratch)

    root = _build_once(_cache() / f"python-{key}", build)
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]  # another schema's client may be loaded from an earlier test
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))


def typescript_flow(schema: bytes) -> Path:
    """flow.ts compiled against openapi-typescript's types for `schema`; returns the .js to run with node.
    node_modules come from the lockfile (npm ci), cached by its hash."""
    lock = (TS / "package-lock.json").read_bytes()

    def install(scratch: Path):
        shutil.copy(TS / "package.json", scratch)
        shutil.copy(TS / "package-lock.json", scratch)
        _run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], scratch)

    modules = _build_once(_cache() / f"node-{_digest(lock)}", install)
    key = _digest(schema, lock, (TS / "flow.ts").read_bytes(), (TS / "tsconfig.json").read_bytes())

    def build(scratch: Path):
        (scratch / "schema.json").write_bytes(schema)
        shutil.copy(TS / "flow.ts", scratch)
        shutil.copy(TS / "tsconfig.json", scratch)
        shutil.copy(TS / "package.json", scratch)  # "type": "module"
        bin_dir = modules / "node_modules" / ".bin"
        _run([str(bin_dir / "openapi-typescript"), "schema.json", "--output", "api.d.ts", "--default-non-nullable", "false"], scratch)
        _run([str(bin_dir / "tsc"), "-p", "tsconfig.json"], scratch)

    # Inside the node_modules folder's parent, so Node and tsc resolve the packages by walking up.
    return _build_once(modules / f"build-{key}", build) / "out" / "flow.js"

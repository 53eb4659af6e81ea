"""Generate toys/_generated from proto/ with betterproto2, and protobuf's own modules in
toys/_generated/pb2 (the runtime that encodes hot responses once; see toys.messages.encoded),
with Connect's service code beside them (toys_connect.py; see toys.http_api).

`poe proto` rewrites the package. `diff_generated` compares the committed code with a fresh
compile: tests/repo/test_generated_code.py is the one freshness check (CI and pre-commit run it).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
GENERATED = ROOT / "toys" / "_generated"
PLUGIN_OPTIONS = "server_generation=async,client_generation=async,google_protobuf_descriptors"


def _plugin(name: str = "protoc-gen-python_betterproto2") -> Path:
    """A protoc plugin installed beside this interpreter."""
    candidates = [Path(sysconfig.get_path("scripts")) / name, Path(sys.executable).parent / name]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install the dev dependencies (poetry install)")
    return Path(found)


def generate(out_dir: Path) -> None:
    """Compile every .proto under proto/ into out_dir."""
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    (out_dir / "pb2").mkdir(parents=True, exist_ok=True)
    plugin = _plugin()
    # The plugin formats its output with the `ruff` installed beside it.
    env = {**os.environ, "PATH": f"{plugin.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"--proto_path={PROTO_ROOT}",
            f"--plugin=protoc-gen-python_betterproto2={plugin}",
            f"--python_betterproto2_out={out_dir}",
            f"--python_betterproto2_opt={PLUGIN_OPTIONS}",
            f"--python_out={out_dir / 'pb2'}",
            # Connect's service, ASGI application and clients, beside the pb2 modules it uses.
            f"--plugin=protoc-gen-connect-python={_plugin('protoc-gen-connect-python')}",
            f"--connect-python_out={out_dir / 'pb2'}",
            "--connect-python_opt=imports=relative",
            f"--pyi_out={out_dir / 'pb2'}",
            *protos,
        ],
        check=False,
        cwd=PROTO_ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        raise SystemExit(f"protoc failed ({result.returncode}):\n{result.stderr.strip()}")


def _files(root: Path) -> set[str]:
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def diff_generated() -> list[str]:
    """Paths under toys/_generated that differ from a fresh compile (empty when up to date)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        fresh_files, committed = _files(fresh), _files(GENERATED)
        changed = [
            name
            for name in sorted(fresh_files & committed)
            if not filecmp.cmp(fresh / name, GENERATED / name, shallow=False)
        ]
        return sorted(set(changed) | (fresh_files ^ committed))


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__).parse_args(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(dir=GENERATED.parent) as tmp:
        generate(Path(tmp) / "out")
        shutil.rmtree(GENERATED, ignore_errors=True)
        shutil.move(Path(tmp) / "out", GENERATED)
    print(f"generated {len(_files(GENERATED))} files in {GENERATED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

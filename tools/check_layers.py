"""The import-layer rule of DESIGN.md §1, checked rather than hoped for.

    plugins/*  ──►  xueji (public API only)  ◄──  adapters/*
    xueji      ──►  attrs, cattrs, pluggy, typeguard, stdlib, small domain
                    libraries (chinese_calendar, stdnum)
    xueji.conformance may also import pytest, yaml and hypothesis.

Exit status 1 with one line per violation (file:line: module), 0 otherwise.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL_ALLOWED = {
    "attrs",
    "attr",
    "cattrs",
    "pluggy",
    "typeguard",
    "chinese_calendar",
    "stdnum",
    "xueji",
}
CONFORMANCE_EXTRA = {"pytest", "yaml", "hypothesis", "_pytest"}


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, node.module)]
            found += [
                (node.lineno, f"{node.module}.{alias.name}") for alias in node.names
            ]
    return found


def private_xueji(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "xueji" and any(p.startswith("_") for p in parts[1:])


def check() -> list[str]:
    problems: list[str] = []
    stdlib = set(sys.stdlib_module_names)
    for path in sorted((ROOT / "kernel" / "xueji").rglob("*.py")):
        conformance = "conformance" in path.relative_to(ROOT / "kernel").parts
        allowed = KERNEL_ALLOWED | (CONFORMANCE_EXTRA if conformance else set())
        for line, module in imports(path):
            top = module.split(".")[0]
            if top in stdlib or top in allowed or top == "__future__":
                continue
            problems.append(
                f"{path.relative_to(ROOT)}:{line}: the kernel imports {module}"
            )
    for folder in ("plugins", "adapters", "examples"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or "tests" in rel.parts:
                continue
            for line, module in imports(path):
                if private_xueji(module):
                    problems.append(
                        f"{rel}:{line}: imports the kernel's private {module}; use "
                        "the public API (xueji, xueji.plugin, xueji.conformance)"
                    )
    return problems


def main() -> int:
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} layer violation(s)")
        return 1
    print("layers: ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

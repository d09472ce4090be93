"""xueji_cli — the ``xueji`` command line, a driving adapter of the kernel.

The registrar's and auditor's tool (DESIGN.md §7): initialise a register,
load organisations and rosters, submit requests, read histories and duties,
run the dated jobs, and ``xueji demo``.  See ``docs/cli.md``.
"""

from xueji_cli.main import app, main

__all__ = ["app", "main"]

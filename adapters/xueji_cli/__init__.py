"""xueji_cli — the ``xueji`` command line, a driving adapter of the kernel.

The registrar's and auditor's tool (DESIGN.md §7): initialise a register,
load organisations and rosters, submit requests, act on procedure steps and
duties (``work``, ``approve``…, ``done``), load attendance, run the dated
jobs, the term check, compliance and exports, list the plugins, run the
conformance suite, and ``xueji demo``.  See ``docs/cli.md``.
"""

from xueji_cli.main import app, main

__all__ = ["app", "main"]

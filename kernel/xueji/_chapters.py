"""Imports every chapter module, so each registers its requests.

One line per module; keep them sorted.
"""

from __future__ import annotations

from xueji import _enrollment, _workflow

CHAPTERS = (_enrollment, _workflow)

"""Imports every chapter module, so each registers its requests.

One line per module; keep them sorted.
"""

from __future__ import annotations

from xueji import (
    _archive,
    _attendance,
    _disclosure,
    _enrollment,
    _graduation,
    _obligations,
    _oversight,
    _specialized,
    _suspension,
    _transfer,
    _withdrawal,
    _workflow,
)

CHAPTERS = (
    _archive,
    _attendance,
    _disclosure,
    _enrollment,
    _graduation,
    _obligations,
    _oversight,
    _specialized,
    _suspension,
    _transfer,
    _withdrawal,
    _workflow,
)

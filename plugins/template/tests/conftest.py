"""Lets the template's test run before the package is installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("xueji_district_template") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

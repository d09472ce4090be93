"""Reading organisations (reference data) from a TOML or JSON file.

The file has four lists, each optional::

    [[district]]            # 区教委: code, name, region_code, office
    [[school]]              # code, name, district, region_code, type,
                            # system ("6-3", "5-4"), consent, townships
    [[township]]            # 乡镇人民政府、街道办事处: code, name, district
    [[hrss_office]]         # 人力资源和社会保障部门: code, name, district

``beijing_districts = true`` at the top adds the 16 districts and the two
education units shipped with the kernel (:func:`xueji.load_districts`).
JSON has the same shape: an object with these keys.
"""

from __future__ import annotations

__all__ = ["read_organisations"]

import json
import tomllib
from pathlib import Path
from typing import Any

from xueji import (
    District,
    HrssOffice,
    InvalidInputError,
    School,
    Township,
    load_districts,
    structure,
)

Organisation = District | School | Township | HrssOffice

_TABLES: dict[str, type[Any]] = {
    "district": District,
    "school": School,
    "township": Township,
    "hrss_office": HrssOffice,
}


def _parse(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"{path}: not UTF-8 text; save the file as UTF-8 and retry"
        ) from None
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot be read: {error.strerror}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InvalidInputError(
                f"{path}: not valid JSON at line {error.lineno} column "
                f"{error.colno}: {error.msg}"
            ) from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise InvalidInputError(f"{path}: not valid TOML: {error}") from None
    if not isinstance(data, dict):
        raise InvalidInputError(
            f"{path}: expected tables district, school, township, hrss_office"
        )
    return data


def _school_data(entry: dict[str, Any], where: str) -> dict[str, Any]:
    """``system = "5-4"`` (and ``consent``) become the SchoolSystem."""
    entry = dict(entry)
    system = entry.pop("system", "6-3")
    consent = entry.pop("consent", None)
    primary, _sep, junior = str(system).partition("-")
    if not (primary.isdigit() and junior.isdigit()):
        raise InvalidInputError(
            f"{where}: system {system!r} is not a school system; write it as "
            '"6-3" or "5-4" (第六、八条)'
        )
    if (int(primary), int(junior)) != (6, 3) and not consent:
        raise InvalidInputError(
            f"{where}: school system {system} is an experiment and needs the "
            '市教委\'s consent (第八条); give consent = "文号"'
        )
    entry["system"] = {
        "primary_years": int(primary),
        "junior_years": int(junior),
        "consent": consent,
    }
    if "townships" in entry:
        entry["townships"] = tuple(entry["townships"])
    return entry


def read_organisations(path: Path) -> list[Organisation]:
    """Every organisation in the file, districts first.

    Raises:
        InvalidInputError: the file cannot be read, or an entry does not fit;
            the message names the table, the entry and the field.
    """
    data = _parse(path)
    unknown = set(data) - {*_TABLES, "beijing_districts"}
    if unknown:
        raise InvalidInputError(
            f"{path}: unknown keys {sorted(unknown)}; use district, school, "
            "township, hrss_office (and beijing_districts = true)"
        )
    organisations: list[Organisation] = []
    if data.get("beijing_districts") is True:
        organisations += load_districts()
    problems: list[str] = []
    for table, cls in _TABLES.items():
        entries = data.get(table, [])
        if not isinstance(entries, list):
            problems.append(f"{path}: {table} must be a list of tables ([[{table}]])")
            continue
        for index, entry in enumerate(entries, start=1):
            where = f"{path}: {table} #{index}"
            if not isinstance(entry, dict):
                problems.append(f"{where}: expected a table of fields")
                continue
            try:
                if cls is School:
                    entry = _school_data(entry, where)
                organisations.append(structure(entry, cls, source=where))
            except InvalidInputError as error:
                problems.append(str(error))
    if problems:
        raise InvalidInputError(
            f"{path}: {len(problems)} problem(s); nothing was loaded.\n"
            + "\n".join(problems)
        )
    codes: dict[tuple[str, str], int] = {}
    for org in organisations:
        key = (type(org).__name__, org.code)
        codes[key] = codes.get(key, 0) + 1
    repeated = sorted(f"{kind} {code}" for (kind, code), n in codes.items() if n > 1)
    if repeated:
        raise InvalidInputError(
            f"{path}: codes given more than once: {', '.join(repeated)}; nothing "
            "was loaded"
        )
    return organisations

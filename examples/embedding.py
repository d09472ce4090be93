"""A vendor embedding xueji: create a register, load a school, admit a
student from the admission result, and read the decision with its
citations.

Run it with ``.venv/bin/python examples/embedding.py``.  It uses the
SQLAlchemy adapter on a temporary SQLite file when that adapter is
installed, and the in-memory reference store otherwise.  The student is
fictitious: the ID number is made under the unassigned county code 110199.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import xueji
from xueji import id_check_char


def open_store(folder: Path) -> xueji.Store:
    try:
        from xueji_sqlalchemy import init_register
    except ImportError:
        return xueji.MemoryStore()
    store: xueji.Store = init_register(f"sqlite:///{folder / 'register.db'}")
    return store


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="xueji-embedding-"))
    register = xueji.Register(open_store(folder))
    city = xueji.Principal.parse("city:110000:学籍管理员")

    # Reference data: the district and one primary school (illustrative).
    chaoyang = next(d for d in xueji.load_districts() if d.name == "朝阳区")
    school = xueji.School(
        code="S0001",
        name="北京市朝阳区示例小学",
        district=chaoyang.code,
        region_code=chaoyang.code,
        type=xueji.SchoolType.PRIMARY,
    )
    register.load_organisations([chaoyang, school], city)

    # The admission result for one new pupil (第十七条第二款).
    first17 = "11019920190302011"
    admission = xueji.Admission(
        id="adm-0001",
        on=date(2025, 7, 18),
        school="S0001",
        grade=1,
        school_year="2025-2026",
        student=xueji.StudentParticulars(
            name="王某甲",
            sex=xueji.Sex.MALE,
            birth_date=date(2019, 3, 2),
            hukou=xueji.Hukou(beijing=True, district=chaoyang.code),
            id_number=first17 + id_check_char(first17),
        ),
        documents=("户口簿",),
    )
    registrar = xueji.Principal.parse("school:S0001:王老师")
    decision = register.submit(admission, registrar)

    # The decision is data: outcome, reasons, obligations, and the trace of
    # every rule evaluated, each with its article.
    number = xueji.StudentNumber.parse(decision.student or "")
    print(f"outcome: {decision.outcome.value}; 学籍号 {number.masked()}")
    for reason in decision.reasons:
        print(f"  {reason.severity.value}: {reason.text} ({reason.article})")
    for step in decision.trace:
        print(f"  rule {step.rule} ({step.article}): {step.result}")
    for event in register.history(number.value, registrar).events:
        print(f"  {event.on} {event.summary} ({event.article})")


if __name__ == "__main__":
    main()

"""The register's records: students, guardians, enrollment stints and the
学籍变动 log.

Nothing here is ever overwritten in place without a new version, and nothing
is deleted: a stint ends on its last day, a correction is a new event.  Any
question can be asked *as of* a date (:meth:`Enrollment.active_on`).
"""

from __future__ import annotations

__all__ = [
    "Archive",
    "ArchiveItem",
    "ChangeKind",
    "Enrollment",
    "EnrollmentBasis",
    "Guardian",
    "Hukou",
    "LocalBasis",
    "Sex",
    "StatusChange",
    "Student",
    "TreatedAsLocal",
]

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from attrs import Attribute

from xueji._errors import InvalidInputError
from xueji._identity import DocumentKind
from xueji._orgs import Grade
from xueji._status import Status


class Sex(enum.Enum):
    MALE = "男"
    FEMALE = "女"


def _nonblank(_: object, attribute: Attribute[str], value: str) -> None:
    if not value.strip():
        raise InvalidInputError(f"{attribute.name} must not be empty")


@attrs.frozen
class Hukou:
    """户籍: Beijing or not, and where (district and township codes)."""

    beijing: bool
    district: str | None = None
    township: str | None = None
    province: str | None = None  # for a non-Beijing hukou


class LocalBasis(enum.Enum):
    """第十五条: the cases treated as Beijing hukou."""

    TAIWAN_COMPATRIOT = 1  # （一）区台办认定的台胞子女
    POSTDOC = 2  # （二）在京在站博士后研究人员子女
    MILITARY = 3  # （三）随军进京落户
    OVERSEAS_CHINESE = 4  # （四）华侨子女
    PARENT_HUKOU = 5  # （五）父母一方有本市常住户籍
    WORK_RESIDENCE_PERMIT = 6  # （六）父母一方持有《北京市工作居住证》
    OTHER_POLICY = 7  # （七）其他符合国家和本市有关政策规定的情形


@attrs.frozen
class TreatedAsLocal:
    """The evidence for 视同本市户籍 (第十五条).  ``valid_to`` bounds a
    document such as the work-residence permit; ``policy`` names the national
    or municipal policy for item (七)."""

    basis: LocalBasis
    document: str
    valid_from: date | None = None
    valid_to: date | None = None
    policy: str | None = None

    def holds_on(self, day: date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


@attrs.frozen
class Guardian:
    """A parent or other legal guardian (父母或其他法定监护人)."""

    name: str = attrs.field(validator=_nonblank)
    relation: str
    phone: str | None = None


@attrs.frozen
class Student:
    """A person in the register.  ``number`` is the 学籍号 (one person, one
    number for life, 第十七条第二款); ``aliases`` keeps earlier temporary L
    numbers."""

    number: str
    name: str = attrs.field(validator=_nonblank)
    sex: Sex
    birth_date: date
    document: DocumentKind
    id_number: str | None
    hukou: Hukou
    district: str  # the district of the current school of record
    treated_as_local: tuple[TreatedAsLocal, ...] = ()
    residence_district: str | None = None
    residence_township: str | None = None
    address: str | None = None
    guardians: tuple[Guardian, ...] = ()
    disabled: bool = False
    aliases: tuple[str, ...] = ()
    version: int = 1

    def local_on(self, day: date) -> bool:
        """Beijing hukou, or treated as such on ``day`` (第十五条)."""
        return self.hukou.beijing or any(t.holds_on(day) for t in self.treated_as_local)


class EnrollmentBasis(enum.Enum):
    REGULAR = "regular"
    SPECIAL_EDUCATION_DUAL = "special-education-dual"  # 第十二条第二款


@attrs.frozen
class Enrollment:
    """One student at one school from ``first_day`` to ``last_day`` (both
    inclusive; ``None`` while it lasts).  Grade changes are events."""

    id: str
    student: str
    school: str
    district: str
    grade: Grade  # the grade now; earlier grades are in the events
    status: Status
    first_day: date
    school_year: str
    last_day: date | None = None
    basis: EnrollmentBasis = EnrollmentBasis.REGULAR
    registered_on: date | None = None
    status_until: date | None = None  # end of a deferral or suspension period
    version: int = 1

    def active_on(self, day: date) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


class ChangeKind(enum.Enum):
    """Kinds of 学籍变动."""

    ADMITTED = "admitted"
    REGISTERED = "registered"
    DELAYED_REGISTRATION = "delayed-registration"
    DEFERRED = "deferred"
    DEFERRAL_ENDED = "deferral-ended"
    FORFEITED = "forfeited"
    NUMBER_ISSUED = "number-issued"
    NATIONAL_NUMBER = "national-number"
    ID_CORRECTED = "id-corrected"
    ARCHIVE_CREATED = "archive-created"
    ARCHIVE_ENTRY = "archive-entry"
    APPROVED = "approved"
    FILED = "filed"
    STATUS = "status"
    GRADE = "grade"
    SUSPENDED = "suspended"  # 第三十二、三十三条
    SUSPENSION_EXTENDED = "suspension-extended"  # 第三十四条
    SUSPENSION_LAPSED = "suspension-lapsed"  # 第三十五条第二款
    RESUMED = "resumed"  # 第三十五条第一、三款
    WITHDRAWN = "withdrawn"  # 第三十六、三十七条
    GRADUATED = "graduated"  # 第三十九条第一、三款
    COMPLETED = "completed"  # 第三十九条第二款
    CERTIFICATE = "certificate"  # 第三十九、四十条
    ATTESTATION = "attestation"  # 第四十条第三款
    TRANSFER_FILED = "transfer-filed"  # 第二十三、二十六、二十七条
    TRANSFER_ROLLED_BACK = "transfer-rolled-back"  # rejected or withdrawn
    TRANSFERRED_OUT = "transferred-out"  # 第二十三、二十九条
    TRANSFERRED_IN = "transferred-in"  # 第二十三至二十六条
    LEFT_BEIJING = "left-beijing"  # 第二十七条
    TRAINING_SELECTION = "training-selection"  # 第二十八条
    SPECIALIZED_SCHOOL = "specialized-school"  # 第三十一条第一款
    SPECIALIZED_RETURN = "specialized-return"  # 第三十一条第二款


@attrs.frozen
class StatusChange:
    """One entry of the append-only 学籍变动 log."""

    id: str
    student: str
    district: str
    on: date
    kind: ChangeKind
    article: str
    actor: str  # the principal who entered it: "role:organisation:name"
    summary: str
    recorded_at: datetime
    enrollment: str | None = None
    source_status: Status | None = None
    target_status: Status | None = None
    request_id: str | None = None
    data: tuple[tuple[str, str], ...] = ()


class ArchiveItem(enum.Enum):
    """第十八条第一款: what a 学籍档案 holds, one member per item."""

    BASIC = 1  # （一）学籍基础信息及信息变动情况
    EVIDENCE = 2  # （二）学籍信息证明材料
    DEVELOPMENT = 3  # （三）综合素质发展报告
    HEALTH = 4  # （四）体质健康测试及健康体检信息、预防接种信息
    AWARDS = 5  # （五）在校期间的获奖信息
    AID = 6  # （六）享受资助信息


@attrs.frozen
class Archive:
    """A student's 学籍档案 (第十七、十八条): created by the school, kept by the
    school of record, moving with the student (第二十九条)."""

    student: str
    school: str
    created_on: date
    items: tuple[tuple[ArchiveItem, str], ...] = ()

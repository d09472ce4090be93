"""The ``xueji_*`` hooks: where a district's 实施细则 (第五十条) plugs in.

Every hook is a delegation point of the regulation's own wording (DESIGN.md
§3).  Each hook is called *per plugin* by the kernel, which arbitrates: a
district plugin's answer for its own district replaces the municipal
default; an answer of ``None`` means "no rule of mine here"; two plugins of
the same layer answering the same point for the same district on overlapping
dates is a load error.  The kernel never relies on pluggy's call order.
Answers outside a point's bounds raise :class:`~xueji.PluginError` naming the
plugin, the hook and the value.

The reference for each hook — signature, when it is called, what to return,
how answers combine, article — is ``docs/plugins.md``; a test checks that
every hook here has a section there and a test.
"""

from __future__ import annotations

from datetime import date

import pluggy

from xueji._calendar import SchoolCalendar
from xueji._medical import HospitalGrade
from xueji._plugins import NotificationChannel
from xueji._rules import SchoolSystemExperiment

hookspec = pluggy.HookspecMarker("xueji")
hookimpl = pluggy.HookimplMarker("xueji")


@hookspec
def xueji_entry_age_cutoff(district: str, school_year: str) -> date | None:
    """The latest birth date of a child admitted to grade 1 in
    ``school_year`` (第十条: 年满六周岁; 第十条第二款: 当年的入学规定).

    Called when a grade-1 admission is decided.  Municipal default: 31 August
    six years before the school year begins (born on or before 2019-08-31 for
    2025-2026).  Bound: a district may move the cut-off no later than the
    municipal one (a child younger than six is never of compulsory age).
    Since 0.1.0."""


@hookspec
def xueji_school_calendars() -> list[SchoolCalendar] | None:
    """School calendars (校历) a plugin supplies, per school year and stage.

    Called once when a register assembles its calendar book.  The municipal
    plugin answers the published Beijing calendars; two calendars for the
    same school year and stage are a load error (an amended calendar is
    supplied through ``CalendarBook.with_calendars``).  School days count
    for 第二十、二十一、三十二条.  Since 0.1.0."""


@hookspec
def xueji_closure_days(district: str, school_year: str) -> list[date] | None:
    """Days the district's schools are closed (red alerts, extreme weather):
    not school days.  Called when a register assembles its calendar book.
    Answers of the municipal and district layers are combined (union).
    School days count for 第二十、二十一、三十二条.  Since 0.1.0."""


@hookspec
def xueji_hospital_grade(hospital: str) -> HospitalGrade | None:
    """The grade of a hospital named on a medical record (第十一、三十三、
    三十四、三十五条 require 二级甲等及以上).  ``None`` when the hospital is not
    in the plugin's registry; the kernel then takes the grade stated on the
    record, with a warning.  The threshold itself is municipal and cannot be
    changed.  Since 0.1.0."""


@hookspec
def xueji_enrollment_plan(school: str, school_year: str, grade: int) -> int | None:
    """The enrollment plan (招生计划) of a school: how many new students it
    may admit to ``grade`` in ``school_year`` (第三、九条).  ``None``: no plan
    recorded, so no quota is enforced (the decision carries a warning).
    Since 0.1.0."""


@hookspec
def xueji_registration_deadline(
    district: str, stage: str, term_start: date
) -> date | None:
    """The last day of the regular registration of new students, 第十六条
    第一款 "按照规定时间".  Municipal default: the term's first day.  Bound:
    no later than the last day of the delayed-registration window (开学后5个
    工作日).  Since 0.1.0."""


@hookspec
def xueji_deferral_end(district: str, school_year: str) -> date | None:
    """The last day of a 缓学 granted for ``school_year`` (第十一条第二款:
    一般为一学年).  Municipal default: 31 August at the end of that school
    year.  Bound: within that school year (one school year per application
    at most).  Since 0.1.0."""


@hookspec
def xueji_admission_documents(
    district: str, stage: str, local: bool
) -> list[str] | None:
    """The documents an admission requires (第十三条: 按照市和区教委当年的招生
    规定; 第十条第二款).  ``local`` is true for Beijing hukou and 视同本市户籍
    children.  Answers of the municipal and district layers are combined:
    a district may ask for more, never for less.  Since 0.1.0."""


@hookspec
def xueji_suspension_other_reason(district: str, reason: str) -> str | None:
    """Whether the district's rules admit an "other" reason for 休学
    (第三十二条第（三）项: 因其他原因，需要休学的 — delegated).

    Called when a suspension is applied for on ground (三), with the reason
    as the application states it.  Return a refusal text (Chinese) when the
    district's rules do not admit the reason, or ``None``: no objection.
    Answers of the municipal and district layers are combined: every text
    returned refuses, so a plugin may add refusals and never remove one.
    Municipal default: ``None`` — the school's consent (第三十三条) decides.
    Since 0.1.0."""


@hookspec
def xueji_academic_rule(
    district: str, stage: str, decision: str, from_grade: int, to_grade: int
) -> str | None:
    """The academic rules (学业成绩管理等有关规定) a grade decision must meet
    (第三十八条: 升级、留级、跳级按照教育行政部门…有关规定执行; 第三十九条:
    毕业要求; 第四十九条: 考核评价办法另行规定).

    Called when a school records a promotion, retention or skip
    (``decision`` is ``"promotion"``, ``"retention"`` or ``"skip"``), lists
    a graduate (``"graduation"``) or grants 结业 (``"completion"``); for the
    last two ``to_grade`` equals ``from_grade``.  Return a refusal text
    (Chinese) when the decision breaks the rules, or ``None``.  Answers of
    the municipal and district layers are combined: every text returned
    refuses.  Municipal default: ``None`` — the kernel records the school's
    decision and checks only the grade arithmetic.  Since 0.1.0."""


@hookspec
def xueji_certificate_number(
    district: str | None,
    school: str,
    stage: str,
    kind: str,
    year: int,
    serial: int,
) -> str | None:
    """The number (统一字号) of a certificate (第四十条第二款: 义务教育阶段由
    区教委制定，普通高中阶段由市教委制定).

    Called when a certificate of ``kind`` (毕业, 结业 or 肄业) is issued to a
    student of ``school`` graduating (or leaving) in ``year``; ``serial`` is
    the kernel's counter of that scheme, from 1.  For a compulsory stage
    ``district`` is the school's district, and the district's answer
    replaces the municipal fallback.  For 高中 ``district`` is ``None``: the
    city sets the scheme, so only the municipal layer answers.  Municipal
    answer: ``{issuer}-{year}-{stage letter}{kind letter}-{serial:06d}``,
    issuer the district code (compulsory) or 110000 (高中), e.g.
    ``110105-2026-CB-000001``.  Bound: a non-empty text; a number already
    issued is an error.  Since 0.1.0."""


@hookspec
def xueji_hand_over_date(district: str, stage: str, school_year: str) -> date | None:
    """The day by which a school hands over the materials (初中) or archives
    (高中) of graduates and completers who did not go on to the next level
    (第四十一条第一、二款: 按规定时间移交).

    Called when a school lists those students for hand-over to the
    human-resources and social-security office of their hukou.  Return the
    last day of the hand-over for ``school_year``'s leavers.  District
    replaces municipal.  Municipal default: ``None`` — the text gives no
    time; the duty is created without a due date and the decision warns.
    Bound: within the calendar year the school year ends or the next.
    Since 0.1.0."""


# ------------------------------------------------ Chapters 4–5 (考勤, 转学)


@hookspec
def xueji_frequent_lateness_threshold(district: str) -> int | None:
    """How many lates and early leavings within a term make a student
    "经常迟到、早退" (第二十条第一款), which obliges the school to contact the
    guardians.

    Called when marks of 迟到 or 早退 are recorded.  Return a whole number.
    District replaces municipal.  Municipal default: 3 (DESIGN.md §4: 经常
    = three times or more within a term).  Bound: 1 to 3 — a district may
    only make the duty stricter (a lower threshold).  Since 0.1.0."""


@hookspec
def xueji_transfer_special_reasons(district: str) -> list[str] | None:
    """The "其他特殊原因" for which a compulsory student may transfer within
    the city (第二十二条第（三）项).

    Called when a transfer application gives a special reason, for the
    district of each school taking part.  Return the reasons the district
    accepts; an application whose reason is not among them is refused, and
    the refusal names the district plugin.  District replaces municipal.
    Municipal default: ``None`` — no list; the stated reason goes to the
    districts' approval steps, which judge it.  Since 0.1.0."""


@hookspec
def xueji_transfer_documents(
    district: str, stage: str, reason: str
) -> list[str] | None:
    """The materials a transfer application must carry (第二十三条第一款:
    持户籍迁移、实际居住地变更等相关材料; 第二十四条).

    Called when a transfer application is decided, for the district of
    each school taking part.  ``reason`` is the value of the application's
    :class:`~xueji.TransferReason` or :class:`~xueji.InboundReason`.
    Answers of the municipal and district layers are combined: a district
    may ask for more, never for less.  Municipal default: 户籍迁移证明 for
    a hukou move, 实际居住地变更证明 for a change of residence, 户口簿 for
    a student coming from another province or from abroad.  Since 0.1.0."""


@hookspec
def xueji_transfer_window_binding(district: str) -> bool | None:
    """Whether filing a transfer outside the window of 第二十九条 (the week
    before the winter or summer vacation) is refused rather than warned.

    The rule is stated as 一般, so the municipal answer is a warning.
    Called when a transfer is filed, for the district of each school taking
    part; one district answering ``True`` makes it a refusal.  District
    replaces municipal.  Municipal default: ``False``.  Since 0.1.0."""


@hookspec
def xueji_transfer_processing_limit(district: str) -> int | None:
    """The processing limit of a transfer in working days (第二十九条: 转学
    手续办理一般不超过10个工作日).

    Called when a transfer is filed, for the district of each school taking
    part; a cross-district transfer takes the shorter of the two limits.
    District replaces municipal.  Municipal default: 10.  Bound: 1 to 10 —
    a district may shorten the limit, never lengthen it.  Since 0.1.0."""


@hookspec
def xueji_transfer_refusal_grounds(
    district: str, student: str, grade: int, from_school: str | None, to_school: str
) -> list[str] | None:
    """Further grounds to refuse a transfer: "其他无正当理由的"
    (第三十条第（四）项).

    Called when a transfer is decided, for the district of each school
    taking part (refusal grounds of either side apply).  ``from_school`` is
    ``None`` for a student coming from outside Beijing.  Return the text of
    each ground that applies; each becomes a refusal citing 第三十条第（四）项
    and naming the plugin.  Answers are combined; a plugin adds refusals,
    it never turns one into an acceptance.  Municipal default: none.
    Since 0.1.0."""


@hookspec
def xueji_training_selection_documents(district: str) -> list[str] | None:
    """The documents with which an organisation approved to train children
    in the arts or sports selects a student (第二十八条: 按照有关规定到教育
    行政部门办理相应手续).

    Called when the district records such a selection.  Answers of the
    municipal and district layers are combined.  Municipal default: the
    organisation's approval to recruit for professional training
    (批准招收专业训练的文件) and its selection notice (选调通知), which the
    article itself presupposes.  Since 0.1.0."""


# ------------------------------------------------ 第八、十七、四十九条; readings


@hookspec
def xueji_personal_file_items(district: str) -> list[str] | None:
    """The items of the personal file (个人档案) a senior school builds for
    each new student "按照教育行政部门要求" (第十七条第一款).

    Called when a senior new student registers and the school's duty to
    build the file is created; the duty lists the items.  Answers of the
    municipal and district layers are combined: a district may require
    more, never less.  Municipal default: ``None`` — the municipal text
    names no items.  Since 0.1.0."""


@hookspec
def xueji_transfer_barring_sanctions() -> list[str] | None:
    """The kinds of 处分 during which a transfer is refused (第三十条第（三）项:
    学生在受处分期间，不予办理转学手续), as the city's rules on 奖励处分
    define them (第四十九条: 由市教委另行规定).

    Called when a transfer is decided for a student with a sanction on
    record in force on the filing date.  Only municipal-layer plugins
    answer (a district plugin implementing it does not load).  Answers are
    combined: the city may add kinds, never remove one.  Municipal default:
    警告, 严重警告, 记过, 留校察看.  Since 0.1.0."""


@hookspec
def xueji_timely_days(district: str, duty: str) -> int | None:
    """How many working days after the day a duty arises "及时" allows
    (第二十条第一款: 及时通知, 及时了解情况; 第三十五条第二款: 及时督促学生
    复学; 第四十三条: 及时更新和上报).

    Called when such a duty is created; ``duty`` is ``inform-guardian``,
    ``contact-guardian``, ``urge-enrollment``, ``urge-return`` or
    ``update-records``.  District replaces municipal.  Municipal default: 1
    (by the next working day, DESIGN.md §4).  Bound: 0 (the same day) or 1
    — a district may make the duty sooner, never later; checked at load.
    Since 0.1.0."""


@hookspec
def xueji_repeated_contacts(district: str) -> int | None:
    """How many contacts with the guardians "多次联系" means before a senior
    student's withdrawal for truancy (第三十六条第二款第（二）项: 学校与学生
    父母或其他法定监护人多次联系帮助教育无效的).

    Called when that withdrawal ground is evaluated.  District replaces
    municipal.  Municipal default: 2 (多次 = at least two, DESIGN.md §4).
    Bound: 2 or more — a district may require more contacts, never fewer;
    checked at load.  Since 0.1.0."""


@hookspec
def xueji_school_systems(district: str) -> list[SchoolSystemExperiment] | None:
    """School-system experiments (学制改革实验, 第八条: 经市教委同意，可…在条件
    具备的学校开展学制改革实验) in ``district``: named schools that run,
    e.g., 五四制 instead of 6-3 (第六条: 原则上小学6年，初中3年), which moves
    their starting and graduating grades (第三十条第（一）项).

    Called through ``Rules.school_system(school, on)`` whenever a rule needs
    a school's grades.  Answers are combined; a school in two experiments
    at once is an error.  Each experiment must carry the reference of the
    市教委's consent and divide the nine compulsory years; a declaration
    without consent does not load.  Municipal default: none — every school
    keeps the system the register records.  Since 0.1.0."""


@hookspec
def xueji_notification_channels() -> list[NotificationChannel] | None:
    """Notification channels a plugin package ships (第二十条: 及时通知其
    父母; 第三十七条: 退学通知书送交本人 — the text does not say how).

    Called once, when the operator's configuration chooses the channels a
    deployment uses (``xueji.notification_channels``); never per
    request.  Channels installed under the ``xueji.channels`` entry-point
    group join the same catalogue; two channels with one name are a load
    problem.  Municipal default: none.  Since 0.1.0."""

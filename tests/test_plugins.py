"""Loading plugins, the checks at load, precedence in time and across layers,
school-system experiments (第八条), and what ``xueji plugins`` shows
(DESIGN.md §3).  Each test plugin is a small class."""

from __future__ import annotations

from datetime import date
from importlib import metadata
from typing import Any

import attrs
import pytest

from tests.conftest import (
    CHAOYANG,
    CITY,
    HAIDIAN,
    ORGANISATIONS,
    PRIMARY,
    admission,
    child,
    fixed_clock,
)
from xueji import (
    Admission,
    LoadProblem,
    MemoryStore,
    Notice,
    Obligation,
    ObligationKind,
    Outcome,
    PluginError,
    PluginInfo,
    Principal,
    PrincipalRole,
    Register,
    Role,
    Rules,
    School,
    SchoolSystem,
    SchoolSystemExperiment,
    SchoolType,
    WorkingDays,
    choose_channels,
    notification_channels,
    open_storage,
)
from xueji import _municipal as municipal
from xueji._rules import timely_due
from xueji.plugin import hookimpl

HAIDIAN_PRIMARY = Principal(PrincipalRole.SCHOOL, "Q01", "钱老师")


def info(name: str = "test-district", **kwargs: Any) -> PluginInfo:
    fields: dict[str, Any] = {
        "name": name,
        "version": "1.0",
        "layer": "district",
        "districts": (CHAOYANG,),
        "legal_basis": "测试实施细则",
        "document_number": "测〔2025〕1号",
        **kwargs,
    }
    return PluginInfo(**fields)


def register_with(rules: Rules) -> Register:
    register = Register(MemoryStore(), rules=rules, clock=fixed_clock)
    register.load_organisations(ORGANISATIONS, CITY)
    return register


def admission_for(
    year: str, on: date, name: str = "测试甲", **kwargs: Any
) -> Admission:
    particulars = child(name, date(2020, 7, 15), None)
    return attrs.evolve(admission(particulars, on=on, **kwargs), school_year=year)


class Limit:
    """A district's transfer processing limit (第二十九条)."""

    def __init__(self, days: int, **kwargs: Any) -> None:
        self.XUEJI_PLUGIN = info(**kwargs)
        self.days = days

    @hookimpl
    def xueji_transfer_processing_limit(self, district: str) -> int:
        return self.days


class Cutoff:
    """A district's entry-age cut-off (第十条)."""

    def __init__(self, day: date, **kwargs: Any) -> None:
        self.XUEJI_PLUGIN = info(**kwargs)
        self.day = day

    @hookimpl
    def xueji_entry_age_cutoff(self, district: str, school_year: str) -> date:
        return self.day


# ---------------------------------------------------------------- bounds at load


def test_a_transfer_limit_of_15_days_is_refused_at_load_naming_plugin_hook_value() -> (
    None
):
    with pytest.raises(
        PluginError,
        match=r"test-district 1\.0: hook xueji_transfer_processing_limit: "
        r"value 15 is out of bounds: outside 1 to 10 working days",
    ):
        Rules([municipal, Limit(15)])


def test_a_transfer_limit_of_7_days_loads_and_governs_its_district() -> None:
    rules = Rules([municipal, Limit(7)])

    here = rules.answer(
        "xueji_transfer_processing_limit",
        district=CHAOYANG,
        on=date(2025, 10, 9),
        default=10,
    )
    there = rules.answer(
        "xueji_transfer_processing_limit",
        district=HAIDIAN,
        on=date(2025, 10, 9),
        default=10,
    )

    assert (here.value, here.source.name) == (7, "test-district")
    assert (there.value, there.source.name) == (10, "xueji-municipal")


def test_a_cross_district_procedure_takes_the_shorter_limit() -> None:
    rules = Rules([municipal, Limit(7)])

    answers = rules.across(
        "xueji_transfer_processing_limit",
        districts=(HAIDIAN, CHAOYANG),
        on=date(2025, 10, 9),
        default=10,
    )
    shorter = min(answers, key=lambda a: a.value)

    assert [a.value for a in answers] == [10, 7]
    assert (shorter.value, shorter.source.name) == (7, "test-district")


class Timely:
    def __init__(self, days: int) -> None:
        self.XUEJI_PLUGIN = info()
        self.days = days

    @hookimpl
    def xueji_timely_days(self, district: str, duty: str) -> int:
        return self.days


def test_xueji_timely_days_may_be_the_same_day_not_later_than_the_next() -> None:
    rules = Rules([municipal, Timely(0)])

    answer = rules.timely_days(CHAOYANG, "inform-guardian", date(2025, 10, 10))
    elsewhere = rules.timely_days(HAIDIAN, "inform-guardian", date(2025, 10, 10))

    assert (answer.value, answer.source.name) == (0, "test-district")
    assert elsewhere.value == 1
    # A duty arising on Saturday 2025-10-11 (a make-up working day after the
    # National Day holiday) is due that day; one arising Friday 2025-10-10
    # with the municipal reading is due Saturday 2025-10-11.
    assert timely_due(WorkingDays(), date(2025, 10, 11), 0) == date(2025, 10, 11)
    assert timely_due(WorkingDays(), date(2025, 10, 10), 1) == date(2025, 10, 11)
    with pytest.raises(PluginError, match=r"xueji_timely_days: value 2 .*及时"):
        Rules([municipal, Timely(2)])


class Contacts:
    def __init__(self, count: int) -> None:
        self.XUEJI_PLUGIN = info()
        self.count = count

    @hookimpl
    def xueji_repeated_contacts(self, district: str) -> int:
        return self.count


def test_xueji_repeated_contacts_may_require_more_contacts_never_fewer() -> None:
    rules = Rules([municipal, Contacts(3)])

    assert rules.repeated_contacts(CHAOYANG, date(2025, 10, 10)).value == 3
    assert rules.repeated_contacts(HAIDIAN, date(2025, 10, 10)).value == 2
    with pytest.raises(PluginError, match=r"xueji_repeated_contacts: value 1 .*多次"):
        Rules([municipal, Contacts(1)])


class Sanctions:
    def __init__(self, layer: str) -> None:
        self.XUEJI_PLUGIN = info(layer=layer)

    @hookimpl
    def xueji_transfer_barring_sanctions(self) -> list[str]:
        return ["取消评优资格"]


def test_xueji_transfer_barring_sanctions_are_the_citys_and_only_add() -> None:
    city = Rules([municipal, Sanctions("municipal")])

    kinds = city.transfer_barring_sanctions(date(2025, 10, 10))

    assert kinds.value == ["警告", "严重警告", "记过", "留校察看", "取消评优资格"]
    assert Rules.municipal().transfer_barring_sanctions(date(2025, 10, 10)).value == [
        "警告",
        "严重警告",
        "记过",
        "留校察看",
    ]
    with pytest.raises(PluginError, match="第四十九条"):
        Rules([municipal, Sanctions("district")])


class PersonalFile:
    XUEJI_PLUGIN = info()

    @hookimpl
    def xueji_personal_file_items(self, district: str) -> list[str]:
        return ["学生成长记录（示例）"]


def test_xueji_personal_file_items_combine_with_the_municipal_none() -> None:
    rules = Rules([municipal, PersonalFile()])

    here = rules.combined_answer(
        "xueji_personal_file_items", district=CHAOYANG, on=date(2025, 9, 1)
    )
    there = rules.combined_answer(
        "xueji_personal_file_items", district=HAIDIAN, on=date(2025, 9, 1)
    )

    assert (here.value, here.source.name) == (["学生成长记录（示例）"], "test-district")
    assert there.value == []


# ---------------------------------------------------------------- broken plugins


class WrongSignature:
    XUEJI_PLUGIN = info("wrong-signature")

    @hookimpl
    def xueji_entry_age_cutoff(
        self, district: str, school_year: str, stage: str
    ) -> date:
        return date(2019, 8, 31)


class Misspelt:
    XUEJI_PLUGIN = info("misspelt", districts=(HAIDIAN,))

    @hookimpl
    def xueji_entry_age_cutof(self, district: str, school_year: str) -> date:
        return date(2019, 8, 31)


def test_a_hook_with_a_wrong_signature_does_not_load_and_is_named() -> None:
    rules, problems = Rules.load([municipal, WrongSignature()])

    assert [(p.plugin, p.districts) for p in problems] == [
        ("wrong-signature 1.0", (CHAOYANG,))
    ]
    assert "xueji_entry_age_cutoff" in problems[0].message
    assert "stage" in problems[0].message
    assert rules.problems == tuple(problems)


def test_a_misspelt_hook_does_not_load() -> None:
    with pytest.raises(PluginError, match="xueji_entry_age_cutof, which is not a"):
        Rules([municipal, Misspelt()])


def test_a_broken_plugin_blocks_its_district_and_not_the_others() -> None:
    rules, _ = Rules.load([municipal, WrongSignature(), Limit(7, name="limit")])
    register = register_with(rules)

    with pytest.raises(PluginError, match=r"wrong-signature 1\.0 did not load"):
        register.submit(admission(child()), PRIMARY)
    elsewhere = register.submit(
        admission(child(), school="Q01", request_id="adm-q"), HAIDIAN_PRIMARY
    )

    assert elsewhere.accepted
    # The other Chaoyang plugin loaded; it is the district that is blocked.
    assert [p.name for p in rules.plugins] == ["xueji-municipal", "limit"]


def test_a_plugin_whose_districts_are_unknown_blocks_every_district() -> None:
    class Anonymous:
        @hookimpl
        def xueji_transfer_processing_limit(self, district: str) -> int:
            return 7

    rules, problems = Rules.load([municipal, Anonymous()])
    register = register_with(rules)

    assert [p.districts for p in problems] == [None]
    with pytest.raises(PluginError, match="Anonymous did not load"):
        register.submit(
            admission(child(), school="Q01", request_id="adm-q"), HAIDIAN_PRIMARY
        )


def test_a_bound_violation_found_at_load_blocks_the_district() -> None:
    rules, problems = Rules.load([municipal, Limit(15)])

    assert [(p.plugin, p.hook) for p in problems] == [
        ("test-district 1.0", "xueji_transfer_processing_limit")
    ]
    with pytest.raises(PluginError, match="value 15 is out of bounds"):
        rules.answer(
            "xueji_transfer_processing_limit",
            district=CHAOYANG,
            on=date(2025, 10, 9),
            default=10,
        )


def test_declared_points_must_match_the_hooks_implemented() -> None:
    declared = Limit(
        7, points=("xueji_transfer_processing_limit", "xueji_deferral_end")
    )

    with pytest.raises(PluginError, match="declared but not implemented: xueji_def"):
        Rules([municipal, declared])


def test_a_district_plugin_must_name_real_districts_and_its_basis() -> None:
    with pytest.raises(PluginError, match="110199 that do not exist"):
        Rules([municipal, Limit(7, districts=("110199",))])
    with pytest.raises(PluginError, match="states no legal basis"):
        Rules([municipal, Limit(7, legal_basis="")])
    with pytest.raises(PluginError, match="not a layer"):
        info(layer="street")


# ---------------------------------------------------------------- entry points


GOOD = Limit(7, name="installed")


def fake_entry_points(*entries: tuple[str, str, str]) -> Any:
    points = [metadata.EntryPoint(n, v, g) for n, v, g in entries]

    def entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [p for p in points if p.group == group]

    return entry_points


def test_from_entry_points_loads_every_plugin_and_reports_the_broken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        metadata,
        "entry_points",
        fake_entry_points(
            ("municipal", "xueji._municipal", "xueji"),
            ("good", "tests.test_plugins:GOOD", "xueji"),
            ("gone", "xueji_no_such_district_plugin", "xueji"),
        ),
    )

    rules, problems = Rules.from_entry_points()

    assert [p.name for p in rules.plugins] == ["xueji-municipal", "installed"]
    assert [p.plugin for p in problems] == [
        "entry point gone = xueji_no_such_district_plugin"
    ]
    assert "does not import: ModuleNotFoundError" in problems[0].message
    assert rules.blocked(HAIDIAN, date(2025, 9, 1)) == tuple(problems)


def test_registers_run_the_municipal_rules_unless_given_others() -> None:
    register = Register(MemoryStore(), clock=fixed_clock)

    assert [p.name for p in register.rules.plugins] == ["xueji-municipal"]


# ---------------------------------------------------------------- precedence


def test_two_district_plugins_on_one_point_with_overlapping_dates_do_not_load() -> None:
    first = Cutoff(date(2019, 6, 30), name="first", valid_to=date(2026, 3, 1))
    second = Cutoff(date(2019, 5, 31), name="second", valid_from=date(2026, 3, 1))

    rules, problems = Rules.load([municipal, first, second])

    assert [p.plugin for p in problems] == ["first 1.0", "second 1.0"]
    assert "from 2026-03-01 to 2026-03-01" in problems[0].message
    assert [p.name for p in rules.plugins] == ["xueji-municipal"]


def test_a_rule_and_its_successor_from_the_next_day_both_load() -> None:
    old = Cutoff(date(2020, 6, 30), name="rules", valid_to=date(2026, 2, 28))
    successor = Cutoff(
        date(2020, 5, 31), name="rules", version="2.0", valid_from=date(2026, 3, 1)
    )

    rules = Rules([municipal, old, successor])

    def cutoff(on: date) -> tuple[date, str]:
        answer = rules.answer(
            "xueji_entry_age_cutoff",
            district=CHAOYANG,
            on=on,
            default=date(2020, 8, 31),
            school_year="2026-2027",
        )
        return answer.value, answer.source.version

    assert cutoff(date(2026, 2, 28)) == (date(2020, 6, 30), "1.0")
    assert cutoff(date(2026, 3, 1)) == (date(2020, 5, 31), "2.0")


def test_combined_points_of_two_plugins_do_not_conflict() -> None:
    class Documents:
        def __init__(self, name: str, document: str) -> None:
            self.XUEJI_PLUGIN = info(name)
            self.document = document

        @hookimpl
        def xueji_admission_documents(
            self, district: str, stage: str, local: bool
        ) -> list[str]:
            return [self.document]

    rules = Rules([municipal, Documents("a", "甲证明"), Documents("b", "乙证明")])

    answer = rules.combined_answer(
        "xueji_admission_documents",
        district=CHAOYANG,
        on=date(2025, 7, 10),
        stage="小学",
        local=True,
    )

    assert answer.value == ["户口簿", "甲证明", "乙证明"]


def test_a_district_rule_from_2026_03_01_governs_requests_filed_from_that_day() -> None:
    # 2020-07-15 is six by the municipal cut-off for 2026-2027 (2020-08-31),
    # not by the district's (2020-06-30), in force from 2026-03-01.
    rule = Cutoff(date(2020, 6, 30), valid_from=date(2026, 3, 1))
    register = register_with(Rules([municipal, rule]))

    before = register.submit(admission_for("2026-2027", date(2026, 2, 27)), PRIMARY)
    after = register.submit(
        admission_for("2026-2027", date(2026, 3, 2), "测试乙", request_id="adm-2"),
        PRIMARY,
    )

    assert before.outcome is Outcome.ACCEPTED
    assert after.outcome is Outcome.REFUSED
    assert [(r.code, r.source.name) for r in after.refusals] == [
        ("under-age", "test-district")
    ]


def test_the_rules_in_force_on_the_filing_date_govern_later_steps() -> None:
    rules = Rules([municipal, Limit(7, valid_from=date(2026, 3, 1))])
    filed = date(2026, 2, 27)

    later_step = rules.for_district(CHAOYANG, on=filed).answer(
        "xueji_transfer_processing_limit", default=10
    )
    new_filing = rules.for_district(CHAOYANG, on=date(2026, 3, 2)).answer(
        "xueji_transfer_processing_limit", default=10
    )

    assert (later_step.value, later_step.source.name) == (10, "xueji-municipal")
    assert (new_filing.value, new_filing.source.name) == (7, "test-district")


# ---------------------------------------------------------------- mandatory rules


def test_a_plugin_cannot_make_an_under_age_child_admissible() -> None:
    # The most a district may answer is the municipal cut-off itself: the
    # child born 2019-09-01 stays refused, and the answer shows both layers.
    same = Cutoff(date(2019, 8, 31))
    register = register_with(Rules([municipal, same]))

    decision = register.submit(
        admission(child("测试乙", date(2019, 9, 1), None)), PRIMARY
    )
    answer = register.rules.answer(
        "xueji_entry_age_cutoff",
        district=CHAOYANG,
        on=date(2025, 7, 10),
        default=date(2019, 8, 31),
        school_year="2025-2026",
    )

    assert decision.outcome is Outcome.REFUSED
    assert [r.code for r in decision.refusals] == ["under-age"]
    assert [(str(c.source), c.value, c.verdict) for c in answer.considered] == [
        ("xueji-municipal 0.1.0 (municipal)", "2019-08-31", "replaced"),
        ("test-district 1.0 (district)", "2019-08-31", "chosen"),
    ]
    # A later cut-off, the only way to admit the child, is out of bounds.
    later = register_with(Rules([municipal, Cutoff(date(2019, 9, 30))]))
    with pytest.raises(
        PluginError,
        match=r"test-district 1\.0, hook xueji_entry_age_cutoff: value 2019-09-30",
    ):
        later.submit(admission(child("测试乙", date(2019, 9, 1), None)), PRIMARY)


def test_a_plugin_cannot_waive_a_document_the_municipal_rules_require() -> None:
    class NoDocuments:
        XUEJI_PLUGIN = info()

        @hookimpl
        def xueji_admission_documents(
            self, district: str, stage: str, local: bool
        ) -> list[str]:
            return []

    rules = Rules([municipal, NoDocuments()])
    register = register_with(rules)

    decision = register.submit(attrs.evolve(admission(child()), documents=()), PRIMARY)
    answer = rules.combined_answer(
        "xueji_admission_documents",
        district=CHAOYANG,
        on=date(2025, 7, 10),
        stage="小学",
        local=True,
    )

    assert decision.outcome is Outcome.INCOMPLETE
    assert [r.text for r in decision.reasons if r.code == "missing-document"] == [
        "缺少入学材料：户口簿"
    ]
    assert [(c.source.name, c.value, c.verdict) for c in answer.considered] == [
        ("xueji-municipal", "['户口簿']", "combined"),
        ("test-district", "[]", "combined"),
    ]


def test_considered_lists_every_answer_including_no_rule_and_the_default() -> None:
    class Silent:
        XUEJI_PLUGIN = info()

        @hookimpl
        def xueji_enrollment_plan(
            self, school: str, school_year: str, grade: int
        ) -> int | None:
            return None

    answer = Rules([municipal, Silent()]).answer(
        "xueji_enrollment_plan",
        district=CHAOYANG,
        on=date(2025, 7, 10),
        default=None,
        school="P01",
        school_year="2025-2026",
        grade=1,
    )

    assert answer.explain() == (
        "test-district 1.0 (district): None [no rule]; "
        "xueji 0.1.0 (municipal): None [kernel default]"
    )


# ---------------------------------------------------------------- 第八条


NINE_YEAR = School(
    "Q09", "海淀示例九年一贯制学校", HAIDIAN, HAIDIAN, SchoolType.NINE_YEAR
)
OTHER = School("Q10", "海淀另一九年一贯制学校", HAIDIAN, HAIDIAN, SchoolType.NINE_YEAR)


class Experiment:
    def __init__(self, *experiments: SchoolSystemExperiment, **kwargs: Any) -> None:
        self.XUEJI_PLUGIN = info(**{"districts": (HAIDIAN,), **kwargs})
        self.experiments = list(experiments)

    @hookimpl
    def xueji_school_systems(self, district: str) -> list[SchoolSystemExperiment]:
        return self.experiments


FIVE_FOUR = SchoolSystemExperiment(
    schools=("Q09",), system=SchoolSystem(5, 4), consent="京教函〔2024〕测1号"
)


def test_xueji_school_systems_gives_the_named_schools_five_four() -> None:
    rules = Rules([municipal, Experiment(FIVE_FOUR)])

    system = rules.school_system(NINE_YEAR, date(2025, 9, 1))
    other = rules.school_system(OTHER, date(2025, 9, 1))

    assert (system.value.label, system.value.consent) == ("5-4", "京教函〔2024〕测1号")
    assert system.source.name == "test-district"
    assert (other.value.label, other.source.name) == ("6-3", "xueji")


def test_five_four_moves_the_starting_and_graduating_grades() -> None:
    # 第三十条第（一）项: 五年级 is a graduating grade at a 五四制 school (a
    # transfer in is refused) and 六年级 a starting grade (refused in term 1
    # only); at a 6-3 school it is the other way round for 六年级, and
    # 五年级 is neither.
    five_four = Rules([municipal, Experiment(FIVE_FOUR)])
    system = five_four.school_system(NINE_YEAR, date(2026, 3, 2)).value
    six_three = five_four.school_system(OTHER, date(2026, 3, 2)).value

    assert sorted(system.graduating_grades()) == [5, 9, 12]
    assert sorted(system.starting_grades()) == [1, 6, 10]
    assert sorted(six_three.graduating_grades()) == [6, 9, 12]
    assert sorted(six_three.starting_grades()) == [1, 7, 10]
    assert system.stage_of(6).value == "初中"
    assert six_three.stage_of(6).value == "小学"


def test_an_experiment_without_the_city_consent_does_not_load() -> None:
    unconsented = attrs.evolve(FIVE_FOUR, consent="")

    with pytest.raises(PluginError, match="no 市教委 consent recorded"):
        Rules([municipal, Experiment(unconsented)])


def test_an_experiment_must_keep_nine_compulsory_years() -> None:
    odd = attrs.evolve(FIVE_FOUR, system=SchoolSystem(5, 3))

    with pytest.raises(PluginError, match="九年义务教育"):
        Rules([municipal, Experiment(odd)])


def test_one_school_in_two_experiments_at_once_does_not_load() -> None:
    again = Experiment(
        attrs.evolve(FIVE_FOUR, system=SchoolSystem(4, 5)),
        name="again",
        valid_from=date(2026, 9, 1),
    )

    with pytest.raises(PluginError, match="Q09 are in two school-system experiments"):
        Rules([municipal, Experiment(FIVE_FOUR), again])


def test_an_experiment_applies_only_within_its_dates() -> None:
    later = attrs.evolve(FIVE_FOUR, valid_from=date(2026, 9, 1))
    rules = Rules([municipal, Experiment(later)])

    assert rules.school_system(NINE_YEAR, date(2026, 8, 31)).value.label == "6-3"
    assert rules.school_system(NINE_YEAR, date(2026, 9, 1)).value.label == "5-4"


# ---------------------------------------------------------------- describe


def test_describe_lists_plugins_points_and_problems() -> None:
    rules, _ = Rules.load([municipal, Limit(7, illustrative=True), WrongSignature()])

    description = rules.describe()

    rows = {(r.plugin, r.status): r for r in description.plugins}
    loaded = rows["test-district", "loaded"]
    assert (loaded.layer, loaded.districts, loaded.document_number) == (
        "district",
        (CHAOYANG,),
        "测〔2025〕1号",
    )
    assert (loaded.points, loaded.illustrative) == (
        ("xueji_transfer_processing_limit",),
        True,
    )
    assert rows["xueji-municipal", "loaded"].builtin
    broken = rows["wrong-signature", "broken"]
    assert "xueji_entry_age_cutoff" in broken.problems[0]
    points = {p.hook: p for p in description.points}
    assert points["xueji_transfer_processing_limit"].suppliers == (
        "xueji-municipal 0.1.0",
        "test-district 1.0",
    )
    assert points["xueji_admission_documents"].combine == "union"
    assert points["xueji_transfer_barring_sanctions"].layers == ("municipal",)
    assert [p.plugin for p in description.problems] == ["wrong-signature 1.0"]


# ---------------------------------------------------------------- channels, storage


class Outbox:
    def __init__(self, name: str) -> None:
        self._name = name
        self.sent: list[Notice] = []

    @property
    def name(self) -> str:
        return self._name

    def send(self, notice: Notice) -> None:
        self.sent.append(notice)


class ShipsChannels:
    XUEJI_PLUGIN = info()
    OUTBOX = Outbox("district-sms")

    @hookimpl
    def xueji_notification_channels(self) -> list[Outbox]:
        return [self.OUTBOX]


INSTALLED_OUTBOX = Outbox("letters")


def test_xueji_notification_channels_are_chosen_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        metadata,
        "entry_points",
        fake_entry_points(
            ("letters", "tests.test_plugins:INSTALLED_OUTBOX", "xueji.channels"),
        ),
    )
    rules = Rules([municipal, ShipsChannels()])
    notice = Notice(
        Obligation(
            ObligationKind.INFORM_GUARDIAN,
            "学生旷课，及时通知其父母",
            Role.SCHOOL,
            "P01",
            date(2025, 10, 10),
            date(2025, 10, 11),
            "第二十条第一款",
        ),
        CHAOYANG,
    )

    available, problems = notification_channels(rules)
    chosen = choose_channels(["district-sms"], available)
    chosen[0].send(notice)

    assert sorted(available) == ["district-sms", "letters"]
    assert problems == []
    assert ShipsChannels.OUTBOX.sent == [notice]
    with pytest.raises(PluginError, match="fax are not installed"):
        choose_channels(["fax"], available)


def test_a_storage_adapter_is_opened_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        metadata,
        "entry_points",
        fake_entry_points(("memory", "xueji._plugins:memory_store", "xueji.storage")),
    )

    store = open_storage("memory", "memory://")

    assert isinstance(store, MemoryStore)
    with pytest.raises(PluginError, match="no storage adapter 'sqlite'"):
        open_storage("sqlite", "sqlite:///x.db")


def test_a_load_problem_blocks_only_its_dates() -> None:
    problem = LoadProblem("p 1.0", "broken", None, (CHAOYANG,), date(2026, 3, 1), None)

    assert not problem.blocks(CHAOYANG, date(2026, 2, 28))
    assert problem.blocks(CHAOYANG, date(2026, 3, 1))
    assert not problem.blocks(HAIDIAN, date(2026, 3, 1))


# ---------------------------------------------------------------- transfers


def transfer_register(*plugins: object) -> Register:
    from tests.test_transfer import MORE_ORGANISATIONS

    register = register_with(Rules([municipal, *plugins]))
    register.load_organisations(
        [
            *MORE_ORGANISATIONS,
            attrs.evolve(NINE_YEAR, townships=("110108001",)),
            attrs.evolve(OTHER, townships=("110108001",)),
        ],
        CITY,
    )
    return register


class Accepting:
    """A district plugin that would "accept" every transfer: no further
    refusal grounds, and no binding window."""

    XUEJI_PLUGIN = info("accepting")

    @hookimpl
    def xueji_transfer_refusal_grounds(
        self,
        district: str,
        student: str,
        grade: int,
        from_school: str | None,
        to_school: str,
    ) -> list[str]:
        return []


def test_a_plugin_answering_accept_leaves_a_third_article_refusal_standing() -> None:
    from tests.test_transfer import apply, codes, enroll
    from xueji import SanctionEntry, SanctionKind

    register = transfer_register(Accepting())
    number = enroll(register)
    register.submit(
        SanctionEntry(
            "s-1",
            date(2025, 11, 10),
            number,
            SanctionKind.DEMERIT,
            date(2025, 11, 10),
            date(2026, 5, 9),
            "打架",
        ),
        PRIMARY,
    )

    decision = apply(register, number, on=date(2026, 1, 19))
    grounds = register.rules.combined_answer(
        "xueji_transfer_refusal_grounds",
        district=CHAOYANG,
        on=date(2026, 1, 19),
        student=number,
        grade=3,
        from_school="P01",
        to_school="P02",
    )

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("sanctioned", "第三十条第（三）项")]
    assert [
        (t.rule, t.source.name) for t in decision.trace if t.rule == "sanction-period"
    ] == [("sanction-period", "xueji-municipal")]
    assert [(c.source.name, c.value, c.verdict) for c in grounds.considered] == [
        ("xueji-municipal", "None", "no rule"),
        ("accepting", "[]", "combined"),
    ]
    assert [
        (t.source.name, t.result) for t in decision.trace if t.rule == "other-grounds"
    ] == [("xueji-municipal", "None [no rule]"), ("accepting", "[] [combined]")]


FIFTH = ("测试辛", date(2015, 6, 6), None)
SIXTH = ("测试壬", date(2014, 6, 6), None)


@pytest.mark.parametrize(
    ("to", "grade", "refused"),
    [
        ("Q09", 5, [("graduating-grade", "第三十条第（一）项")]),
        ("Q09", 6, []),
        ("Q10", 5, []),
        ("Q10", 6, [("graduating-grade", "第三十条第（一）项")]),
    ],
    ids=["五四制五年级", "五四制六年级", "六三制五年级", "六三制六年级"],
)
def test_the_first_item_follows_the_receiving_schools_system_in_term_2(
    to: str, grade: int, refused: list[tuple[str, str]]
) -> None:
    # Q09 runs 五四制 (第八条): 五年级 graduates, 六年级 starts the junior
    # stage (barred in term 1 only); Q10 keeps 6-3.  Filed in term 2.
    from tests.test_transfer import apply, codes, enroll

    register = transfer_register(Experiment(FIVE_FOUR))
    number = enroll(register, FIFTH if grade == 5 else SIXTH, grade=grade)

    decision = apply(
        register, number, to, on=date(2026, 3, 10), new_township="110108001"
    )

    first_item = [c for c in codes(decision) if c[1] == "第三十条第（一）项"]
    assert first_item == refused
    entry = [t for t in decision.trace if t.rule == "entry-grade"]
    assert entry[0].source.name == ("test-district" if to == "Q09" else "xueji")


def test_at_a_five_four_school_sixth_grade_is_barred_in_term_1() -> None:
    from tests.test_transfer import apply, codes, enroll

    register = transfer_register(Experiment(FIVE_FOUR))
    number = enroll(register, SIXTH, grade=6)

    decision = apply(
        register, number, "Q09", on=date(2025, 11, 13), new_township="110108001"
    )

    assert ("starting-grade", "第三十条第（一）项") in codes(decision)
    assert ("graduating-grade", "第三十条第（一）项") not in codes(decision)

"""The coverage manifest: every one of the 52 articles is covered by a case,
declared non-computable, or listed as pending.

An article is

- **covered** when at least one case cites it (any paragraph or item of it);
- **non-computable** when :attr:`xueji.Article.computable` is false (the
  registry says why);
- **pending** when ``coverage.yaml`` beside this module lists it with a
  reason — while the chapter that implements it is being written;
- **missing** otherwise, which fails the project's tests.

A pending entry for an article that has cases is **stale**, and fails too:
remove it once the cases land.
"""

from __future__ import annotations

__all__ = [
    "MANIFEST",
    "CoverageRow",
    "coverage_table",
    "format_coverage",
    "load_manifest",
    "problems",
]

from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Final

import attrs

from xueji._articles import Article, articles, chinese_numeral, parse_citation
from xueji._errors import InvalidInputError
from xueji.conformance._located import LocatedDict, Where, line_of, read_located
from xueji.conformance.cases import Case, load_cases

MANIFEST: Final = "coverage.yaml"

COVERED: Final = "covered"
NON_COMPUTABLE: Final = "non-computable"
PENDING: Final = "pending"
MISSING: Final = "missing"
STALE: Final = "stale-pending"


@attrs.frozen
class CoverageRow:
    """One article's coverage: its cases and its status, with the reason for
    a non-computable or pending article."""

    article: Article
    cases: tuple[str, ...]
    status: str
    reason: str | None = None

    @property
    def citation(self) -> str:
        return f"第{chinese_numeral(self.article.number)}条"

    @property
    def ok(self) -> bool:
        return self.status in (COVERED, NON_COMPUTABLE, PENDING)

    def to_dict(self) -> dict[str, object]:
        return {
            "article": self.article.number,
            "citation": self.citation,
            "label": self.article.label,
            "chapter": self.article.chapter,
            "status": self.status,
            "cases": list(self.cases),
            "reason": self.reason,
        }


def _manifest_path() -> Path:
    return Path(str(resources.files("xueji.conformance") / MANIFEST))


def load_manifest(path: Path | None = None) -> dict[int, str]:
    """The pending articles of the manifest: article number → reason.

    Raises:
        InvalidInputError: a malformed manifest, naming the line and field.
    """
    path = path or _manifest_path()
    data = read_located(path)
    where = Where(str(path), line_of(data, 1))
    if data is None:
        return {}
    if not isinstance(data, LocatedDict) or set(data) - {"pending"}:
        raise where.error("the manifest is a mapping with one key, `pending`")
    pending = data.get("pending") or LocatedDict()
    if not isinstance(pending, LocatedDict):
        raise where.key(data, "pending").error("expected article: reason pairs")
    found: dict[int, str] = {}
    for key, reason in pending.items():
        at = where.key(pending, key)
        try:
            citation = parse_citation(key)
        except InvalidInputError as error:
            raise at.error(str(error)) from None
        if citation.paragraph is not None or citation.item is not None:
            raise at.error("list whole articles (第十九条), not paragraphs or items")
        if not isinstance(reason, str) or not reason.strip():
            raise at.error("say why the article is pending (which chapter, what)")
        found[citation.article] = reason.strip()
    return found


def coverage_table(
    cases: Sequence[Case] | None = None,
    manifest: Mapping[int, str] | None = None,
) -> list[CoverageRow]:
    """One row per article (52), in order: (article, cases, status).

    Args:
        cases: the cases to count; the built-in cases by default.
        manifest: pending articles; the shipped manifest by default.
    """
    cases = load_cases() if cases is None else cases
    pending = load_manifest() if manifest is None else manifest
    citing: dict[int, list[str]] = {}
    for case in cases:
        for number in dict.fromkeys(c.article for c in case.articles):
            citing.setdefault(number, []).append(case.id)
    rows = []
    for article in articles():
        ids = tuple(citing.get(article.number, ()))
        reason: str | None = None
        if ids and article.number in pending:
            status, reason = STALE, pending[article.number]
        elif ids:
            status = COVERED
        elif not article.computable:
            status, reason = NON_COMPUTABLE, article.non_computable_reason
        elif article.number in pending:
            status, reason = PENDING, pending[article.number]
        else:
            status = MISSING
        rows.append(CoverageRow(article, ids, status, reason))
    return rows


def problems(rows: Iterable[CoverageRow]) -> list[str]:
    """What fails the manifest test: missing articles and stale entries."""
    found = []
    for row in rows:
        if row.status == MISSING:
            found.append(
                f"{row.citation} ({row.article.label}) has no case, is computable, "
                f"and is not pending in {MANIFEST}: write a case citing it"
            )
        elif row.status == STALE:
            found.append(
                f"{row.citation} has {len(row.cases)} case(s) but is still pending "
                f"in {MANIFEST}: remove the pending entry"
            )
    return found


def format_coverage(rows: Sequence[CoverageRow]) -> str:
    """The table for people: one line per article; pending ones shouted."""
    lines = []
    for row in rows:
        count = f"{len(row.cases)} case(s)" if row.cases else ""
        status = row.status.upper() if row.status != COVERED else row.status
        mark = "!!" if row.status in (PENDING, MISSING, STALE) else "  "
        line = f"{mark} {row.citation:<8}{row.article.label:<14}{status:<16}{count}"
        if row.reason and row.status != COVERED:
            line += f"  — {row.reason}"
        lines.append(line.rstrip())
    totals = {s: sum(1 for r in rows if r.status == s) for s in _STATUSES}
    lines.append(
        f"covered {totals[COVERED]}, non-computable {totals[NON_COMPUTABLE]}, "
        f"PENDING {totals[PENDING]}, missing {totals[MISSING]}, "
        f"stale {totals[STALE]} (of {len(rows)} articles)"
    )
    return "\n".join(lines)


_STATUSES: Final = (COVERED, NON_COMPUTABLE, PENDING, MISSING, STALE)

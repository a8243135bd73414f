"""An application's content as readable text, and what changed between two versions.

Works on the plain data of :func:`services.snapshot` (a stored version, or the live draft),
section by section and field by field as declared in :mod:`.sections`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from finsam_ansokan.core.money import ZERO, format_money

from .requested import requested_by_year
from .sections import BUDGET_CATEGORIES, KINDS_OF_INSATS, SECTIONS, FieldSpec, Kind

_CATEGORY_LABELS = dict(BUDGET_CATEGORIES)
_CATEGORY_ORDER = {category: n for n, (category, _) in enumerate(BUDGET_CATEGORIES)}
_KIND_LABELS = dict(KINDS_OF_INSATS)


@dataclass(frozen=True)
class Item:
    label: str
    text: str  # "" when not filled in


@dataclass(frozen=True)
class PresentedSection:
    slug: str
    title: str
    items: list[Item]


def _text_of(spec: FieldSpec, content: dict[str, Any]) -> str:
    if spec.kind == Kind.PARTIES:
        return "\n".join(content.get("parties") or [])
    if spec.kind == Kind.BUDGET:
        return budget_text(content.get("budget_lines") or [])
    if spec.kind == Kind.HUVUDOMRADE:
        return content.get("huvudomrade") or ""
    value = content.get(spec.name)
    if value is None:
        return ""
    if spec.kind == Kind.YESNO:
        return "Ja" if value else "Nej"
    if spec.kind == Kind.CHOICE:
        return _KIND_LABELS.get(value, str(value))
    return str(value)


def budget_text(lines: list[dict[str, Any]]) -> str:
    """One line per cost line, then sökt belopp per year and in total."""
    out = []
    for line in sorted(lines, key=lambda x: (x["year"], _CATEGORY_ORDER.get(x["category"], 99))):
        amount = Decimal(str(line["amount"]))
        label = _CATEGORY_LABELS.get(line["category"], line["category"])
        out.append(f"{line['year']} {label}: {format_money(amount)}")
    requested = requested_by_year(lines)
    for year, amount in requested.items():
        out.append(f"Sökt belopp {year}: {format_money(amount)}")
    if requested:
        out.append(f"Sökt belopp totalt: {format_money(sum(requested.values(), ZERO))}")
    return "\n".join(out)


def present(content: dict[str, Any]) -> list[PresentedSection]:
    sections = []
    for section in SECTIONS:
        items = [Item(spec.label, _text_of(spec, content)) for spec in section.fields]
        if section.slug == "sokande":
            items.insert(0, Item("Sökande organisation", content.get("organisation") or ""))
        sections.append(PresentedSection(section.slug, section.title, items))
    return sections


@dataclass(frozen=True)
class Change:
    section: str
    label: str
    old: str
    new: str
    #: (operation, text) pieces: "equal", "delete" or "insert"
    segments: list[tuple[str, str]]


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"(\s+)", text) if t]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences between two texts, for <del>/<ins> marking."""
    a, b = _tokens(old), _tokens(new)
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                segments.append(("delete", "".join(a[i1:i2])))
            if j2 > j1:
                segments.append(("insert", "".join(b[j1:j2])))
    return segments


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The fields whose text differs between two versions' content, in form order."""
    result = []
    for old_section, new_section in zip(present(old), present(new), strict=True):
        for old_item, new_item in zip(old_section.items, new_section.items, strict=True):
            if old_item.text != new_item.text:
                result.append(
                    Change(
                        new_section.title,
                        new_item.label,
                        old_item.text,
                        new_item.text,
                        word_diff(old_item.text, new_item.text),
                    )
                )
    return result

"""Amounts as people type them: 7000, 1.2万, 1万2, 一万, 七千块, 3k, 1,200, 5 000, ¥800."""

from __future__ import annotations

import re

import cn2an

MAX_AMOUNT = 100_000_000
_DROP = re.compile(r"大概|大约|差不多|左右|约|人民币|rmb|yuan|cny|块钱|元钱|块|元|钱|¥|￥|整", re.I)
_GROUPED = re.compile(r"(?<=\d)[,，\s'](?=\d{3}(?!\d))")  # 1,200 · 5 000 · 1'200
_SPACE_BY_WORD = re.compile(r"(?<=\D)\s+|\s+(?=\D)")
_NUMERAL = re.compile(r"[\d.零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+")
_UNIT = {"k": "千", "w": "万"}
_SHORT = re.compile(r"(\d+(?:\.\d+)?)([kw])(\d?)")


def money(text: str) -> float | None:
    """The amount in yuan, or None when the text is not (only) an amount."""
    folded = _DROP.sub("", text.strip().casefold()).strip()
    folded = _SPACE_BY_WORD.sub("", _GROUPED.sub("", folded))  # "1.2 万" yes, "1 2 3" no
    folded = _SHORT.sub(lambda m: m.group(1) + _UNIT[m.group(2)] + m.group(3), folded)
    if not folded or not _NUMERAL.fullmatch(folded):
        return None
    if folded.isascii() and folded.isdigit():  # "7000": what cn2an gives, without its ~30 µs
        return _bounded(float(int(folded)))
    try:
        value = float(cn2an.cn2an(folded, "smart"))
    except (ValueError, KeyError, IndexError):
        return None
    return _bounded(value)


def _bounded(value: float) -> float | None:
    return value if 0 <= value <= MAX_AMOUNT else None

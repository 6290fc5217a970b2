"""Chinese line breaking: where a line may break, and the best lines for a box.

Break opportunities come in levels, best first:

- ``A``: after punctuation or a space, before an opening bracket, and at phrase boundaries (where
  the word segmenter and BudouX's phrase model agree, or BudouX alone without the segmenter);
- ``B``: other word boundaries (jieba), and phrase boundaries inside a 《》 title or a short
  “” quote;
- ``C``: between any two characters (only when a word is wider than the line);
- ``D``: inside a protected run (a long number or Latin word wider than the line).

Never allowed: a line starting with ，。、！？；：）》」』】…”’ and the like, or ending with
（《「『【“‘ (kinsoku), nor a break inside ``——``/``……``. Numbers, times (19:30), dates
(12月27日), ``（周五）`` and Latin words (CBA, 5G) are protected runs, broken only at level ``D``.

``fit_lines`` picks the biggest font size in the layer's range at which the text fits the box,
choosing the breaks by dynamic programming (fewest lines, then evenly filled lines and the best
break levels), so a headline does not leave one character alone on its last line. Only when nothing
fits at the smallest size is the text cut, with an ellipsis, and the caller reports it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import budoux

NO_START = frozenset(
    "，。、！？；：）》」』】〕〉］｝〗〙〛…‥”’·・ー～%‰℃°,.!?;:)]}>"
    "\u2014\u2013"  # — –: a dash does not open a line (and —— is never split)
)
NO_END = frozenset("（《「『【〔〈［｛〖〘〚“‘([{<#$¥€£")
AFTER_BREAK = frozenset("，。、！？；：）》」』】〕〉］｝”’,.!?;: ")  # a break after these is natural
BEFORE_BREAK = frozenset("（《「『【〔〈［｛“‘")  # and before these
ELLIPSIS = "…"
LEVEL_PENALTY = {"A": 0.0, "B": 0.35, "C": 1.2, "D": 4.0}
LEVEL_SETS = ("AB", "ABC", "ABCD")  # tried in turn: a char-level break only if words cannot fit
LINE_FACTOR = 0.87  # one more line must buy > 15 % more font size to be chosen
KEEP_WHOLE_PENALTY = 0.6  # a break inside a 《title》, a short “quote” or （aside）
SIZE_PER_PENALTY = 0.3  # a word break (0.35) must buy ~11 % more size than phrase breaks
SIZE_STEPS = (1.0, 0.95, 0.9)  # sizes tried below the biggest that fits, for better breaks
RAGGED_WEIGHT = 1.0  # uneven lines cost size too (see _raggedness)
MIN_QUALITY = 0.4

# Runs never broken below level D.
_UNIT = "[年月日号时点分秒届期次项场个名位万亿元]"
_PROTECTED = re.compile(
    r"(?:\d{2,4}年)?\d{1,2}月\d{1,2}[日号]"  # 2024年12月27日, 12月27日
    r"|\d{2,4}年\d{1,2}月"  # 2024年12月
    r"|(?:上午|下午|中午|晚上|早上|凌晨|晚)\s?\d{1,2}[:：]\d{2}"  # 晚 19:30
    r"|[（(][^（）()]{1,4}[）)]"  # （周五）, (暂定)
    # CBA, 5G, 19:30, 3.5, 2021—2035年, 36项, 5%: a Latin word or a number with its unit
    r"|[A-Za-z0-9]+(?:[.:：/\-+&'’·_—–~～][A-Za-z0-9]+)*(?:%|" + _UNIT + r")?"
    r"|—{2,}|…{2,}|-{2,}|\.{3,}"
)
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")
# titles, short quotes and short asides: broken inside only at level B
_KEEP_WHOLE = re.compile(r"《[^《》]*》|“[^“”]{1,12}”|「[^「」]{1,12}」|（[^（）]{1,16}）")
# Words of a city government's event names: jieba's dictionary lacks some; with BudouX alone they
# stay whole (no break inside them at levels A and B).
EXTRA_WORDS = (
    "活动周", "嘉年华", "大湾区", "粤港澳大湾区", "新闻发布会", "发布会", "开幕式", "闭幕式",
    "音乐会", "马拉松", "运动会", "博览会", "交易会", "展销会", "研讨会", "推介会", "见面会",
    "文化节", "艺术节", "美食节", "读书月", "招聘会", "志愿者", "松山湖", "莞邑", "玉兰大剧院",
    "东莞市", "人民政府", "新闻办公室", "篮球赛", "足球赛", "羽毛球", "友谊赛", "邀请赛", "锦标赛",
    "高层次", "人才", "活动", "系列", "新年", "国际", "交流", "创新", "创业", "文化", "体育",
    "全明星", "博士后", "工程师", "总体规划", "新闻",
)


@dataclass(frozen=True, slots=True)
class Fit:
    size: int
    lines: tuple[str, ...]
    widths: tuple[float, ...]
    ellipsised: bool
    level: str  # the worst break level used ("" for one line)


@lru_cache(maxsize=1)
def _budoux() -> budoux.Parser:
    return budoux.load_default_simplified_chinese_parser()


@lru_cache(maxsize=1)
def _jieba():  # -> jieba.Tokenizer | None
    """jieba when installed (a better word model than BudouX's phrases); None otherwise."""
    try:
        import jieba  # noqa: PLC0415 - optional, and slow to load: only on first use
    except ImportError:
        return None
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in EXTRA_WORDS:
        tokenizer.add_word(word)
    return tokenizer


def _boundaries(chunks: Sequence[str]) -> set[int]:
    out: set[int] = set()
    pos = 0
    for chunk in chunks[:-1]:
        pos += len(chunk)
        out.add(pos)
    return out


@lru_cache(maxsize=4096)
def _inside_keep_whole(text: str) -> frozenset[int]:
    return frozenset(i for m in _KEEP_WHOLE.finditer(text) for i in range(m.start() + 1, m.end()))


def break_penalty(text: str, position: int) -> float:
    """What a break before ``text[position]`` costs (0 for the best)."""
    level = break_levels(text)[position]
    extra = KEEP_WHOLE_PENALTY if position in _inside_keep_whole(text) else 0.0
    return LEVEL_PENALTY[level] + extra


@lru_cache(maxsize=4096)
def break_levels(text: str) -> tuple[str, ...]:
    """For each position 1..len-1 (a break before ``text[i]``), its level, or '' if forbidden.

    Index 0 of the result stands for position 0 and is always ''.
    """
    n = len(text)
    levels = ["C"] * n
    if n:
        levels[0] = ""
    phrases = _boundaries(_budoux().parse(text)) if text.strip() else set()
    tokenizer = _jieba()
    if tokenizer is not None:
        words = _boundaries(list(tokenizer.cut(text, HMM=False)))
        for pos in words:
            levels[pos] = "A" if pos in phrases else "B"
    else:
        # BudouX alone cuts words apart (高层|次|人|才, 第十五|届): trust a phrase boundary less
        # beside a one-character chunk, and not at all between two.
        chunks = _budoux().parse(text) if text.strip() else []
        pos = 0
        for left, right in zip(chunks, chunks[1:]):
            pos += len(left)
            singles = (len(left) == 1 and not left.isascii()) + (
                len(right) == 1 and not right.isascii())
            levels[pos] = ("A", "B", "C")[singles]
    for i in range(1, n):
        if text[i - 1] in AFTER_BREAK or text[i] in BEFORE_BREAK:
            levels[i] = "A"
        elif bool(_LATIN_OR_DIGIT.match(text[i - 1])) != bool(_LATIN_OR_DIGIT.match(text[i])) \
                and levels[i] == "C" and text[i] != " " and text[i - 1] != " ":
            levels[i] = "B"  # a script change (人才 / 5G) is a word boundary
    for word in EXTRA_WORDS:  # known words stay whole at levels A and B (BudouX: 嘉年|华)
        start = text.find(word)
        while start >= 0:
            for i in range(start + 1, start + len(word)):
                if levels[i] in ("A", "B"):
                    levels[i] = "C"
            start = text.find(word, start + 1)
    for i in _inside_keep_whole(text):  # keep a 《title》 or “quote” whole if possible
        if levels[i] == "A":
            levels[i] = "B"
    for match in _PROTECTED.finditer(text):
        for i in range(match.start() + 1, match.end()):
            levels[i] = "D"
    for i in range(1, n):
        if text[i] in NO_START or text[i - 1] in NO_END or text[i] == " ":
            levels[i] = ""  # kinsoku; and a space stays on the line before the break
        elif text[i - 1] == text[i] and text[i] in "—…":
            levels[i] = ""
    return tuple(levels)


@dataclass(frozen=True, slots=True)
class _Measure:
    """Prefix sums of advances, so any line's width is one subtraction."""

    prefix: tuple[float, ...]
    tracking_px: float

    def width(self, text: str, start: int, end: int) -> float:
        # spaces at a line's ends are not drawn
        while start < end and text[start] == " ":
            start += 1
        while end > start and text[end - 1] == " ":
            end -= 1
        if end <= start:
            return 0.0
        return self.prefix[end] - self.prefix[start] + self.tracking_px * (end - start - 1)


def _measure(text: str, advance: Callable[[str], float], tracking_px: float) -> _Measure:
    prefix = [0.0]
    for char in text:
        prefix.append(prefix[-1] + advance(char))
    return _Measure(tuple(prefix), tracking_px)


def best_breaks(
    text: str,
    measure: _Measure,
    *,
    max_width: float,
    allowed: str,
    max_lines: int | None,
    balance: bool,
) -> list[int] | None:
    """Break positions (ends of lines, the last is ``len(text)``) or None if nothing fits.

    Dynamic programming over the allowed positions: fewest lines first, then the sum of squared
    unused width (every line when ``balance``, all but the last otherwise) plus break penalties.
    """
    n = len(text)
    levels = break_levels(text)
    points = [0] + [i for i in range(1, n) if levels[i] and levels[i] in allowed] + [n]
    inf = (10**9, 0.0)
    best: list[tuple[int, float]] = [inf] * len(points)
    back = [-1] * len(points)
    best[0] = (0, 0.0)
    for j in range(1, len(points)):
        end = points[j]
        last = end == n
        for i in range(j - 1, -1, -1):
            if best[i] == inf:
                continue
            start = points[i]
            width = measure.width(text, start, end)
            if width > max_width + 0.01:
                break  # an earlier start only makes the line wider
            lines, cost = best[i]
            slack = (max_width - width) / max_width
            line_cost = slack * slack if (balance or not last) else 0.0
            penalty = 0.0 if last else SIZE_PER_PENALTY * break_penalty(text, end)
            candidate = (lines + 1, cost + line_cost + penalty)
            if max_lines is not None and candidate[0] > max_lines:
                continue
            if candidate < best[j]:
                best[j] = candidate
                back[j] = i
    if best[-1] == inf:
        return None
    ends: list[int] = []
    j = len(points) - 1
    while j > 0:
        ends.append(points[j])
        j = back[j]
    return ends[::-1]


def _split(text: str, ends: Sequence[int]) -> list[str]:
    lines: list[str] = []
    start = 0
    for end in ends:
        lines.append(text[start:end].strip(" "))
        start = end
    return lines


def fit_lines(
    text: str,
    *,
    sized: Callable[[int], Callable[[str], float]],
    max_width: float,
    max_height: float,
    size_range: tuple[int, int],
    max_lines: int,
    line_spacing: float,
    em_height: float,
    tracking: float = 0.0,
    balance: bool = False,
) -> Fit:
    """The biggest size in ``size_range`` at which ``text`` fits ``max_width`` × ``max_height``.

    ``sized(size)`` gives the per-character advance function at that size. A block of ``k`` lines is
    ``em_height * size + (k - 1) * line_spacing * size`` high. Falls back to cutting the text with an
    ellipsis at the smallest size (``Fit.ellipsised``) when nothing else fits.
    """
    low, high = size_range

    def lines_cap(size: int) -> int:
        room = (max_height - em_height * size) / (line_spacing * size)
        return min(max_lines, int(room + 1e-9) + 1) if room >= 0 else 0

    def attempt(size: int, allowed: str, lines: int) -> list[int] | None:
        cap = min(lines, lines_cap(size))
        if cap < 1:
            return None
        measure = _measure(text, sized(size), tracking * size)
        return best_breaks(text, measure, max_width=max_width, allowed=allowed,
                           max_lines=cap, balance=balance)

    def biggest(allowed: str, lines: int) -> int | None:
        """The biggest size at which the text fits in at most ``lines`` lines (monotone in size)."""
        if attempt(low, allowed, lines) is None:
            return None
        lo, hi = low, high
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if attempt(mid, allowed, lines) is not None:
                lo = mid
            else:
                hi = mid - 1
        return lo

    for level_set in LEVEL_SETS:
        # Every (break level, line count) gets its biggest size; the best trade-off wins: a size
        # is discounted per extra line and per poor break, so the date stays on one line unless
        # two lines make it much bigger, and a “quote” stays whole unless that costs much size.
        candidates = []
        for allowed in ("A", level_set) if level_set == "AB" else (level_set,):
            for lines in range(1, max_lines + 1):
                top = biggest(allowed, lines)
                if top is None:
                    continue
                # a slightly smaller size may allow much better breaks: try a few
                for size in sorted({max(low, round(top * f)) for f in SIZE_STEPS}, reverse=True):
                    ends = attempt(size, allowed, lines)
                    if ends is None:
                        continue
                    penalty = sum(break_penalty(text, e) for e in ends[:-1])
                    ragged = _raggedness(text, ends, sized(size), tracking * size, balance)
                    quality = max(MIN_QUALITY,
                                  1.0 - SIZE_PER_PENALTY * penalty - RAGGED_WEIGHT * ragged)
                    score = size * LINE_FACTOR ** (len(ends) - 1) * quality
                    candidates.append((score, -len(ends), allowed == "A", size, allowed, lines))
        if candidates:
            _, _, _, size, allowed, lines = max(candidates)
            ends = attempt(size, allowed, lines)
            assert ends is not None
            return _fit(text, ends, size, sized(size), tracking, ellipsised=False)
    return _ellipsise(text, sized=sized(low), size=low, max_width=max_width,
                      max_lines=max(1, lines_cap(low)), tracking=tracking)


def _raggedness(text: str, ends: Sequence[int], advance: Callable[[str], float],
                tracking_px: float, balance: bool) -> float:
    """Mean squared shortfall of the lines against the longest (0: all equal); a lone short
    line among long ones (东莞 between two full lines) scores high."""
    lines = _split(text, ends)
    if len(lines) < 2:
        return 0.0
    widths = [_line_width(line, advance, tracking_px) for line in lines]
    longest = max(widths) or 1.0
    counted = widths if balance else widths[:-1]
    return sum((1 - w / longest) ** 2 for w in counted) / len(counted)


def _fit(text: str, ends: Sequence[int], size: int, advance: Callable[[str], float],
         tracking: float, *, ellipsised: bool) -> Fit:
    levels = break_levels(text)
    used = sorted({levels[e] for e in ends[:-1]}, key="ABCD".index)
    lines = _split(text, ends)
    widths = tuple(_line_width(line, advance, tracking * size) for line in lines)
    return Fit(size, tuple(lines), widths, ellipsised, used[-1] if used else "")


def _line_width(line: str, advance: Callable[[str], float], tracking_px: float) -> float:
    return sum(advance(c) for c in line) + tracking_px * max(0, len(line) - 1)


def _ellipsise(text: str, *, sized: Callable[[str], float], size: int, max_width: float,
               max_lines: int, tracking: float) -> Fit:
    """Last resort: lay out with every break allowed, keep ``max_lines`` lines, end with …."""
    measure = _measure(text, sized, tracking * size)
    ends = best_breaks(text, measure, max_width=max_width, allowed="ABCD", max_lines=None,
                       balance=False)
    if ends is None:  # a single character wider than the box
        ends = list(range(1, len(text) + 1))
    lines = _split(text, ends)[:max_lines]
    last = lines[-1]
    tracking_px = tracking * size
    while last and (
        _line_width(last + ELLIPSIS, sized, tracking_px) > max_width
        or last[-1] in NO_END or last[-1] in "，。、；：,.;: "
    ):
        last = last[:-1]
    lines[-1] = last + ELLIPSIS
    widths = tuple(_line_width(line, sized, tracking_px) for line in lines)
    return Fit(size, tuple(lines), widths, True, "D")

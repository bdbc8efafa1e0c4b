"""What a person wrote against what the archive computed: a PM's free text (a report's summary, an
acceptance self-assessment) that states counts or conclusions the figures contradict. Each finding is
a Chinese sentence quoting the text and giving the computed figure; documents print them beside the
text, generation warns with them and the audit lists them (they are archived with the facts)."""
from __future__ import annotations

import re
from collections.abc import Sequence

# "均达成" / "全部达标" / "都满足" …: a claim that every target was met
_ALL_MET = re.compile(r"(?<![未不没非])(?:均|全部|都|皆|全)(?:已|能|已经)?(?:达成|达标|满足|完成)")
# "现场故障1次" / "现场服务 2 次" / "远程支持3次": a count of services of one mode
_COUNT = {"onsite": re.compile(r"现场[^\d，。；,;、]{0,6}?(\d+)\s*次"),
          "remote": re.compile(r"远程[^\d，。；,;、]{0,6}?(\d+)\s*次")}
_MODE = {"onsite": "现场", "remote": "远程"}
_NO_MAJOR = re.compile(r"无重大(?:事件|故障)|未发生重大(?:事件|故障)")


def _quote(text: str, match: re.Match[str]) -> str:
    """The clause of `text` around the match, as the person wrote it."""
    start = max(text.rfind(sep, 0, match.start()) for sep in "，。；,;\n") + 1
    ends = [i for i in (text.find(sep, match.end()) for sep in "，。；,;\n") if i >= 0]
    return text[start:min(ends) if ends else len(text)].strip()


def contradictions(text: str, *, counts: dict[str, int] | None = None, missed: Sequence[str] = (),
                   majors: Sequence[str] | None = None) -> list[str]:
    """Statements in `text` the figures contradict: counts of onsite/remote services (`counts`), a claim
    that every target was met while `missed` names those that were not, "no major incident" while
    `majors` lists some. An empty list when the text agrees with the figures or says nothing checkable."""
    found = []
    for mode, pattern in _COUNT.items():
        if counts is None or mode not in counts:
            continue
        for match in pattern.finditer(text):
            if int(match.group(1)) != counts[mode]:
                found.append(f"说明中“{_quote(text, match)}”与归档记录不符：{_MODE[mode]}服务 {counts[mode]} 次")
    if missed:
        for match in _ALL_MET.finditer(text):
            found.append(f"说明中“{_quote(text, match)}”与统计不符：{'、'.join(missed)} 未达标")
            break
    if majors:
        for match in _NO_MAJOR.finditer(text):
            found.append(f"说明中“{_quote(text, match)}”与归档记录不符：重大事件 {len(majors)} 起（{'、'.join(majors)}）")
            break
    return found

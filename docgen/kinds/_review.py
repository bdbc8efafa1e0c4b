"""Review records inside the deliverable packs (方案/实施方案/规划建议的评审记录, §5.4.7.3–4): any role
(e.g. 客户接口人), a conclusion and a date; a conclusion that does not approve is a warning."""
from __future__ import annotations

import datetime

from docgen.errors import Issue
from docgen.facts import ReviewFact
from docgen.fields import Date, OptText, StrictModel, Text, label

# a conclusion containing any of these does not approve (e.g. 不通过, 不同意实施, 暂缓, 修改后再审)
NOT_APPROVING = ("不通过", "未通过", "不同意", "不予", "不批准", "驳回", "否决", "退回", "暂缓", "修改后", "待定")


class Review(StrictModel):
    name: Text = label("评审人")
    role: Text = label("角色", "任意角色，例如 运维部经理、质量部、客户接口人")
    conclusion: Text = label("评审结论", "例如 通过、同意实施、不通过")
    date: Date = label("评审日期", "YYYY-MM-DD")
    comment: OptText = label("评审意见", default=None)


def approves(review: Review) -> bool:
    return not any(word in review.conclusion for word in NOT_APPROVING)


def review_issues(reviews: list[Review], path: str, subject: str, *, drafted: datetime.date | None = None,
                  drafted_path: str = "") -> list[Issue]:
    """Order against the reviewed document's date (error), non-approving conclusions and no review at all
    (warnings)."""
    issues: list[Issue] = []
    if not reviews:
        issues.append(Issue("warning", path, f"{subject}尚无评审记录，文档中评审记录显示为 待评审"))
    for i, review in enumerate(reviews):
        if drafted is not None and review.date < drafted:
            issues.append(Issue("error", f"{path}[{i}].date",
                                f"时间顺序错误：评审日期 {path}[{i}].date（{review.date}）早于{subject}的编制日期 "
                                f"{drafted_path}（{drafted}），请更正其中之一"))
        if not approves(review):
            issues.append(Issue("warning", f"{path}[{i}].conclusion",
                                f"{subject}的评审结论为 “{review.conclusion}”（{review.name}，{review.role}），"
                                f"未获通过，请按评审意见修改后重新评审"))
    return issues


def reviewed_on(reviews: list[Review]) -> datetime.date | None:
    """The day the reviewed document was approved (its latest review), None without reviews: the date a
    reviewed document carries when the input gives no 编制 date of its own."""
    found = last_review_date(reviews)
    return found[1] if found else None


def review_status(reviews: list[Review]) -> str:
    if not reviews:
        return "待评审"
    return "通过" if all(approves(r) for r in reviews) else "未通过"


def review_rows(reviews: list[Review]) -> list[dict[str, str]]:
    return [{"no": str(n), "name": r.name, "role": r.role, "conclusion": r.conclusion, "date": r.date.isoformat(),
             "comment": r.comment or "—", "approved": approves(r)} for n, r in enumerate(reviews, 1)]


def review_facts(reviews: list[Review]) -> list[ReviewFact]:
    return [ReviewFact(name=r.name, role=r.role, conclusion=r.conclusion, date=r.date, approved=approves(r))
            for r in reviews]


def last_review_date(reviews: list[Review]) -> tuple[int, datetime.date] | None:
    """The index and date of the latest review (the day the reviewed document was approved)."""
    if not reviews:
        return None
    i = max(range(len(reviews)), key=lambda k: reviews[k].date)
    return i, reviews[i].date

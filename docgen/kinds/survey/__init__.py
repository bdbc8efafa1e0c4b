"""需方满意度调查 (kind: survey): the input checks and §5.4.5 (every low score confirmed with the
customer and followed up), the statistics and the 需方满意度调查和分析报告 (survey_report)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docgen.control import Signoffs
from docgen.errors import Issue
from docgen.facts import LowScore, SurveyFacts, SurveyQuestion
from docgen.kinds._kind import DocumentSpec, Kind
from docgen.kinds.survey.model import (
    Response,
    SurveyInput,
    parse_responses,
)
from docgen.kinds.survey.stats import SATISFIED_FROM, SurveyStats, survey_stats
from docgen.periods import period_bounds, period_label

if TYPE_CHECKING:
    from docgen.archive import Archive

TITLE = "需方满意度调查和分析报告"
DOC_TYPE = "survey_report"
MEANS_CHART_MM = 150.0
DISTRIBUTION_CHART_MM = 74.0
MAX_TEXT_LABELS = 8


def _listed(items: list[str]) -> str:
    return "、".join(items)


def survey_rules(survey: SurveyInput) -> list[Issue]:
    """The checks the model's types cannot express: question ids unique, responses against the
    questions and the period, follow-ups pointing at real items, every low score followed up."""
    issues: list[Issue] = []

    def error(path: str, message: str) -> None:
        issues.append(Issue("error", path, message))

    def warning(path: str, message: str) -> None:
        issues.append(Issue("warning", path, message))

    seen_ids: dict[str, int] = {}
    for i, q in enumerate(survey.questions):
        if q.id in seen_ids:
            error(f"questions[{i}].id", f"问题编号 {q.id} 与 questions[{seen_ids[q.id]}].id 重复；每道题的编号必须不同")
        seen_ids.setdefault(q.id, i)
    texts = {q.id: q.text for q in survey.questions}

    responses, response_issues = parse_responses(survey)
    issues.extend(response_issues)
    start, _ = period_bounds(survey.period)
    by_name: dict[str, Response] = {}
    for r in responses:
        if r.date < start:
            error(f"{r.path}.date", f"回答日期 {r.path}.date（{r.date}）早于调查期间 period（{survey.period}）的开始日 "
                                    f"{start}；请更正其中之一")
        if r.respondent in by_name:
            error(f"{r.path}.respondent", f"受访人 {r.respondent} 与 {by_name[r.respondent].path}.respondent 重复；"
                                          "每位受访人只填一份问卷（改进跟踪按受访人对应），同名时请加以区分，例如 张工（运行科）")
        by_name.setdefault(r.respondent, r)

    followed: dict[tuple[str, str], int] = {}
    for i, f in enumerate(survey.followups):
        path = f"followups[{i}]"
        response = by_name.get(f.respondent)
        if f.question not in texts:
            error(f"{path}.question", f"问题编号 {f.question} 不在问卷中（问卷中只有 {_listed(list(texts))}）")
        if response is None and len(responses) == len(survey.responses):  # else its own fields are wrong
            error(f"{path}.respondent", f"受访人 {f.respondent} 不在回答 responses 中（受访人：{_listed(list(by_name))}）")
        if (f.question, f.respondent) in followed:
            error(path, f"与 followups[{followed[(f.question, f.respondent)]}] 重复（同一受访人的同一问题）；请合并为一项")
        followed.setdefault((f.question, f.respondent), i)
        if response is None or f.question not in response.scores:
            continue
        if f.due < response.date:
            error(f"{path}.due", f"完成日期 {path}.due（{f.due}）早于 {f.respondent} 的回答日期 {response.path}.date"
                                 f"（{response.date}）：改进须在调查之后，请更正其中之一")
        if f.done_on is not None and f.done_on < response.date:
            error(f"{path}.done_on", f"实际完成日期 {path}.done_on（{f.done_on}）早于 {f.respondent} 的回答日期 "
                                     f"{response.path}.date（{response.date}）：改进须在调查之后，请更正其中之一")
        if f.done_on is not None and not f.result:
            warning(f"{path}.result", f"填了实际完成日期 {path}.done_on，但没有完成情况 result；请写明改进结果及需方的确认")
        score = response.scores[f.question]
        if score > survey.low_score_threshold:
            warning(path, f"{f.respondent} 对“{texts[f.question]}”评 {score} 分，不是低分项（≤{survey.low_score_threshold}）；"
                          "请检查问题编号 question 和受访人 respondent 是否填对")

    for r in responses:
        for qid, score in r.scores.items():
            if score <= survey.low_score_threshold and (qid, r.respondent) not in followed:
                warning(f"{r.path}.{qid}", f"{r.respondent} 对“{texts[qid]}”评 {score} 分（≤{survey.low_score_threshold}），"
                                           "缺少确认与改进跟踪（§5.4.5），请在 followups 中补充")
    return issues


def _fmt(value: Any) -> str:
    return f"{value:.2f}"


def _summary(survey: SurveyInput, stats: SurveyStats, respondents: int) -> list[str]:
    """The report's conclusions, in sentences a reader can check against the tables."""
    means = [(q.mean, q.text) for q in stats.questions]
    top, bottom = max(m for m, _ in means), min(m for m, _ in means)
    lines = [f"本期（{period_label(survey.period)}）共回收有效问卷 {respondents} 份，{len(stats.questions)} 道题共 "
             f"{stats.count} 个评分，总体满意度 {_fmt(stats.overall)} 分（满分 5 分），满意率（{SATISFIED_FROM} 分及以上"
             f"评分占比）{stats.satisfied_percent}%。"]
    if top == bottom:
        lines.append(f"各题平均分均为 {_fmt(top)} 分。")
    else:
        best = _listed([f"“{t}”" for m, t in means if m == top])
        worst = _listed([f"“{t}”" for m, t in means if m == bottom])
        lines.append(f"得分最高的是{best}（{_fmt(top)} 分），最低的是{worst}（{_fmt(bottom)} 分）。")
    low = stats.low_scores
    if not low:
        lines.append(f"本期无低分项（≤{survey.low_score_threshold} 分）。")
    else:
        done = sum(1 for item in low if item.followup is not None)
        text = (f"低分项（≤{survey.low_score_threshold} 分）共 {len(low)} 项，已与需方确认不满意内容并制定改进措施 "
                f"{done} 项")
        lines.append(text + (f"，{len(low) - done} 项尚缺确认与改进跟踪（§5.4.5）。" if done < len(low) else "。"))
    return lines


def _charts(survey: SurveyInput, stats: SurveyStats, respondents: int) -> tuple[Any, list[dict[str, Any]]]:
    from docgen.render import Picture
    from docgen.render.chart import bar_chart_png

    # beyond 8 bars the question texts no longer fit under them; the statistics table maps the ids
    labels = [q.text if len(stats.questions) <= MAX_TEXT_LABELS else q.id for q in stats.questions]
    means = bar_chart_png(labels, [float(q.mean) for q in stats.questions],
                          title="各题平均分（满分 5 分）", ylabel="平均分", ymax=5, value_format="{:.2f}",
                          low_at_or_below=survey.low_score_threshold,
                          width_in=6.0, height_in=3.0)
    cells = []
    for q in stats.questions:
        png = bar_chart_png([f"{s}分" for s in q.distribution], [float(c) for c in q.distribution.values()],
                            title=f"{q.id} {q.text}", ylabel="人数", ymax=respondents, width_in=3.2, height_in=2.2)
        cells.append({"chart": Picture(png, DISTRIBUTION_CHART_MM),
                      "caption": f"{q.id} {q.text}：n={q.n}，平均 {_fmt(q.mean)} 分，最低 {q.min} 分"})
    blank = {"chart": "", "caption": ""}
    rows = [{"left": cells[i], "right": cells[i + 1] if i + 1 < len(cells) else blank}
            for i in range(0, len(cells), 2)]
    return Picture(means, MEANS_CHART_MM), rows


def survey_context(survey: SurveyInput, responses: list[Response], stats: SurveyStats, *,
                   warnings: list[str]) -> dict[str, Any]:
    """The template's variables: strings, lists and dicts, plus Picture values for the charts."""
    p = survey.project
    t = survey.low_score_threshold
    texts = {q.id: q.text for q in survey.questions}
    start, end = period_bounds(survey.period)
    dates = sorted(r.date for r in responses)
    means_chart, chart_rows = _charts(survey, stats, len(responses))
    low_rows = []
    listed = set()
    for item in stats.low_scores:
        f = item.followup
        listed.add((item.question, item.response.respondent))
        low_rows.append({
            "respondent": item.response.respondent, "date": item.response.date.isoformat(),
            "question": f"{item.question} {texts[item.question]}", "score": str(item.score),
            "confirmed": f.confirmed if f else "（未确认）", "action": f.action if f else "—",
            "owner": f.owner if f else "—", "due": f.due.isoformat() if f else "—",
            "status": (f.status_text() + (f"：{f.result}" if f.result else "")) if f else "未跟踪"})
    by_name = {r.respondent: r for r in responses}
    for f in survey.followups:  # follow-ups on scores above the threshold are reported too
        if (f.question, f.respondent) not in listed:
            r = by_name[f.respondent]
            low_rows.append({
                "respondent": f.respondent, "date": r.date.isoformat(),
                "question": f"{f.question} {texts[f.question]}", "score": str(r.scores[f.question]),
                "confirmed": f.confirmed, "action": f.action, "owner": f.owner, "due": f.due.isoformat(),
                "status": f.status_text() + (f"：{f.result}" if f.result else "")})
    return {
        "company": survey.company,
        "title": TITLE,
        "doc_no": survey.doc_no or "",  # empty: the archive's numbering rules (docgen.numbering)
        "project": {"code": p.code, "name": p.name, "customer": p.customer},
        "period": survey.period,
        "period_label": period_label(survey.period),
        "period_range": f"{start.isoformat()} 至 {end.isoformat()}",
        "surveyed_by": survey.surveyed_by,
        "survey_dates": dates[0].isoformat() if dates[0] == dates[-1]
        else f"{dates[0].isoformat()} 至 {dates[-1].isoformat()}",
        "respondent_count": str(len(responses)),
        "question_count": str(len(stats.questions)),
        "score_count": str(stats.count),
        "overall": _fmt(stats.overall),
        "overall_formula": f"总体满意度 = 全部单项评分之和 ÷ 评分个数 = {stats.total} ÷ {stats.count} = "
                           f"{_fmt(stats.overall)}（满分 5 分；不是各题平均分的平均）",
        "satisfied_percent": f"{stats.satisfied_percent}%",
        "satisfied_formula": f"满意率 = {SATISFIED_FROM} 分及以上的评分个数 ÷ 评分个数 = {stats.satisfied} ÷ "
                             f"{stats.count} = {stats.satisfied_percent}%",
        "threshold": str(t),
        "summary": _summary(survey, stats, len(responses)),
        "questions": [{
            "no": str(n), "id": q.id, "text": q.text, "n": str(q.n), "mean": _fmt(q.mean),
            "min": str(q.min), "max": str(q.max), **{f"d{s}": str(c) for s, c in q.distribution.items()},
        } for n, q in enumerate(stats.questions, 1)],
        "means_chart": means_chart,
        "chart_rows": chart_rows,
        "responses": [{
            "no": str(n), "respondent": r.respondent, "date": r.date.isoformat(),
            "scores": "　".join(f"{qid} {s}{'*' if s <= t else ''}" for qid, s in r.scores.items()),
            "comment": r.comment or "",
        } for n, r in enumerate(responses, 1)],
        "low_scores": [{"no": str(n), **row} for n, row in enumerate(low_rows, 1)],
        "comments": [{"respondent": r.respondent, "comment": r.comment} for r in responses if r.comment],
        "warnings": list(warnings),
    }


def survey_facts(survey: SurveyInput, responses: list[Response], stats: SurveyStats) -> SurveyFacts:
    """What KPI (satisfaction_score), audit and packs read from the archive about the survey."""
    return SurveyFacts(
        period=survey.period, surveyed_by=survey.surveyed_by, respondents=len(responses),
        questions=[SurveyQuestion(id=q.id, text=q.text, mean=float(q.mean), min=q.min, max=q.max, n=q.n,
                                  distribution={str(s): c for s, c in q.distribution.items()})
                   for q in stats.questions],
        overall=float(stats.overall), score_count=stats.count, score_total=stats.total,
        satisfied_percent=float(stats.satisfied_percent), low_score_threshold=survey.low_score_threshold,
        low_scores=[LowScore(respondent=item.response.respondent, question=item.question, score=item.score,
                             followed_up=item.followup is not None,
                             due=item.followup.due if item.followup else None,
                             done_on=item.followup.done_on if item.followup else None,
                             result=item.followup.result if item.followup else None) for item in stats.low_scores])


def survey_documents(survey: SurveyInput, *, archive: Archive | None, warnings: list[str]) -> list[DocumentSpec]:
    responses, issues = parse_responses(survey)
    assert not issues, "documents are only made from inputs the rules accepted"
    stats = survey_stats(survey, responses)
    code = survey.project.code
    return [DocumentSpec(
        doc_type=DOC_TYPE, title=f"{TITLE}（{survey.period}）", project=code, key=(survey.period,),
        date=max(r.date for r in responses), period=survey.period, template="survey_report.docx",
        context=survey_context(survey, responses, stats, warnings=warnings),
        facts=survey_facts(survey, responses, stats), warnings=list(warnings),
        out_name=f"{code}_{TITLE}_{survey.period}",
        signoffs=Signoffs.of(prepared_by=survey.surveyed_by, prepared_on=max(r.date for r in responses),
                             approval=survey.approval),
    )]


KIND = Kind(name="survey", title="需方满意度调查", stage=2, model=SurveyInput, rules=survey_rules, documents=survey_documents,
            templates={DOC_TYPE: "survey_report.docx"}, example="survey.yaml")

"""The survey's statistics, exactly as the report states them so a reader can recount them:
per question n, mean (sum ÷ n, rounded half up to 2 decimals), min, max and the 1–5 counts;
overall = the sum of every single score ÷ their number (not a mean of the question means)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from docgen.kinds.survey.model import SCORES, Followup, Response, SurveyInput
from docgen.numbers import round_half_up

SATISFIED_FROM = 4  # 满意率 counts scores of 4 and 5


@dataclass(frozen=True)
class QuestionStats:
    id: str
    text: str
    n: int
    total: int
    mean: Decimal
    min: int
    max: int
    distribution: dict[int, int]  # score 1..5 -> how many gave it


@dataclass(frozen=True)
class LowScore:
    """One score at or below the threshold, with its §5.4.5 follow-up when the input has one."""

    response: Response
    question: str
    score: int
    followup: Followup | None

    @property
    def path(self) -> str:
        return f"{self.response.path}.{self.question}"


@dataclass(frozen=True)
class SurveyStats:
    questions: list[QuestionStats]
    count: int  # single scores
    total: int  # their sum
    overall: Decimal
    satisfied: int  # scores >= SATISFIED_FROM
    satisfied_percent: Decimal
    low_scores: list[LowScore]


def survey_stats(survey: SurveyInput, responses: list[Response]) -> SurveyStats:
    followups = {(f.question, f.respondent): f for f in survey.followups}
    questions = []
    for q in survey.questions:
        scores = [r.scores[q.id] for r in responses]
        questions.append(QuestionStats(
            id=q.id, text=q.text, n=len(scores), total=sum(scores),
            mean=round_half_up(Fraction(sum(scores), len(scores))), min=min(scores), max=max(scores),
            distribution={s: scores.count(s) for s in SCORES}))
    every = [score for r in responses for score in r.scores.values()]
    satisfied = sum(1 for s in every if s >= SATISFIED_FROM)
    low = [LowScore(r, q.id, r.scores[q.id], followups.get((q.id, r.respondent)))
           for r in responses for q in survey.questions if r.scores[q.id] <= survey.low_score_threshold]
    return SurveyStats(
        questions=questions, count=len(every), total=sum(every),
        overall=round_half_up(Fraction(sum(every), len(every))), satisfied=satisfied,
        satisfied_percent=round_half_up(Fraction(100 * satisfied, len(every)), 1), low_scores=low)

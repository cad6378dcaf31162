"""A survey's results, read in a number of queries that does not grow with the answers: the
counts of every choice and scale question in one GROUP BY, the latest free texts of each text
question (one query each)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.utils.formats import number_format

from participation.models import Answer, Question, Survey

LATEST_TEXTS = 20


def _percent(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def survey_results(survey: Survey) -> dict:
    questions = list(survey.questions.all())
    responses = survey.responses.count()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    answered: dict[int, int] = {}
    for row in (
        Answer.objects.filter(question__survey=survey)
        .exclude(question__kind=Question.Kind.TEXT)
        .values("question_id", "value")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["question_id"]][row["value"]] = row["n"]
    for row in (
        Answer.objects.filter(question__survey=survey)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        answered[row["question_id"]] = row["n"]
    texts = {
        q.pk: list(q.answers.order_by("-id").values_list("value", flat=True)[:LATEST_TEXTS])
        for q in questions
        if q.kind == Question.Kind.TEXT
    }
    items = []
    for q in questions:
        n = answered.get(q.pk, 0)
        rows = [
            {
                "label": option,
                "count": counts[q.pk].get(option, 0),
                "value": counts[q.pk].get(option, 0),
                "total": n,
                "percent": _percent(counts[q.pk].get(option, 0), n),
                "display": f"{counts[q.pk].get(option, 0)} "
                f"({number_format(_percent(counts[q.pk].get(option, 0), n), 1)}%)",
            }
            for option in q.option_list
        ]
        average = None
        if q.kind == Question.Kind.SCALE and n:
            average = sum(int(r["label"]) * r["count"] for r in rows) / n
        items.append(
            {
                "question": q,
                "answered": n,
                "rows": rows,
                "texts": texts.get(q.pk, []),
                "average": average,
                "chart_id": f"question-{q.pk}-chart",
            }
        )
    return {"responses": responses, "items": items}

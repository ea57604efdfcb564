"""Portable SQL pieces the reports aggregate with: durations, percentiles, JSON rules.

PostgreSQL does the work; SQLite (the `make run` default) gets equivalent
expressions, or a Python percentile over one float column where it has none.
"""

from __future__ import annotations

import math
from typing import Any

from django.db import connection
from django.db.models import Aggregate, FloatField, Func, QuerySet


class Seconds(Func):
    """Seconds from `start` to `end` (two datetime expressions)."""

    output_field = FloatField()

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile (linear interpolation)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float) -> None:
        super().__init__(expression, fraction=float(fraction))


def _interpolate(values: list[float], fraction: float) -> float:
    position = (len(values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def median_and_p90(queryset: QuerySet, expression: Any) -> dict[str, Any]:
    """count, median and p90 of `expression` over `queryset`, in one query."""
    if connection.vendor == "postgresql":
        from django.db.models import Count

        return queryset.aggregate(
            count=Count("pk"),
            median=PercentileCont(expression, 0.5),
            p90=PercentileCont(expression, 0.9),
        )
    values = sorted(
        queryset.annotate(_value=expression).values_list("_value", flat=True)
    )
    if not values:
        return {"count": 0, "median": None, "p90": None}
    return {
        "count": len(values),
        "median": _interpolate(values, 0.5),
        "p90": _interpolate(values, 0.9),
    }


def _rule_join() -> str:
    if connection.vendor == "postgresql":
        return (
            "CROSS JOIN LATERAL jsonb_array_elements_text(m.empathy_findings)"
            " AS f(rule)"
        )
    return "JOIN json_each(m.empathy_findings) AS f"


def _rule_column() -> str:
    return "f.rule" if connection.vendor == "postgresql" else "f.value"


def findings_by_rule(messages: QuerySet) -> list[tuple[str, int, int]]:
    """(rule, messages, conversations) for every rule found on `messages`."""
    sql, params = messages.values("pk").query.sql_with_params()
    table = messages.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_rule_column()}, COUNT(*), COUNT(DISTINCT m.conversation_id)"  # noqa: S608
            f" FROM {table} m {_rule_join()} WHERE m.id IN ({sql})"
            f" GROUP BY {_rule_column()} ORDER BY COUNT(*) DESC, {_rule_column()}",
            params,
        )
        return [(str(rule), int(n), int(c)) for rule, n, c in cursor.fetchall()]


def conversation_ids_with_rule(messages: QuerySet, rule: str) -> list[int]:
    """Conversations whose `messages` carry the finding `rule`."""
    sql, params = messages.values("pk").query.sql_with_params()
    table = messages.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT m.conversation_id FROM {table} m {_rule_join()}"  # noqa: S608
            f" WHERE m.id IN ({sql}) AND {_rule_column()} = %s",
            (*params, rule),
        )
        return [row[0] for row in cursor.fetchall()]

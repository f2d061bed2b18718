"""AWS cron expressions, as AWS Backup reads them: pure checks, no AWS call.

Source: Amazon EventBridge User Guide, "Cron expressions" (the syntax AWS Backup's
``ScheduleExpression`` uses, per the AWS Backup API reference, BackupRule): six fields,
``Minutes Hours Day-of-month Month Day-of-week Year``; one of day-of-month and day-of-week
must be ``?``; AWS Backup also refuses jobs less than 60 minutes apart ("The interval
between backup jobs shouldn't be less than 60 minutes"), so the minutes field names one
minute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True)
class CronField:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    """Names accepted for 1..n (months, days of the week)."""
    extras: str = ""
    """Which of ? L W # the field allows."""


FIELDS = (
    CronField("minutes", 0, 59),
    CronField("hours", 0, 23),
    CronField("day-of-month", 1, 31, extras="?LW"),
    CronField("month", 1, 12, MONTHS),
    CronField("day-of-week", 1, 7, DAYS, extras="?L#"),
    CronField("year", 1970, 2199),
)
_EXPRESSION = re.compile(r"^cron\((.*)\)$")


def _value(field: CronField, text: str) -> bool:
    if text.isdigit():
        return field.low <= int(text) <= field.high
    return text.upper() in field.names


def _item_ok(field: CronField, item: str) -> bool:  # noqa: PLR0911 one return per item form
    """One comma-separated item: *, a value, a range, a step, or the field's extras."""
    if item == "*":
        return True
    if "/" in item:
        start, _, step = item.partition("/")
        return step.isdigit() and int(step) > 0 and (start == "*" or _item_ok(field, start))
    if "-" in item:
        low, _, high = item.partition("-")
        return _value(field, low) and _value(field, high)
    if "L" in field.extras and (
        item == "L" or (field.name == "day-of-week" and item[:-1].isdigit() and item[-1] == "L")
    ):
        return item == "L" or _value(field, item[:-1])
    if "W" in field.extras and item.endswith("W"):
        return item == "LW" or _value(field, item[:-1])
    if "#" in field.extras and "#" in item:
        day, _, nth = item.partition("#")
        return _value(field, day) and nth.isdigit() and 1 <= int(nth) <= 5
    return _value(field, item)


def aws_cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not an AWS Backup schedule, or None when it is one."""
    match = _EXPRESSION.match(expression.strip())
    if match is None:
        return "is not a cron(...) expression"
    parts = match.group(1).split()
    if len(parts) != len(FIELDS):
        return f"has {len(parts)} fields; AWS cron has 6 (minutes hours day-of-month month day-of-week year)"
    for field, text in zip(FIELDS, parts, strict=True):
        if text == "?" and "?" in field.extras:
            continue
        if not all(_item_ok(field, item) for item in text.split(",")):
            return f"has an invalid {field.name} field '{text}'"
    day_of_month, day_of_week = parts[2], parts[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return "must have ? in exactly one of day-of-month and day-of-week"
    if not parts[0].isdigit():
        return f"runs more than once an hour (minutes '{parts[0]}'); AWS Backup needs 60 minutes between jobs"
    return None

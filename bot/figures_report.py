"""The anonymous figures as a coordinator reads them: every figure below 5 shown as "<5"."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

SMALL = 5  # below this a figure could point at one man: shown as "<5" everywhere
Row = tuple[date, str, str, int]


def shown(count: int) -> str:
    """A count as it may be shown: "<5" below five, else the number."""
    return f"<{SMALL}" if count < SMALL else str(count)


def totals(rows: list[Row]) -> list[tuple[str, str, int]]:
    """(metric, value, count) over the whole period, by metric, largest first."""
    summed: dict[tuple[str, str], int] = defaultdict(int)
    for _, metric, value, count in rows:
        summed[(metric, value)] += count
    return sorted(((m, v, n) for (m, v), n in summed.items()), key=lambda r: (r[0], -r[2], r[1]))


def table(rows: list[Row], since: date, until: date) -> str:
    """Totals over the period as aligned columns, one block per metric."""
    lines = [f"Anonymous figures from {since.isoformat()} to {until.isoformat()}"]
    found = totals(rows)
    if not found:
        return "\n".join([*lines, "Nothing was counted in this period."]) + "\n"
    width = max(len(value) for _, value, _ in found)
    metric = None
    for name, value, count in found:
        if name != metric:
            lines.append("")
            lines.append(name)
            metric = name
        lines.append(f"  {value.ljust(width)}  {shown(count):>6}")
    lines.append("")
    lines.append(f"Figures below {SMALL} are shown as <{SMALL}.")
    return "\n".join(lines) + "\n"


def csv_text(rows: list[Row], per_day: bool) -> str:
    """day,metric,value,count per day, or metric,value,count over the period; never both in
    one file, so a suppressed day cannot be worked out from a total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if per_day:
        writer.writerow(["day", "metric", "value", "count"])
        for day, metric, value, count in rows:
            writer.writerow([day.isoformat(), metric, value, shown(count)])
    else:
        writer.writerow(["metric", "value", "count"])
        for metric, value, count in totals(rows):
            writer.writerow([metric, value, shown(count)])
    return out.getvalue()

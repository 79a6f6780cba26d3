"""15 CFR 791.312, Recordkeeping.

VCS hardware importers, connected vehicle manufacturers and third-party assessors keep all
primary business records of each transaction for which a Declaration of Conformity, general
authorization or specific authorization would be required, available for at least 10 years
after the date of the transaction.
"""

from __future__ import annotations

from datetime import date

from cvrule.law.context import Context
from cvrule.law.findings import reason
from cvrule.model import Reason, Transaction

__all__ = ["retention"]

CITE = "791.312(a)"


def retention(ctx: Context, txn: Transaction, declared: bool, authorized: bool) -> tuple[date | None, Reason | None]:
    if not (declared or authorized):
        return None, None
    years = ctx.edition.param("record_retention_years")
    until = _add_years(txn.date, years.value)
    why = "a Declaration of Conformity" if declared else "an authorization"
    return until, reason(
        f"keep the primary business records of this transaction (contracts, import records, invoices, bills of sale, "
        f"compliance reports) until {until.isoformat()}, {years.value} years after it, because it needs {why}",
        True, CITE, params=[years])


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=day.day - 1)

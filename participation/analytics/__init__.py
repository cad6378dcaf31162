"""Participation analytics: who took part in the ambito's tables, meetings, procedures, events,
surveys and proposals in a period, broken down by entity, legal form, comune and target group.

It lives in participation (above tables and processes, below plans) so that the staff page here
and the plan's participation chapter (plans/) read the same figures:
- scope.py    the period and the slice a user may read (the whole ambito, or a comune's slice);
- figures.py  the aggregates, a constant number of queries whatever the number of rows;
- exports.py  the same figures as rows of a spreadsheet (core.spreadsheets);
- views.py    the staff page and its download."""

from participation.analytics.figures import participation_figures, plan_summary
from participation.analytics.scope import Period, Scope

__all__ = ["Period", "Scope", "participation_figures", "plan_summary"]

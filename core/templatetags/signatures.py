"""{% signature_report report %}: who signed a document, when, and whether the signature is
valid (core.signatures.Report, or the dict a model keeps of it)."""

from __future__ import annotations

from django import template

from core.signatures import Report, signed_at

register = template.Library()


@register.inclusion_tag("components/signature_report.html")
def signature_report(report) -> dict:
    if isinstance(report, dict):
        report = Report.from_json(report)
    rows = [{"signer": s, "when": signed_at(s)} for s in report.signers] if report else []
    return {"report": report, "rows": rows}

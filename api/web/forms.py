"""HTML form fields → the same typed decision bodies the JSON API takes (validation errors surface unchanged)."""

from __future__ import annotations

from typing import Any

from api.leads.flows import ReviewAction
from api.review.flows import Accept, Confirm, Edit, PushBack, Reject, Reopen
from api.review.service import Body

CHECK = "check__"
VERIFIED = "verified__"


def _aware(value: str) -> str:
    # <input type="datetime-local"> sends no zone; the form labels it UTC
    return value if not value or value.endswith("Z") or "+" in value[10:] else value + "+00:00"


def body_from_form(action: ReviewAction, form: dict[str, str]) -> Body:
    """Build and validate the body for `action` from form fields (raises pydantic.ValidationError)."""
    revision: Any = form.get("revision", "")
    if action == ReviewAction.confirm:
        record = {
            "qualified_at": _aware(form.get("qualified_at", "")),
            "checklist": {k[len(CHECK) :]: v for k, v in form.items() if k.startswith(CHECK)},
            "verified_on_call": [k[len(VERIFIED) :] for k, v in form.items() if k.startswith(VERIFIED) and v],
            "discovery_notes": form.get("discovery_notes", ""),
            "next_step": form.get("next_step", ""),
            "next_step_date": form.get("next_step_date", ""),
            "opportunity_value": form.get("opportunity_value", ""),
            "currency": form.get("currency", "").strip() or None,
        }
        return Confirm.model_validate({"revision": revision, "record": record})
    if action == ReviewAction.edit:
        return Edit.model_validate(
            {
                "revision": revision,
                "question_id": form.get("question_id", ""),
                "answer": form.get("answer", ""),
                "note": form.get("note", ""),
                "evidence": form.get("evidence") or None,
            }
        )
    if action == ReviewAction.reopen:
        return Reopen.model_validate({"reason": form.get("reason", "")})
    if action == ReviewAction.accept:
        return Accept.model_validate({"revision": revision, "note": form.get("note", "")})
    model = Reject if action == ReviewAction.reject else PushBack
    return model.model_validate({"revision": revision, "reason": form.get("reason", ""), "note": form.get("note", "")})

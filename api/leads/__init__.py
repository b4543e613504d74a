"""Leads: intake, idempotency, qualification runs and scorecards."""

"""The append-only audit trail of every transition and edit."""

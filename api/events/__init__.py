"""Outgoing events: a transactional outbox, webhook subscriptions, signed deliveries with retries."""

"""Typed fakes that subclass or satisfy the real protocols (never `Mock()`)."""

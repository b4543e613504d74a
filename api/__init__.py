"""Qualify's edge: settings, database, HTTP API, CLI and review UI."""

"""Enrichment: a waterfall of providers adding company and person facts with provenance."""

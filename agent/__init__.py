"""Qualify's qualification core: contracts, pipeline stages and judges. No web, no database."""

__version__ = "0.1.0"

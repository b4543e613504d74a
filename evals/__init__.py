"""Evals: run the production pipeline over labeled past leads and report the metrics of the decisions it makes."""

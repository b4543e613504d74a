"""Call transcripts: ingestion, storage and the scorecard revisions they produce."""

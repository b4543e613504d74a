"""A durable job queue in the database (CRM write-backs, CRM imports): see api/jobs/service.py."""

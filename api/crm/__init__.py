"""CRM connectors: HubSpot and Salesforce in (webhooks → intake) and out (SQL write-back on the job queue)."""

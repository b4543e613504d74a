"""Local firmographics: the imported companies table behind the directory enrichment provider."""

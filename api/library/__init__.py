"""The library as the API shows it."""

"""Users, their roles, API keys and browser sessions."""

"""Judges answer a lead's qualifying questions: `local` (embedded, offline) and `llm` (any OpenAI-compatible endpoint)."""

"""The qualifying form: served from the library, submitted, qualified at once, routed."""

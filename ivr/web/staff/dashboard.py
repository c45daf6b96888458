"""Staff pages: dashboard (being written)."""

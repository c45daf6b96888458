"""Staff pages: reports (being written)."""

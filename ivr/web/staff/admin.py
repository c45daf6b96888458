"""Staff pages: admin (being written)."""

"""Staff review: accounts, sessions, the audit trail and report work. Plain Python, no Flask."""

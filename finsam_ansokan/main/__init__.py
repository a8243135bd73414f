"""Start pages, the accessibility statement and the health check."""

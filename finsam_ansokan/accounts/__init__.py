"""Accounts: the förbund, its member organisations, users, roles, login and administration."""

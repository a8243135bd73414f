"""Machinery shared by every area: errors, money, time, permissions, event log."""

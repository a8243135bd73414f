"""Beredning: comments and internal notes, review actions, recommendations and proposals."""

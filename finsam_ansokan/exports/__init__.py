"""Exports: Excel and CSV of lists, and the yearly archive package for the diarium."""

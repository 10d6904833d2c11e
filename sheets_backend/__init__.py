"""Hive's edges: reading a spreadsheet, turning it into evidence, writing results back, serving it."""

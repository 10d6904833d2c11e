"""The words a student or family reads, in their language: message catalogs under `locale/`.

Imports nothing else from Hive but `policy_engine`'s status names, so every layer may use it.
"""

"""Redundancy detection: the engine (pure Python), its index over the database, search, flags and clusters."""

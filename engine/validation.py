"""Kept while emio moves its import to :mod:`engine.data` (where the rule now lives)."""

from engine.data import contiguous

__all__ = ["contiguous"]

"""Evaluations on real portal data (``make eval``): not part of ``make test``."""

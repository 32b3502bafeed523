"""Helpers of the offline labelling tools (tools/pseudo_label.py ...)."""

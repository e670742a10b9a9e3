"""Renderers of the PMQA report dict: Excel, PDF and CSV."""

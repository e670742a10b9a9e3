"""Listening for analysts: Thai dates and periods, spike alerts, trending issues, SVG charts, demo history, import."""

"""The agency's own world: settings, its configuration file, Thai time and the shared vocabulary (ground floor)."""

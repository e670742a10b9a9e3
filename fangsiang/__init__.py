"""The composition root: builds the runtime once, mounts every room's router, and the `fangsiang` command."""

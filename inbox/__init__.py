"""The officers' and admins' pages and JSON API (the inbox); mounted only by the composition root."""

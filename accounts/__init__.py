"""Staff accounts: officers, analysts and admins; passwords and API tokens."""

"""The case domain: opening and following up, the status workflow, officer actions, access rules, deadlines."""

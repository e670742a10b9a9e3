"""The history room: an agency's past complaints imported from its spreadsheets, and a demo history, written as cases
through the case domain (cases.history); analytics only reads them."""

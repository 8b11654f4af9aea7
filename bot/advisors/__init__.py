"""The advisor workspace: accounts, sessions, notes and the audit log."""

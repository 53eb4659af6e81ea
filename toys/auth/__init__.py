"""Who may call what: roles, credentials (token hashes and client certificates), new tokens."""

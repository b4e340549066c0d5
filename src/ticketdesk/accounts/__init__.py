"""Users, their roles, passwords and API tokens."""

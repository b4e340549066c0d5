"""Tickets, their workflow, comments and change history."""

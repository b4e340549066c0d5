"""ticketdesk: an open-source help desk with built-in analytics."""

__version__ = "0.1.0"

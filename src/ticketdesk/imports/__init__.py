"""Bringing history in from another help desk: a documented CSV, all or nothing."""

"""Read-only figures about tickets: volume, backlog, resolution times, categories."""

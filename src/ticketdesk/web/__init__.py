"""HTTP plumbing shared by every service: errors, auth, request guards, pagination."""

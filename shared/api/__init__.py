"""HTTP plumbing every service shares: the app factory, auth, problems and middleware."""

"""360 reads, scoped by organisation and role, one module per area."""

"""Storage: typed models, Alembic migrations inside the package, query functions taking a session."""

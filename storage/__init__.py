"""Storage: SQLAlchemy models, sessions, migrations and the queries other stages use."""

"""Persistence: schema, migrations, encryption, and the per-turn write path. All SQL lives here."""

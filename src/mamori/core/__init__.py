"""Shared foundations: settings, database, clock, i18n, audit, auth and errors."""

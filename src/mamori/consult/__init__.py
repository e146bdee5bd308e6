"""Guided consultation, service guides and the counsellors' records (相談)."""

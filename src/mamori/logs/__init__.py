"""Poster and access logs kept for sender-information disclosure: ingestion (API, bulk import, COPY), encryption at rest, IP/port/time lookup, retention and holds (issue 12)."""

"""The specialists' workspace: queues ordered by the legal clock, claims, the case page."""

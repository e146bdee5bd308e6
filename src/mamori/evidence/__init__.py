"""Evidence: server-side capture (WACZ), uploads, the append-only ledger, verification and reports."""

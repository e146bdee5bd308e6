"""What each side is told (Art. 22 receipt, Art. 25, Art. 27), the outbox and its delivery."""

"""Trusted channels into a platform: trusted-notifier bodies (法務局, hotlines) with scoped API credentials and their requests (issue 14)."""

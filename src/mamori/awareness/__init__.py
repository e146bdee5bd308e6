"""Awareness: the embeddable stop-and-think prompt, the インターネットトラブル事例集 as data, and e-ネットキャラバン lecture management (issue 18)."""

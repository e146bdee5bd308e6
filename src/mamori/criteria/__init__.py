"""Published, versioned removal criteria (削除基準, 情プラ法 Art. 26)."""

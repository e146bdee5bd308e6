"""The sender inquiry (照会): asking the poster before a removal (情プラ法 Art. 3(2), Art. 4)."""

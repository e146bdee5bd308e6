"""Decisions and extension grounds (情プラ法 Art. 25, 26), appeals."""

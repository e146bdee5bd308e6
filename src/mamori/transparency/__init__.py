"""The yearly transparency report (Art. 28), statements of reasons (DSA format) and the public page of figures (issue 13)."""

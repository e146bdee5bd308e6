"""The liaison council's shared figures: a common anonymised export per member and the merged view (issue 14)."""

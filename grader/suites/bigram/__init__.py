"""The bigram suite (makemore part 1)."""

"""The mlp suite (makemore part 2)."""

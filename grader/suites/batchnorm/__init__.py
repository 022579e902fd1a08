"""The batchnorm suite (makemore part 3: initialisation, diagnostics, layers, batch norm by hand)."""

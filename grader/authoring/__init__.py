"""What a kit author uses: the stubs and notebooks made from solutions/, and `grade dev check`."""

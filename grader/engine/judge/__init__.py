"""The trusted side: pytest runs the hidden checks here and compares with PyTorch."""

"""Probes: the kit's code that runs *inside the worker*, next to the student's.

A probe drives the submission the way a check needs (with reference code standing in for
everything outside the component) and returns plain data: numbers, lists, dicts, numpy
arrays. The judge validates that data and compares it with PyTorch; a probe never decides
whether the student passed.
"""

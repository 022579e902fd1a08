"""Plain, torch-free data both sides draw the same way (the judge and the worker import it)."""

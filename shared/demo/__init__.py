"""The demo company `make run` loads: `python -m shared.demo`."""

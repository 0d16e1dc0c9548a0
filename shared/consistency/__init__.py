"""Checking that the services agree on every customer: totals per customer, compared."""

"""Steering's pure domain: strategy rules, KPI formulas and status bands, periods."""

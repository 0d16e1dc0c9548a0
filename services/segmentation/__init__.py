"""Segmentation: margins, potential, lifecycle, needs and the value x potential portfolio."""

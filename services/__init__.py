"""The four Kundencockpit services."""

"""Profiles: ingestion, identity resolution and the 360-degree customer view."""

"""Bulk import of CRM and shop history from CSV or JSON Lines files through the ingestion API."""

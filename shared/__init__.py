"""The Kundencockpit platform library: contracts, messaging, database, API and settings."""

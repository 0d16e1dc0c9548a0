"""Tables of experience: its customer read model, outbox and inbox."""

from shared.customer_directory import customers_table
from shared.db.metadata import new_metadata
from shared.messaging.tables import messaging_tables

metadata = new_metadata()
messaging = messaging_tables(metadata)
customers = customers_table(metadata)

"""Messaging: the transactional outbox and its relay, the inbox, and the consumer loop."""

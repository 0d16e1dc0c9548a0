"""What experience erases when a customer is erased: every table it keys by customer id.

Touchpoints of the customer's visitors carry its id once profiles linked them, so they go
too. A table added later that holds rows per customer is added to ERASABLE, nowhere else.
"""

from services.experience import models
from shared.erasure import ErasableColumn

ERASABLE: list[ErasableColumn] = [
    (models.customers, "customer_id"),
    (models.touchpoints, "customer_id"),
    (models.journeys, "customer_id"),
    (models.journey_steps, "customer_id"),
    (models.visitor_links, "customer_id"),
    (models.customer_segments, "customer_id"),
    (models.summary_digests, "customer_id"),
    (models.merge_journal, "absorbed_id"),
]

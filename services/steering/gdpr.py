"""What steering erases when a customer is erased: every table it keys by customer id.

A table added later that holds rows per customer is added to ERASABLE, nowhere else. The
aggregates hold no rows per customer; the customer's current state leaves them before.
"""

from services.steering import models
from shared.erasure import ErasableColumn

ERASABLE: list[ErasableColumn] = [
    (models.customers, "customer_id"),
    (models.customer_facts, "customer_id"),
    (models.customer_periods, "customer_id"),
    (models.customer_activity, "customer_id"),
    (models.orders, "customer_id"),
    (models.customer_consents, "customer_id"),
    (models.actions, "customer_id"),
    (models.merge_journal, "absorbed_id"),
]

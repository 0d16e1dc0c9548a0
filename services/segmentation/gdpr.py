"""What segmentation erases when a customer is erased: every table it keys by customer id.

A table added later that holds rows per customer is added to ERASABLE, nowhere else.
"""

from services.segmentation import models
from shared.erasure import ErasableColumn

ERASABLE: list[ErasableColumn] = [
    (models.customers, "customer_id"),
    (models.customer_days, "customer_id"),
    (models.customer_categories, "customer_id"),
    (models.customer_contacts, "customer_id"),
    (models.orders, "customer_id"),
    (models.assignments, "customer_id"),
    (models.merge_journal, "absorbed_id"),
    (models.latest_nps, "customer_id"),
]

"""What segmentation erases when a customer is erased: every table it keys by customer id.

A table added later that holds rows per customer is added to ERASABLE, nowhere else.
"""

from services.segmentation import models
from shared.erasure import CustomerErasure, ErasableColumn
from shared.runtime import Runtime

ERASABLE: list[ErasableColumn] = [
    (models.customers, "customer_id"),
]


def customer_erasure(runtime: Runtime) -> CustomerErasure:
    return CustomerErasure(
        service=runtime.service,
        outbox=runtime.outbox,
        outbox_table=runtime.tables.outbox,
        erasable=ERASABLE,
    )

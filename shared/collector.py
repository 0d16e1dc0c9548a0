"""The garbage collector tuned for long-running services.

With CPython's defaults (a young collection every 700 allocations, a full one every hundred
of those) a consumer decoding and handling hundreds of events per batch spent a third of its
time and more collecting: every full collection walks all the objects the process keeps
(imports, caches, the batch). What the process built while starting is frozen (never
walked again), and collections come after `young` allocations instead of 700.
"""

import gc
import logging

log = logging.getLogger(__name__)


def tune_collector(young: int) -> None:
    """Freeze what exists now and collect young objects every `young` allocations
    (0: leave the collector as it is)."""
    if young <= 0:
        return
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, old)
    frozen = gc.get_freeze_count()
    log.info("garbage collector: %d objects frozen, young threshold %d", frozen, young)

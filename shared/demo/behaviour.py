"""How the demo company's customers behave: archetypes with their rhythms, baskets and habits.

Each archetype is a behaviour model, not noise: how often it buys and for how long, how its
baskets grow, which channels it uses, how much discount and service it takes. Together they
populate every segment, lifecycle stage and thrust, and show what ABC by revenue misses.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Archetype:
    name: str
    kind: str
    """person or organization."""
    weight: float
    interval_days: float
    """Mean days between orders while active."""
    active_years: float | None
    """Mean active life before it stops ordering; None = stays."""
    basket: float
    """Median net revenue of an order."""
    growth_per_year: float
    """Factor baskets grow by per year (1.0 = flat)."""
    discount_share: float
    channels: dict[str, float]
    service_per_order: float
    complaint_share: float
    return_share: float
    csat: float
    """Mean satisfaction 1-5."""
    size_classes: tuple[str, ...] = ("S", "M", "L")
    reactivates: bool = False
    """Goes quiet for a long spell, then buys again."""


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("key_account", "organization", 0.04, 30, None, 4200, 1.10, 0.04,
              {"field_sales": 0.7, "edi": 0.2, "inside_sales": 0.1}, 0.25, 0.02, 0.02, 4.3,
              ("L", "XL")),
    Archetype("growing_business", "organization", 0.08, 60, None, 900, 1.45, 0.03,
              {"inside_sales": 0.5, "web": 0.4, "field_sales": 0.1}, 0.15, 0.02, 0.03, 4.2),
    Archetype("steady_business", "organization", 0.14, 80, None, 1100, 1.0, 0.05,
              {"inside_sales": 0.5, "field_sales": 0.3, "web": 0.2}, 0.15, 0.03, 0.03, 4.0),
    Archetype("lapsing_business", "organization", 0.06, 70, 1.2, 1300, 0.9, 0.05,
              {"field_sales": 0.5, "inside_sales": 0.5}, 0.2, 0.06, 0.04, 3.4),
    Archetype("costly_business", "organization", 0.05, 50, None, 700, 1.0, 0.16,
              {"field_sales": 0.8, "phone": 0.2}, 1.25, 0.18, 0.12, 2.9),
    Archetype("small_high_potential", "organization", 0.03, 90, None, 350, 1.6, 0.02,
              {"web": 0.6, "inside_sales": 0.4}, 0.1, 0.01, 0.02, 4.4, ("L", "XL")),
    Archetype("returning_business", "organization", 0.02, 80, None, 800, 1.0, 0.05,
              {"inside_sales": 0.6, "web": 0.4}, 0.15, 0.03, 0.03, 3.8, ("S", "M"), True),
    Archetype("loyal_consumer", "person", 0.12, 90, None, 95, 1.05, 0.03,
              {"web": 0.6, "app": 0.3, "store": 0.1}, 0.05, 0.02, 0.05, 4.4),
    Archetype("occasional_consumer", "person", 0.20, 240, None, 70, 1.0, 0.05,
              {"web": 0.5, "store": 0.3, "marketplace": 0.2}, 0.05, 0.03, 0.08, 4.0),
    Archetype("one_time_buyer", "person", 0.12, 9999, 0.01, 60, 1.0, 0.08,
              {"web": 0.6, "marketplace": 0.4}, 0.05, 0.05, 0.10, 3.7),
    Archetype("discount_hunter", "person", 0.07, 150, 1.5, 80, 1.0, 0.22,
              {"marketplace": 0.6, "web": 0.4}, 0.15, 0.08, 0.22, 3.3),
    Archetype("prospect", "person", 0.05, 9999, 0.0, 0, 1.0, 0.0,
              {"web": 1.0}, 0.0, 0.0, 0.0, 4.0),
    Archetype("returning_consumer", "person", 0.02, 110, None, 85, 1.0, 0.04,
              {"web": 0.7, "app": 0.3}, 0.05, 0.02, 0.06, 4.0, ("S",), True),
)  # fmt: skip

INDUSTRIES: dict[str, tuple[str, ...]] = {
    "crafts": ("tools", "fasteners", "workwear"),
    "construction": ("tools", "building_materials", "safety"),
    "manufacturing": ("machine_parts", "tools", "safety"),
    "retail": ("household", "garden", "tools"),
    "hospitality": ("household", "cleaning", "workwear"),
    "healthcare": ("cleaning", "safety", "household"),
}
CONSUMER_CATEGORIES = ("household", "garden", "tools", "diy", "cleaning")
REGIONS = ("Nord", "Süd", "Ost", "West", "Mitte")
CITIES = {
    "Nord": ("Hamburg", "Bremen", "Kiel"),
    "Süd": ("München", "Stuttgart", "Augsburg"),
    "Ost": ("Leipzig", "Dresden", "Berlin"),
    "West": ("Köln", "Düsseldorf", "Dortmund"),
    "Mitte": ("Frankfurt am Main", "Kassel", "Mainz"),
}
FIRST_NAMES = ("Anna", "Lukas", "Marie", "Felix", "Sophie", "Jonas", "Lea", "Paul", "Emma",
               "Leon", "Mia", "Elias", "Hannah", "Noah", "Lina", "Ben", "Clara")  # fmt: skip
LAST_NAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
              "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf")  # fmt: skip
COMPANY_WORDS = ("Holz", "Stahl", "Bau", "Technik", "Haus", "Garten", "Service", "Werk",
                 "Metall", "Elektro", "Dach", "Küchen")  # fmt: skip
COMPANY_FORMS = ("GmbH", "AG", "KG", "GmbH & Co. KG", "e.K.")

"""Pure rules of experience: journeys, measures and analytics over plain data."""

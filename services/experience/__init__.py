"""Experience: touchpoints, journeys and customer-experience measures over every channel."""

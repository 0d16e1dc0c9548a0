"""`python -m services.experience serve|worker|migrate|all|topics`."""

from services.experience.bootstrap import DEFINITION
from shared.cli import main

if __name__ == "__main__":
    main(DEFINITION)

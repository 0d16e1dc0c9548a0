"""`python -m services.profiles serve|worker|migrate|all|topics`."""

from services.profiles.bootstrap import DEFINITION
from shared.cli import main

if __name__ == "__main__":
    main(DEFINITION)

"""`python -m services.steering serve|worker|migrate|all|topics`."""

from services.steering.bootstrap import DEFINITION
from shared.cli import main

if __name__ == "__main__":
    main(DEFINITION)

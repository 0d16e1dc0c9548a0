"""`python -m services.segmentation serve|worker|migrate|all|topics`."""

from services.segmentation.bootstrap import DEFINITION
from shared.cli import main

if __name__ == "__main__":
    main(DEFINITION)

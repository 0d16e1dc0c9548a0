"""`python -m services.profiles serve|worker|migrate|all|topics|import`."""

import sys

from services.profiles.bootstrap import DEFINITION
from services.profiles.importing.cli import main as import_main
from shared.cli import main

if __name__ == "__main__":
    if sys.argv[1:2] == ["import"]:
        sys.exit(import_main(sys.argv[2:]))
    main(DEFINITION)

"""The development launcher: the whole stack on embedded defaults with one command."""

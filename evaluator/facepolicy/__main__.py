"""`python -m facepolicy`."""

from facepolicy.cli import main

main()

"""`python -m facepolicy`."""

from facepolicy.console import main

main()

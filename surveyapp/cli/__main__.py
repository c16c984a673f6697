"""`python -m surveyapp.cli`: the same as the `surveyapp` command."""

from . import main

main()

"""Results of a round: tidy answers, aggregates, revision comparison, Excel and CSV exports."""

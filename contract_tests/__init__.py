"""cesce-sandbox's contract-test kit."""

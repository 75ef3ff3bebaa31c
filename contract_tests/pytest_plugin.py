"""pytest fixtures of the contract-test kit (entry point ``cesce_kit``)."""

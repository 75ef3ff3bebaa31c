"""pytest fixtures and markers for testing a Cesce client against the emulator (entry point ``cesce``)."""

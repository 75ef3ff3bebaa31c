"""Example Cesce clients that pass `cesce-contract verify-client`."""

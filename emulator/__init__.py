"""cesce-sandbox: a local, stateful emulator of the Cesce API Market.

``create_app`` and ``Settings`` are loaded on first use, so that importing a submodule (the
pytest plugin, for one) does not import Flask.
"""

__all__ = ["Settings", "create_app"]


def __getattr__(name):
    if name == "create_app":
        from emulator.app import create_app

        return create_app
    if name == "Settings":
        from emulator.settings import Settings

        return Settings
    raise AttributeError(name)

"""The ceiling of benchmarks/peers.py: a bare Flask app answering a fixed JSON body, served by the
same server, threads and settings as `cesce-emulator serve`. Whatever the emulator costs above
this is the emulator's own.

    python benchmarks/ceiling.py PORT
"""

from __future__ import annotations

import sys

from flask import Flask

from emulator import serving
from emulator.settings import Settings

BODY = {"error": {"errorCode": "0", "errorDescription": ""}, "client": {"contractNo": "10100000001"}}


def app() -> Flask:
    bare = Flask("ceiling")
    bare.add_url_rule("/", "index", lambda: BODY)
    return bare


if __name__ == "__main__":
    serving.serve(app(), Settings.from_env(port=int(sys.argv[1])))

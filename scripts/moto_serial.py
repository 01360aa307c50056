"""moto's DynamoDB-compatible server, answering one request at a time.

`moto_server` serves requests on threads, and its TransactWriteItems then checks and writes
without a lock: two transactions can both pass their conditions. DynamoDB itself serializes
transactions on the same items. Served one request at a time, moto gives the same guarantee,
so the store's concurrency tests test the store, not moto.

usage: python moto_serial.py HOST PORT
"""

import sys

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()

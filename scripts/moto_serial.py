"""moto's DynamoDB-compatible server, answering one request at a time.

`moto_server` serves requests on threads, and its TransactWriteItems then checks and writes
without a lock: two transactions can both pass their conditions. DynamoDB itself serializes
transactions on the same items. Served one request at a time, moto gives the same guarantee,
so the store's concurrency tests test the store, not moto.

moto also backs up every table a transaction names with a deep copy of the whole table before
each TransactWriteItems, so loading N items costs N² and memory grows without bound (1,000
Organizations took 23 GB). Here a transaction backs up only the items it touches and puts them
back when it fails: the same all-or-nothing result, at the cost of the transaction's own size.

usage: python moto_serial.py HOST PORT
"""

import copy
import sys

from moto.dynamodb import models
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


class _NoTableCopies:
    """Stands in for the `copy` module inside moto's DynamoDB models: tables are not copied
    (their backup is then the table itself, and restoring it changes nothing); items still are."""

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def _touched(backend, transact_items):
    """(table name, key) of every item a transaction names, and its attributes now (or None)."""
    touched = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table_name = op.get("TableName")
        if table_name not in backend.tables:
            continue
        table = backend.tables[table_name]
        if "Item" in op:
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op.get("Key")
        if not key:
            continue
        try:
            current = backend.get_item(table_name, key)
        except Exception:  # an invalid key: moto's own checks report it
            continue
        before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
        touched.append((table_name, key, before))
    return touched


def _item_backups_only(original):
    def transact_write_items(self, transact_items):
        touched = _touched(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            for table_name, key, before in reversed(touched):
                if before is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, before)
            raise

    return transact_write_items


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    models.copy = _NoTableCopies
    backend = models.DynamoDBBackend
    backend.transact_write_items = _item_backups_only(backend.transact_write_items)
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()

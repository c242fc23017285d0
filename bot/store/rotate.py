"""`weiquan rotate-key`: re-encrypt every encrypted column under a new data key.

Every table's `*_enc` columns are found by reflection, so tables other modules add are covered
when they follow the naming rule. Rows are rewritten in small batches, each its own transaction,
with compare-and-set (`WHERE pk = … AND col = <old blob>`) so a turn committed meanwhile is never
overwritten with stale data. A rotation stopped half-way is safe: every blob names the key that
encrypted it (crypto.py), so with both keys configured every row still decrypts, and running
the command again finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Engine, LargeBinary, MetaData, Table, select, tuple_, update

from bot.errors import StoreError
from bot.store.crypto import Cipher
from bot.store.db import forget_erased_pages, is_sqlite, open_engine, upgrade

BATCH_ROWS = 200  # evidence copies can be large: bounded memory per batch
# Columns encrypted with associated data (AES-GCM AAD): (table, column) -> the column holding it.
ASSOCIATED_DATA = {("evidence_items", "blob_enc"): "sha256"}


@dataclass(slots=True)
class RotationReport:
    rewritten: int = 0  # values now under the target key
    raced: int = 0  # changed by a turn while we worked (that turn wrote them again)
    remaining: int = 0  # values still under another key after this run
    unreadable: int = 0  # no configured key opens them (or unknown associated data): untouched
    columns: list[str] = field(default_factory=list)  # "table.column", for the operator


def encrypted_columns(db: Engine) -> list[tuple[Table, list[Column[Any]]]]:
    metadata = MetaData()
    metadata.reflect(bind=db)
    found = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if c.name.endswith("_enc") and isinstance(c.type, LargeBinary)]
        if columns and table.primary_key.columns:
            found.append((table, columns))
    return found


def rotate(db: Engine, cipher: Cipher, max_rows: int | None = None) -> RotationReport:
    """Re-encrypt under `cipher`'s current key; `cipher` must also hold every older key."""
    report = RotationReport()
    budget = max_rows
    for table, columns in encrypted_columns(db):
        report.columns += [f"{table.name}.{c.name}" for c in columns]
        key = list(table.primary_key.columns)
        contexts = [table.c[ASSOCIATED_DATA.get((table.name, c.name), c.name)] for c in columns]
        last: tuple[Any, ...] | None = None
        while budget is None or budget > 0:
            with db.begin() as conn:
                query = select(*key, *columns, *contexts).order_by(*key).limit(BATCH_ROWS)
                if last is not None:
                    query = query.where(tuple_(*key) > tuple_(*last))
                rows = conn.execute(query).all()
                for row in rows:
                    where = [k == row[i] for i, k in enumerate(key)]
                    for j, column in enumerate(columns):
                        if budget is not None and budget <= 0:
                            break
                        blob = row[len(key) + j]
                        if blob is None or cipher.is_current(blob):
                            continue
                        aad = b""
                        if contexts[j] is not column:
                            aad = str(row[len(key) + len(columns) + j]).encode("utf-8")
                        try:
                            fresh = cipher.encrypt(cipher.decrypt(blob, aad), aad)
                        except StoreError:
                            report.unreadable += 1  # left as it is, and counted as remaining
                            continue
                        done = conn.execute(
                            update(table).where(*where, column == blob).values({column.name: fresh})
                        )
                        if done.rowcount == 1:
                            report.rewritten += 1
                            budget = None if budget is None else budget - 1
                        else:
                            report.raced += 1
            if len(rows) < BATCH_ROWS:
                break
            last = tuple(rows[-1][: len(key)])
    report.remaining = count_not_current(db, cipher)
    return report


def count_not_current(db: Engine, cipher: Cipher) -> int:
    remaining = 0
    with db.connect() as conn:
        for _table, columns in encrypted_columns(db):
            for column in columns:
                for (blob,) in conn.execute(select(column).where(column.is_not(None))):
                    remaining += not cipher.is_current(blob)
    return remaining


def rotate_database(url: str, target: str, accepted: list[str], max_rows: int | None) -> RotationReport:
    """Open `url` and rotate it to the key `target`; `accepted` are the keys the data may be under."""
    db = open_engine(url)
    try:
        if is_sqlite(db):
            upgrade(db)
        report = rotate(db, Cipher(target, [k for k in accepted if k != target]), max_rows)
        forget_erased_pages(db)  # no copy of the old ciphertexts stays in the WAL
        return report
    finally:
        db.dispose()

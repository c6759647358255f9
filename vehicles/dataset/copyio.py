"""COPY into PostgreSQL from a background thread, so the server ingests one chunk while Python builds the next."""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict

from psycopg import sql

from .rows import TABLES

_DONE = object()


class CopyWriter:
    """Sends COPY jobs over the session's own psycopg connection (same transaction) from one worker thread.

    The caller must not use the connection between start and close: the worker owns it meanwhile.
    """

    def __init__(self, pg_connection, depth: int = len(TABLES)):
        self.pg = pg_connection
        self.jobs: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.rows: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.thread = threading.Thread(target=self._work, name="dataset-copy", daemon=True)
        self.thread.start()

    def put(self, table: str, lines: list[str]) -> None:
        """Queue lines for a table; blocks while the queue is full, so at most about one chunk waits."""
        self._raise()
        self.jobs.put((table, lines))

    def close(self) -> None:
        """Wait for every queued job and re-raise the worker's error, if any."""
        self.jobs.put(_DONE)
        self.thread.join()
        self._raise()

    def abandon(self) -> None:
        """Skip the queued jobs and wait for the worker, so the caller may roll back on the connection."""
        if self.error is None:
            self.error = RuntimeError("COPY abandoned")
        self.jobs.put(_DONE)
        self.thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            if job is _DONE:
                return
            if self.error is not None:
                continue  # drain the queue after a failure so put() never blocks forever
            table, lines = job
            try:
                started = time.perf_counter()
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, TABLES[table]))
                )
                with self.pg.cursor() as cursor, cursor.copy(statement) as copy:
                    copy.write("".join(lines))
                self.seconds[table] += time.perf_counter() - started
                self.rows[table] += len(lines)
            except BaseException as error:  # handed to the main thread, which raises it
                self.error = error

"""gunicorn settings shared by `make run`, production and the benchmarks (command-line flags override them)."""

import multiprocessing
import os

# Requests are CPU-bound Python with short database waits: one process per core, a few threads each to overlap
# those waits. WEB_CONCURRENCY and WEB_THREADS override (the usual names on hosting platforms).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
graceful_timeout = 10
# Else every run shares ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True
# Request lines up to 8 KB (gunicorn's maximum; the default 4094 answered long filter URLs with a bare "URI Too
# Long"): the app itself refuses query strings over 2,000 characters with a clear page (QueryStringLimitMiddleware).
limit_request_line = 8190

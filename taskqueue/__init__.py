"""Scans and probes on a distributed task queue (Celery on RabbitMQ, or Redis for small installs).

``xunjian serve`` stays the clock (APScheduler). With ``scheduler.dispatch: queue`` it publishes scan and
probe tasks instead of running them; ``xunjian queue-worker`` processes, on any number of machines, consume
them. Each scan still runs in its own worker process (``python -m xunjian.worker``: Scrapy's reactor runs
once per process) and PostgreSQL is the shared store. The per-site lock kept in the database keeps two
scans of one site from running, whichever machines picked them up.

- :mod:`xunjian.taskqueue.app` builds the Celery application from the settings (long-task policy).
- :mod:`xunjian.taskqueue.tasks` holds the two tasks, ``scan_site`` and ``probe_site``.
- :mod:`xunjian.taskqueue.publish` enqueues them (CLI ``scan --queue`` and the scheduler), failing early
  and clearly when the broker is down.
- :mod:`xunjian.taskqueue.status` summarises queued, running and failed tasks per worker.
"""

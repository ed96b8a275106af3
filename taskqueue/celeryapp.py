"""The module-level Celery app of this process's settings (``XUNJIAN_CONFIG``, ``XUNJIAN_BROKER_URL``).

``xunjian queue-worker`` runs it; Celery's own tools reach it the same way, e.g.
``celery -A xunjian.taskqueue.celeryapp inspect active`` or ``celery -A xunjian.taskqueue.celeryapp flower``.
"""

from __future__ import annotations

from xunjian.config import load_settings
from xunjian.taskqueue.app import make_app

app = make_app(load_settings())

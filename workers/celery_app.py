"""The worker's entry module: ``celery -A workers.celery_app worker``.

Builds the Flask app (settings from the environment), takes its Celery
instance and imports the tasks. Forked worker processes drop the database
connections inherited from the parent.
"""

from __future__ import annotations

from celery.signals import worker_process_init

from service import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]

import workers.batches  # noqa: E402  (registers the batches.* tasks)
import workers.pdf_tasks  # noqa: E402  (registers the pdf.* tasks)
import workers.tasks  # noqa: E402,F401  (registers the tasks)


@worker_process_init.connect
def _dispose_inherited_connections(**_: object) -> None:
    database = flask_app.extensions.get("vanban.db")
    if database is not None:
        database.dispose()

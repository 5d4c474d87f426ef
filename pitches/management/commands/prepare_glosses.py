"""Build the matcher's Chinese gloss caches at set-up time, not at the server's first start.

The gloss table (derived from CC-CEDICT) and jieba's prefix dictionary are built once per
machine and package versions into the gloss cache directory (``SPEEDNET_GLOSS_CACHE_DIR``,
``pitches/glosses.py``): about seven CPU seconds. Run by ``make run`` and ``make venue``, and in
the deployment steps after ``migrate``; instant when they are there.

    .venv/bin/python manage.py prepare_glosses
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pitches import glosses


class Command(BaseCommand):
    help = "Build the Chinese gloss caches (gloss table, jieba's dictionary) if they are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        if glosses.prepare():
            self.stdout.write(f"Chinese glosses prepared in {glosses.cache_dir()}")
        elif options["verbosity"] > 1:
            self.stdout.write(f"Chinese glosses already prepared in {glosses.cache_dir()}")

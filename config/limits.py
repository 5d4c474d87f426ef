"""Sizes that both the server's front door (config.serving) and the apps need to agree on."""

from __future__ import annotations

# The largest attendee file an organizer can import, in bytes (a ticketing export of some
# 50,000 rows fits); the request around it may be 1 MiB larger (config.serving).
MAX_IMPORT_FILE_BYTES = 10 * 1024 * 1024

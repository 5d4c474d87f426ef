"""Settings for the bench's daphne processes: the app's own, with a private Redis prefix.

Redis pub/sub channels are not scoped by database number, so without its own prefix the bench
would hear (and disturb) the group messages of tests running against the same Redis;
``BENCH_REDIS_PREFIX`` gives it another (two benches running at once against one Redis).
``BENCH_LAYER=config-memory`` serves with ``config.layers.InMemoryChannelLayer`` instead of the
configured in-memory layer, to compare the two.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_LAYERS

BENCH_PREFIX = os.environ.get("BENCH_REDIS_PREFIX") or "speednet-bench"

if "CONFIG" in CHANNEL_LAYERS["default"]:
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = BENCH_PREFIX
elif os.environ.get("BENCH_LAYER") == "config-memory":
    CHANNEL_LAYERS["default"]["BACKEND"] = "config.layers.InMemoryChannelLayer"

"""The channel layer's own cost in a reconnect storm: N sockets' subscriptions and their end.

For each repeat, N sockets on one event loop at once each make their channel and join two
groups (the event's, and one of their own, as a phone does), one group message goes out, then
every socket leaves its groups and drops its channel. Prints the process's CPU seconds and the
wall time of each repeat: the layer's Python (coalescing, bounds, the receive loop's parsing of
Redis's confirmations) without daphne, the database or a load generator beside it, so the figure
hardly moves with the machine's load.

    .venv/bin/python bench/redis_layer.py [--sockets 5000] [--repeats 3]

Uses the configured layer (``config.redis_layer.RedisPubSubChannelLayer``) on Redis db 15 of
127.0.0.1 under its own prefix; run it from each tree's own root to compare two trees.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/redis_layer.py
    sys.path.insert(0, str(ROOT))


async def storm(sockets: int, repeats: int) -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    inner = layer._get_layer()  # the event loop's own layer: drops a channel as a closed socket
    for repeat in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()

        async def opened(i: int) -> str:
            channel = await layer.new_channel()
            await layer.group_add(f"bench.event.{i % 50}", channel)
            await layer.group_add(f"bench.attendee.{i}", channel)
            return channel

        channels = await asyncio.gather(*(opened(i) for i in range(sockets)))
        await layer.group_send("bench.event.1", {"type": "bench"})

        async def closed(i: int, channel: str) -> None:
            await layer.group_discard(f"bench.event.{i % 50}", channel)
            await layer.group_discard(f"bench.attendee.{i}", channel)
            del inner.channels[channel]  # what the socket's cancelled receive does
            await inner._get_shard(channel).unsubscribe(channel)

        await asyncio.gather(*(closed(i, channel) for i, channel in enumerate(channels)))
        print(
            f"repeat {repeat + 1}: {sockets} sockets, CPU {time.process_time() - cpu:.2f} s, "
            f"wall {time.perf_counter() - wall:.2f} s",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    os.environ["SPEEDNET_REDIS_PREFIX"] = f"bench-layer-{os.getpid()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    asyncio.run(storm(args.sockets, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

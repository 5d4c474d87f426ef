"""What a websocket frame out costs daphne's event loop, with frames sent at once or not.

Run by hand: ``.venv/bin/python bench/frames.py`` (options: ``--sockets``, ``--rounds``,
``--repeats``). On Twisted's asyncio reactor, as daphne runs, ``--sockets`` connected socket
pairs each get one card-sized frame (about 200 bytes, like a ``card_ack``) per reactor turn
through daphne's ``WebSocketProtocol.sendData``, for ``--rounds`` turns; the phones' ends are
read in the same turns. It prints the process's CPU microseconds per frame, alternating
Twisted's own way (``twisted``: buffered, sent on the reactor's next turn) and
``config.serving.written_at_once`` (``at once``), ``--repeats`` times each. CPU time, unlike a
latency, hardly moves with what else the machine runs.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FRAME = b"\x81\x7e\x00\xc0" + b"x" * 192


class Producer:
    """daphne's HTTP channel stays registered on an upgraded socket as a streaming producer."""

    def resumeProducing(self) -> None:
        pass

    def pauseProducing(self) -> None:
        pass

    def stopProducing(self) -> None:
        pass


def run(sockets: int, rounds: int, at_once: bool) -> float:
    """CPU µs per frame sent and read, ``rounds`` reactor turns of one frame per socket."""
    from autobahn.websocket.protocol import TrafficStats
    from daphne.ws_protocol import WebSocketProtocol
    from twisted.internet import reactor
    from twisted.internet.tcp import Connection

    from config import serving

    patched = WebSocketProtocol.sendData
    original = WebSocketProtocol.speednet_send_data
    send = patched if at_once else original
    pairs, protocols = [], []
    for _ in range(sockets):
        ours, phone = socket.socketpair()
        ours.setblocking(False)
        phone.setblocking(False)
        transport = Connection(ours, None, reactor)
        transport.connected = 1
        transport.registerProducer(Producer(), True)
        protocol = WebSocketProtocol.__new__(WebSocketProtocol)
        protocol.transport, protocol.send_queue, protocol.triggered = transport, deque(), False
        protocol.state, protocol.trafficStats = WebSocketProtocol.STATE_OPEN, TrafficStats()
        protocol.logOctets = False
        pairs.append((ours, phone))
        protocols.append(protocol)
    left = [rounds]
    started = [0.0]
    spent = [0.0]

    def turn() -> None:
        if left[0] == rounds:
            started[0] = time.process_time()
        for protocol in protocols:
            send(protocol, FRAME)
        for _ours, phone in pairs:
            try:
                while phone.recv(65536):
                    pass
            except BlockingIOError:
                pass
        left[0] -= 1
        if left[0]:
            reactor.callLater(0, turn)
        else:
            spent[0] = time.process_time() - started[0]
            reactor.callLater(0, reactor.stop)

    assert serving.written_at_once  # the module the patch lives in
    reactor.callLater(0, turn)
    reactor.run(installSignalHandlers=False)
    for ours, phone in pairs:
        ours.close()
        phone.close()
    return spent[0] * 1e6 / (sockets * rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--one", choices=["twisted", "at once"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        from twisted.internet import asyncioreactor

        asyncioreactor.install()
        from config.serving import write_websocket_frames_at_once

        write_websocket_frames_at_once()
        print(run(args.sockets, args.rounds, args.one == "at once"))
        return 0
    import subprocess

    results: dict[str, list[float]] = {"twisted": [], "at once": []}
    for _ in range(args.repeats):
        for way in results:  # a process each: a reactor runs once per process
            command = [sys.executable, __file__, "--sockets", str(args.sockets)]
            command += ["--rounds", str(args.rounds), "--one", way]
            output = subprocess.run(command, capture_output=True, text=True, check=True)
            results[way].append(float(output.stdout.split()[-1]))
    print(f"{args.sockets} sockets × {args.rounds} turns, CPU µs per frame out (and read)")
    for way, values in results.items():
        shown = ", ".join(f"{v:.1f}" for v in values)
        print(f"{way:<8} median {statistics.median(values):6.1f}  ({shown})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How long one outbound call really takes against peers that misbehave, and what the
deadline machinery costs a healthy call. Figures, not a test:

    python -m bench.outbound_deadline

- a tarpit that drips its answer a byte every 0.5 s or 2 s, for deadlines of 1, 2, 5 s:
  services.outbound (the whole call bounded) and, for comparison, requests with
  timeout=(t, t) as ChatKeep called before (each read bounded; the tarpit is cut at 20 s);
- a name whose lookup takes 5 s, deadline 1 s;
- a healthy loopback receiver: median and p99 of 300 calls, services.outbound and requests.
"""
import json
import socket
import statistics
import time

import requests

from services import outbound
from tests.outbound_peers import Tarpit
from tests.webhook_receiver import Receiver


def _timed(call) -> tuple[float, str]:
    started = time.monotonic()
    try:
        call()
        outcome = "answered"
    except Exception as exc:  # noqa: BLE001 (any ending is a figure)
        outcome = type(exc).__name__
    return round(time.monotonic() - started, 3), outcome


def tarpit_figures() -> dict:
    figures = {}
    for interval_s in (0.5, 2.0):
        for deadline_s in (1, 2, 5):
            tarpit = Tarpit(interval_s=interval_s, for_s=20)
            try:
                figures[f"outbound.drip_{interval_s:g}s.deadline_{deadline_s}s"] = _timed(
                    lambda: outbound.post(tarpit.url + "/hook", b"{}", {}, deadline_s, True))
                if (interval_s, deadline_s) in ((0.5, 1), (2.0, 5)):
                    figures[f"requests_per_read.drip_{interval_s:g}s.timeout_{deadline_s}s"] = _timed(
                        lambda: requests.post(tarpit.url + "/hook", data=b"{}", timeout=(deadline_s, deadline_s),
                                              allow_redirects=False, stream=True).close())
            finally:
                tarpit.close()
    return figures


def slow_dns_figure() -> dict:
    real = socket.getaddrinfo

    def slow(host, *args, **kwargs):
        if host == "slow.bench":
            time.sleep(5)
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    socket.getaddrinfo = slow
    try:
        return {"outbound.dns_5s.deadline_1s": _timed(lambda: outbound.post("http://slow.bench/", b"{}", {}, 1, True))}
    finally:
        socket.getaddrinfo = real


def healthy_figures(calls: int = 300) -> dict:
    receiver = Receiver()
    session = requests.Session()
    try:
        figures = {}
        for name, call in (("outbound", lambda: outbound.post(receiver.url, b"{}", {}, 5, True)),
                           ("requests", lambda: session.post(receiver.url, data=b"{}", timeout=(5, 5)).close())):
            samples = []
            for _ in range(calls):
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            figures[f"{name}.healthy_loopback_ms"] = {"median": round(statistics.median(samples), 2),
                                                      "p99": round(samples[int(calls * 0.99) - 1], 2)}
        return figures
    finally:
        receiver.close()


if __name__ == "__main__":
    print(json.dumps({**tarpit_figures(), **slow_dns_figure(), **healthy_figures()}, indent=2))

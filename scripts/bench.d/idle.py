#!/usr/bin/env python3
"""A hostile client for `scripts/bench connections`: many connections that send nothing (idle)
or send their headers a byte a second (slow), from one or many source addresses on loopback,
reconnecting whenever the server closes one, for a number of seconds.

    idle.py PORT [--conns 20000] [--seconds 30] [--sources 1] [--slow] [--procs 2]

Prints one JSON line: the most connections held open at once, how many the server answered
503, how many it closed, and how long closed connections were held (median and largest).
"""
import argparse
import asyncio
import json
import multiprocessing
import resource
import socket
import statistics
import time


def source(k, sources):
    # 127.0.0.2 for one client; 127.0.1.1 … for many.
    if sources == 1:
        return "127.0.0.2"
    c = k % sources
    return f"127.0.{1 + c // 250}.{1 + c % 250}"


async def one(port, src, slow, deadline, st):
    loop = asyncio.get_running_loop()
    while time.monotonic() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind((src, 0))
            await loop.sock_connect(s, ("127.0.0.1", port))
        except OSError:
            s.close()
            st["connect_errors"] += 1
            await asyncio.sleep(0.2)
            continue
        opened = time.monotonic()
        st["open"] += 1
        st["peak"] = max(st["peak"], st["open"])
        try:
            if slow:
                await loop.sock_sendall(s, b"GET /api/v2/config HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                while time.monotonic() < deadline:
                    try:
                        await loop.sock_sendall(s, b"a")
                    except OSError:
                        break
                    try:
                        data = await asyncio.wait_for(loop.sock_recv(s, 4096), 1.0)
                        if data.startswith(b"HTTP/1.1 503"):
                            st["refused"] += 1
                        break
                    except asyncio.TimeoutError:
                        continue
            else:
                data = await asyncio.wait_for(loop.sock_recv(s, 4096),
                                              max(0.01, deadline - time.monotonic()))
                if data.startswith(b"HTTP/1.1 503"):
                    st["refused"] += 1
            if time.monotonic() < deadline:
                st["closed"] += 1
                st["held"].append(time.monotonic() - opened)
        except (asyncio.TimeoutError, OSError):
            pass
        finally:
            st["open"] -= 1
            s.close()
        # Back again a second later (an attacker keeps its connections up).
        await asyncio.sleep(1.0)


def worker(args):
    port, ks, sources, slow, seconds = args
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    st = {"open": 0, "peak": 0, "refused": 0, "closed": 0, "connect_errors": 0, "held": []}
    deadline = time.monotonic() + seconds

    async def main():
        await asyncio.gather(*(one(port, source(k, sources), slow, deadline, st) for k in ks))

    asyncio.run(main())
    return st


def run():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--conns", type=int, default=20000)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--sources", type=int, default=1)
    ap.add_argument("--slow", action="store_true")
    ap.add_argument("--procs", type=int, default=2)
    a = ap.parse_args()
    parts = [list(range(i, a.conns, a.procs)) for i in range(a.procs)]
    with multiprocessing.Pool(a.procs) as pool:
        res = pool.map(worker, [(a.port, ks, a.sources, a.slow, a.seconds) for ks in parts])
    held = [h for r in res for h in r["held"]]
    print(json.dumps({
        "connections": a.conns, "sources": a.sources, "slow": a.slow,
        "peak_open": sum(r["peak"] for r in res),
        "answered_503": sum(r["refused"] for r in res),
        "closed_by_server": sum(r["closed"] for r in res),
        "connect_errors": sum(r["connect_errors"] for r in res),
        "held_median_s": round(statistics.median(held), 2) if held else None,
        "held_max_s": round(max(held), 2) if held else None,
    }))


if __name__ == "__main__":
    run()

"""Locust users for bench/run.py: GET the pages of the plan file (BENCH_PLAN, JSON list of
{"label", "path", "cookie"}) in random order, waiting BENCH_THINK_TIME seconds between pages.
The runs of one page alone use no think time (closed loop: the measured throughput is what the
server sustains with every user's request always in flight); the mix uses --think-time, so its
latency is what users see at that load, not the queueing of a saturated server."""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, constant, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"], encoding="utf-8").read())  # noqa: SIM115


class PortalUser(FastHttpUser):
    wait_time = constant(float(os.environ.get("BENCH_THINK_TIME", "0")))

    @task
    def page(self):
        item = random.choice(PLAN)  # noqa: S311
        headers = {"Cookie": f"sessionid={item['cookie']}"} if item["cookie"] else {}
        with self.client.get(
            item["path"], headers=headers, name=item["label"], catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

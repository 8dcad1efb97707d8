"""The locust users of bench/execution_bench.py's load test: team leads editing the execution
plan table inline, their own rows and the rows their team shares, as the page does it (open
the cell's editor, which carries the row's version; post the new value with that version).

Run by `bench/execution_bench.py --only load`, which creates the people and rows (LOAD_USERS
lists them), starts gunicorn, runs `locust --headless` with this file and then checks the
database. Every request's time and status goes to TIMINGS_LOG, and every edit is appended to
EDIT_LOG with whether the server accepted it, so the bench can check that each accepted one is
in the row's history, none lost.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

VERSION = re.compile(r'name="version" value="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FIELDS = ("note", "deliverable", "resources")

_people = json.loads(os.environ.get("LOAD_USERS", "[]"))
_next_person = iter(_people)
_lock = threading.Lock()


def _log_edit(entry: dict[str, object]) -> None:
    with _lock, Path(os.environ["EDIT_LOG"]).open("a", encoding="utf-8") as log:
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")


# Every request's time and status, written out when locust quits: the bench computes its
# percentiles exactly over the requests it judges (locust's CSV has them per name only).
_timings: list[tuple[str, float, int]] = []


@events.request.add_listener
def _record(name: str, response_time: float, response: object = None, **_: object) -> None:
    _timings.append((name, response_time, getattr(response, "status_code", 0) or 0))


@events.quitting.add_listener
def _write_timings(**_: object) -> None:
    with Path(os.environ["TIMINGS_LOG"]).open("w", encoding="utf-8") as log:
        json.dump(_timings, log)


class TeamLead(HttpUser):
    # A team lead keeping the table up to date: a cell every one to three seconds.
    wait_time = between(1, 3)

    def on_start(self) -> None:
        with _lock:
            self.person = next(_next_person)
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text)
        self.client.post(
            "/accounts/login/",
            {
                "username": self.person["username"],
                "password": self.person["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="log in",
        )
        self.csrf = self.client.cookies.get("csrftoken", "")

    @task(2)
    def edit_own_row(self) -> None:
        self._edit(random.choice(self.person["own"]))

    @task(3)
    def edit_shared_row(self) -> None:
        self._edit(random.choice(self.person["shared"]))

    @task(1)
    def baseline(self) -> None:
        self.client.get("/healthz", name="baseline: /healthz")

    @task(1)
    def read_the_table(self) -> None:
        self.client.get("/execution/", name="/execution/ (the table)")

    def _edit(self, task_id: int) -> None:
        field = random.choice(FIELDS)
        editor = self.client.get(
            f"/execution/tasks/{task_id}/{field}/edit/",
            headers={"HX-Request": "true"},
            name="open a cell editor",
        )
        found = VERSION.search(editor.text)
        if found is None:
            return
        value = f"{self.person['username']} {uuid.uuid4().hex[:8]}"
        headers = {
            "HX-Request": "true",
            "X-CSRFToken": self.csrf,
            "Referer": f"{self.host}/execution/",
        }
        with self.client.post(
            f"/execution/tasks/{task_id}/{field}/",
            {"value": value, "version": found.group(1)},
            headers=headers,
            name="save a cell",
            catch_response=True,
        ) as saved:
            if saved.status_code >= 500:
                saved.failure(f"server error {saved.status_code}")
                return
            if saved.status_code != 200:
                saved.failure(f"status {saved.status_code}")
                return
            # Refused as made on a stale copy (someone saved the row first): shown, not lost.
            accepted = "HX-Retarget" not in saved.headers
            _log_edit({"task": task_id, "field": field, "value": value, "accepted": accepted})
            saved.success()

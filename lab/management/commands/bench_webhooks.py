"""Webhook delivery under a misbehaving receiver, on a throwaway database.

A receiver on loopback verifies every signature and de-duplicates by event id. Phase 1 (healthy):
events are emitted at a steady pace and the delay from the event's commit to its first arrival is
measured. Phase 2 (outage): the receiver refuses its first requests with 503 and, every n-th
request, answers only after the sender's timeout (so the sender retries an event the receiver has
in fact processed); the run waits until every delivery is settled after the receiver recovers.

Sending runs as in production, only in this process: events are emitted through the webhook
service inside transactions; after commit each delivery id goes to a pool of sender threads (the
Celery workers), and a beat thread queues whatever is due every ``--beat`` seconds (the beat job).
The retry schedule is shortened (base, factor and cap are options) so a day of backoff fits in
seconds; everything else is the code path the desk runs.
"""

from __future__ import annotations

import queue
import statistics
import threading
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, connections, transaction
from django.test import override_settings

from claims.choices import DeliveryStatus, Role, WebhookEventType
from claims.models import WebhookDelivery, WebhookEvent
from claims.services import webhooks as hooks
from lab.webhook_receiver import ReceiverLog, webhook_receiver


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Deliver webhooks to a loopback receiver that refuses, then recovers, and is slow at times; print a table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--healthy-events", type=int, default=200)
        parser.add_argument("--outage-events", type=int, default=300)
        parser.add_argument("--rate", type=float, default=40.0, help="events emitted per second")
        parser.add_argument("--refuse-first", type=int, default=600, help="requests refused before recovering")
        parser.add_argument("--slow-every", type=int, default=25, help="every n-th request answers after the timeout")
        parser.add_argument("--senders", type=int, default=4, help="sender threads (workers)")
        parser.add_argument("--beat", type=float, default=0.25, help="seconds between due-delivery sweeps")
        parser.add_argument("--timeout", type=float, default=1.0, help="sender timeout per attempt, seconds")
        parser.add_argument("--retry-base", type=float, default=0.25)
        parser.add_argument("--retry-factor", type=float, default=2.0)
        parser.add_argument("--retry-cap", type=float, default=3.0)
        parser.add_argument("--max-attempts", type=int, default=14)
        parser.add_argument("--settle-timeout", type=float, default=120.0, help="give up waiting after this long")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor == "sqlite":
            connection.settings_dict.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / "bench_webhooks.sqlite3")
        original_name = connection.settings_dict["NAME"]
        overrides = {
            "DEBUG": False,
            "WEBHOOK_ALLOWED_PRIVATE_HOSTS": ["127.0.0.1"],
            "WEBHOOK_TIMEOUT_SECONDS": options["timeout"],
            "WEBHOOK_RETRY_BASE_SECONDS": options["retry_base"],
            "WEBHOOK_RETRY_FACTOR": options["retry_factor"],
            "WEBHOOK_RETRY_MAX_DELAY_SECONDS": options["retry_cap"],
            "WEBHOOK_MAX_ATTEMPTS": options["max_attempts"],
        }
        with override_settings(**overrides):
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                self._run(options)
            finally:
                connections.close_all()
                connection.creation.destroy_test_db(original_name, verbosity=0)

    # --- The desk's side: senders and beat ------------------------------------------------------

    def _start_senders(self, options: dict[str, Any]) -> None:
        self.work: queue.Queue[int | None] = queue.Queue()
        self.errors: Counter[str] = Counter()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._sender, daemon=True) for _ in range(options["senders"])]
        self.threads.append(threading.Thread(target=self._beat, args=(options["beat"],), daemon=True))
        for thread in self.threads:
            thread.start()
        # Deliveries go to the senders after commit, as job_queue_after_commit sends them to Celery.
        self._original_queue = hooks.job_queue_after_commit

        def to_senders(task_name: str, *args: object, waiting: str) -> None:
            if task_name == "webhook_delivery_send_task":
                transaction.on_commit(lambda: self.work.put(int(args[0])))  # type: ignore[arg-type]

        hooks.job_queue_after_commit = to_senders

    def _stop_senders(self) -> None:
        hooks.job_queue_after_commit = self._original_queue
        self.stop.set()
        for _ in self.threads:
            self.work.put(None)
        for thread in self.threads:
            thread.join(timeout=10)

    def _sender(self) -> None:
        try:
            while True:
                delivery_id = self.work.get()
                if delivery_id is None:
                    return
                try:
                    hooks.webhook_delivery_send(delivery_id=delivery_id)
                except Exception as error:  # a worker survives a failed job, and so does this one
                    self.errors[type(error).__name__ + ": " + str(error)[:80]] += 1
        finally:
            connections.close_all()

    def _beat(self, interval: float) -> None:
        try:
            while not self.stop.wait(interval):
                try:
                    due = hooks.webhook_deliveries_due()
                except Exception as error:
                    self.errors[type(error).__name__ + ": " + str(error)[:80]] += 1
                    continue
                for delivery_id in due:
                    self.work.put(delivery_id)
        finally:
            connections.close_all()

    # --- The run ------------------------------------------------------------------------------------

    def _emit(self, count: int, rate: float, offset: int) -> None:
        types = list(WebhookEventType.values)
        started = time.monotonic()
        for n in range(count):
            with transaction.atomic():
                hooks.webhook_event_emit(
                    event_type=types[n % len(types)], data={"sequence": offset + n, "claim": {"id": offset + n}}
                )
            pause = started + (n + 1) / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    def _wait_settled(self, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists():
                break
            time.sleep(0.1)
        return time.monotonic() - started

    def _delays(self, log: ReceiverLog, events: list[WebhookEvent]) -> list[float]:
        return [
            (log.first_arrival[event.event_id] - event.created_at.timestamp()) * 1000
            for event in events
            if event.event_id in log.first_arrival
        ]

    def _run(self, options: dict[str, Any]) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        admin = get_user_model().objects.create_user(username="bench_admin")
        admin.groups.add(Group.objects.get(name=Role.ADMIN))
        log = ReceiverLog(secret=hooks.webhook_secret_new())
        wall = time.monotonic()
        rows: list[tuple[str, str]] = []
        with webhook_receiver(log) as url:
            hooks.webhook_endpoint_create(user=admin, url=url, events=WebhookEventType.values, secret=log.secret)
            self._start_senders(options)
            try:
                # Phase 1: healthy.
                self._emit(options["healthy_events"], options["rate"], offset=0)
                self._wait_settled(options["settle_timeout"])
                healthy_events = list(WebhookEvent.objects.all())
                healthy = self._delays(log, healthy_events)
                # Phase 2: the receiver refuses its next requests, then recovers; some answers are slow.
                with log.lock:
                    log.refuse_first = log.refused + options["refuse_first"]
                    log.slow_every = options["slow_every"]
                    log.slow_seconds = options["timeout"] * 1.5
                    requests_before = log.requests
                self._emit(options["outage_events"], options["rate"], offset=options["healthy_events"])
                settle = self._wait_settled(options["settle_timeout"])
            finally:
                self._stop_senders()
        outage_ids = {event.event_id for event in WebhookEvent.objects.all()} - {e.event_id for e in healthy_events}
        events = list(WebhookEvent.objects.all())
        deliveries = list(WebhookDelivery.objects.all())
        statuses = Counter(delivery.status for delivery in deliveries)
        attempts = [delivery.attempts for delivery in deliveries if delivery.event.event_id in outage_ids]
        emitted = {event.event_id for event in events}
        arrived = set(log.seen)
        duplicates = sum(count - 1 for count in log.seen.values())
        processed_ids = Counter(payload["data"]["sequence"] for payload in log.processed)
        outage_delays = self._delays(log, [event for event in events if event.event_id in outage_ids])

        rows += [
            (
                "events emitted",
                f"{len(events)} ({options['healthy_events']} healthy + {options['outage_events']} outage)",
            ),
            (
                "deliveries succeeded / failed / pending",
                " / ".join(
                    str(statuses[status])
                    for status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.PENDING)
                ),
            ),
            (
                "every event arrived (ids)",
                f"{len(arrived & emitted)}/{len(emitted)} {'yes' if emitted <= arrived else 'NO'}",
            ),
            ("receiver requests (outage phase)", str(log.requests - requests_before)),
            ("refused with 503", str(log.refused)),
            ("arrivals of an id seen before (duplicates)", str(duplicates)),
            (
                "processed once after de-duplication",
                f"{len(processed_ids)} (max per id: {max(processed_ids.values())})",
            ),
            ("bad signatures", str(log.bad_signatures)),
            ("attempts per outage delivery p50 / max", f"{statistics.median(attempts):.0f} / {max(attempts)}"),
            ("healthy delay p50 / p95 (ms)", f"{_percentile(healthy, 0.5):.1f} / {_percentile(healthy, 0.95):.1f}"),
            (
                "outage delay p50 / p95 (ms)",
                f"{_percentile(outage_delays, 0.5):.0f} / {_percentile(outage_delays, 0.95):.0f}",
            ),
            ("settled after emitting stopped (s)", f"{settle:.1f}"),
            ("errors in senders", "; ".join(f"{n}x {e}" for e, n in self.errors.items()) or "none"),
            ("wall time (s)", f"{time.monotonic() - wall:.1f}"),
        ]
        self.stdout.write(
            f"Database: {connection.vendor} (throwaway); senders {options['senders']}, beat {options['beat']} s, "
            f"timeout {options['timeout']} s, retries {options['retry_base']} s x{options['retry_factor']} "
            f"(cap {options['retry_cap']} s, {options['max_attempts']} attempts)"
        )
        width = max(len(name) for name, _ in rows)
        self.stdout.write(f"| {'measure'.ljust(width)} | value |")
        self.stdout.write(f"|{'-' * (width + 2)}|-------|")
        for name, value in rows:
            self.stdout.write(f"| {name.ljust(width)} | {value} |")

#!/usr/bin/env python3
"""Sends a site's own tracking events, unchanged, to a Kafka topic that Vitrine's learner reads through a field mapping.

Most sites already write their page views and clicks to Kafka, in their own shape: nested objects, their own field
names, one topic for every kind of event with a field saying which, keys that are a session or a user rather than
Vitrine's request id. The learner reads such a topic when its mapping is declared (vitrine.mapping.*, docs/api.md,
"Mapping a site's existing events"), so no new producer is needed: this script stands for the site's tracker. It
reads one JSON event per line and writes it as it is, keyed by the text at --key-pointer (a JSON pointer, e.g.
/session/id; no key when absent), on librdkafka's default settings (confluent-kafka), and prints how many events were
acknowledged.

    python3 site_events.py --bootstrap-servers localhost:9092 --topic site.events --key-pointer /session/id \\
        < events.jsonl

Needs Debian's python3-confluent-kafka (or confluent-kafka from PyPI).
"""
import argparse
import json
import sys

from confluent_kafka import Producer


def at_pointer(document, pointer):
    """The value at an RFC 6901 JSON pointer, or None when the document has none there.

    A few lines of its own so that the recipe needs nothing but confluent-kafka.
    """
    if pointer == "":
        return document
    node = document
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send a site's JSON events (one per line on stdin) to a topic, "
                                                 "unchanged, with librdkafka's default settings.")
    parser.add_argument("--bootstrap-servers", default="localhost:9092")
    parser.add_argument("--topic", required=True, help="the site's event topic")
    parser.add_argument("--key-pointer", default="",
                        help="JSON pointer of the record key in each event, e.g. /session/id (default: no key)")
    parser.add_argument("--raw", action="store_true",
                        help="send each line's bytes as they are, even when they are not JSON (to test dead letters)")
    args = parser.parse_args(argv)
    if args.key_pointer and not args.key_pointer.startswith("/"):
        parser.error(f"--key-pointer must be a JSON pointer starting with '/', got {args.key_pointer!r}")

    producer = Producer({"bootstrap.servers": args.bootstrap_servers})  # librdkafka's defaults otherwise
    acknowledged = 0
    failures = []

    def delivered(error, _message):
        nonlocal acknowledged
        if error is not None:
            failures.append(str(error))
        else:
            acknowledged += 1

    sent = 0
    for number, line in enumerate(sys.stdin, start=1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        key = None
        try:
            event = json.loads(line)
            if args.key_pointer:
                found = at_pointer(event, args.key_pointer)
                key = None if found is None else str(found).encode("utf-8")
        except ValueError as e:
            if not args.raw:
                print(f"site_events: line {number}: not JSON ({e}); --raw sends it anyway", file=sys.stderr)
                return 2
        producer.produce(args.topic, key=key, value=line.encode("utf-8"), on_delivery=delivered)
        sent += 1
        if sent % 1000 == 0:
            print(f"site_events: {sent} sent", file=sys.stderr)
        producer.poll(0)
    remaining = producer.flush(30)
    if failures or remaining:
        print(f"site_events: {len(failures)} failed, {remaining} unacknowledged: {failures[:3]}", file=sys.stderr)
        return 1
    print(f"sent {acknowledged} events to {args.topic}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Sends impressions and clicks to Vitrine from Python, with librdkafka (confluent-kafka) on its default settings.

By default each event is Vitrine's Avro record in the single-object encoding the services read without a schema
registry: the marker C3 01, the CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form (little endian), then
the binary datum. With --format json each is a JSON object instead, {"requestId", "candidateId", "timestamp"} (epoch
millis; the learner also reads ISO-8601) and a click's "value", which the learner reads from the same topics (schemas/src/main/json/). Events are keyed by request id; any partitioner will do (the learner moves events that are not on
their request id's partition), so the producer keeps librdkafka's default.

    python3 vitrine_events.py --bootstrap-servers localhost:9092 < events.jsonl

reads one JSON object per line, {"type": "impression" | "click", "requestId": ..., "candidateId": ...,
"timestamp": epoch millis (optional, now by default), "value": a number (optional, clicks only: what the click led
to, such as a booking's amount, which the learner combines with the click by its reward rule)}, and prints how many
of each were acknowledged.
Needs Debian's python3-confluent-kafka and python3-avro (or the same packages from PyPI).
"""
import argparse
import io
import json
import math
import os
import sys
import time
from datetime import datetime, timezone

import avro.io
import avro.schema
from confluent_kafka import Producer

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMAS = os.path.join(HERE, "..", "..", "schemas", "src", "main", "avro")

# Attributes the Parsing Canonical Form keeps, in its order (Avro specification, "Parsing Canonical Form").
_KEPT = ("name", "type", "fields", "symbols", "items", "values", "size")
_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def canonical_form(schema_json, namespace=""):
    """The specification's Parsing Canonical Form of a schema given as parsed JSON.

    Written here because the Avro Python library's own canonical_form keeps {"type": "string"} and other
    non-canonical forms, so its fingerprints differ from every other Avro implementation's.
    """
    if isinstance(schema_json, str):
        if schema_json in _PRIMITIVES or "." in schema_json or not namespace:
            return json.dumps(schema_json)
        return json.dumps(namespace + "." + schema_json)
    if isinstance(schema_json, list):
        return "[" + ",".join(canonical_form(s, namespace) for s in schema_json) + "]"
    kind = schema_json["type"]
    if kind in _PRIMITIVES or not isinstance(kind, str) or kind not in ("record", "error", "enum", "fixed",
                                                                         "array", "map"):
        return canonical_form(kind, namespace)  # {"type": "long", "logicalType": ...} and the like
    parts = []
    if "name" in schema_json:
        name = schema_json["name"]
        namespace = schema_json.get("namespace", namespace) if "." not in name else name.rsplit(".", 1)[0]
        full = name if "." in name or not namespace else namespace + "." + name
        parts.append('"name":' + json.dumps(full))
    parts.append('"type":' + json.dumps("record" if kind == "error" else kind))
    if "fields" in schema_json:
        fields = ['{"name":' + json.dumps(f["name"]) + ',"type":' + canonical_form(f["type"], namespace) + "}"
                  for f in schema_json["fields"]]
        parts.append('"fields":[' + ",".join(fields) + "]")
    if "symbols" in schema_json:
        parts.append('"symbols":' + json.dumps(schema_json["symbols"], separators=(",", ":")))
    if "items" in schema_json:
        parts.append('"items":' + canonical_form(schema_json["items"], namespace))
    if "values" in schema_json:
        parts.append('"values":' + canonical_form(schema_json["values"], namespace))
    if "size" in schema_json:
        parts.append('"size":' + str(int(schema_json["size"])))
    return "{" + ",".join(parts) + "}"


_EMPTY = 0xC15D213AA4D7A795
_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY & -(_fp & 1))
    _TABLE.append(_fp & 0xFFFFFFFFFFFFFFFF)


def fingerprint(canonical):
    """CRC-64-AVRO (Rabin) of a canonical form, as the specification defines it."""
    fp = _EMPTY
    for byte in canonical.encode("utf-8"):
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


class SingleObjectWriter:
    """Writes records of one schema in Avro's single-object encoding."""

    def __init__(self, schema_path):
        with open(schema_path, encoding="utf-8") as f:
            text = f.read()
        self._schema = avro.schema.parse(text)
        self._header = b"\xc3\x01" + fingerprint(canonical_form(json.loads(text))).to_bytes(8, "little")
        self._writer = avro.io.DatumWriter(self._schema)

    def encode(self, record):
        buffer = io.BytesIO()
        buffer.write(self._header)
        self._writer.write(record, avro.io.BinaryEncoder(buffer))
        return buffer.getvalue()


def click_value(event):
    """The event's optional value as a float, or None; refuses what the learner could not use."""
    value = event.get("value")
    if value is None:
        return None
    if event["type"] != "click":
        raise ValueError("only a click carries a value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"value must be a finite number, got {value!r}")
    return float(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send impressions and clicks (JSON lines on stdin) to Vitrine.")
    parser.add_argument("--bootstrap-servers", default="localhost:9092")
    parser.add_argument("--topic-prefix", default="vitrine.")
    parser.add_argument("--schemas", default=DEFAULT_SCHEMAS, help="directory of Vitrine's .avsc files")
    parser.add_argument("--format", choices=("avro", "json"), default="avro",
                        help="single-object Avro (default) or JSON values")
    args = parser.parse_args(argv)

    writers = {"impression": SingleObjectWriter(os.path.join(args.schemas, "Impression.avsc")),
               "click": SingleObjectWriter(os.path.join(args.schemas, "Click.avsc"))}
    topics = {"impression": args.topic_prefix + "impressions", "click": args.topic_prefix + "clicks"}
    producer = Producer({"bootstrap.servers": args.bootstrap_servers})  # librdkafka's defaults otherwise
    acknowledged = {"impression": 0, "click": 0}
    values = 0
    failures = []

    def delivered(kind):
        def callback(error, _message):
            if error is not None:
                failures.append(str(error))
            else:
                acknowledged[kind] += 1
        return callback

    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            kind = event["type"]
            millis = int(event.get("timestamp", time.time() * 1000))
            value_of_click = click_value(event)
            if args.format == "json":
                # The event as given, without its type; the learner names a missing or wrong field in a dead letter.
                record = {k: v for k, v in event.items() if k != "type"}
                record["timestamp"] = millis
                if value_of_click is not None:
                    record["value"] = value_of_click
                value = json.dumps(record).encode("utf-8")
            else:
                # The library writes timestamp-millis from a datetime; the broker timestamp stays the event's own.
                record = {"requestId": event["requestId"], "candidateId": event["candidateId"],
                          "timestamp": datetime.fromtimestamp(millis / 1000, tz=timezone.utc)}
                if kind == "click":
                    record["value"] = value_of_click  # Click version 2: null for a plain click
                value = writers[kind].encode(record)
        except (ValueError, KeyError, TypeError) as e:
            print(f"vitrine_events: line {number}: not an event ({e!r}); expected "
                  '{"type": "impression"|"click", "requestId": ..., "candidateId": ..., "timestamp": millis,'
                  ' "value": number (clicks only, optional)}',
                  file=sys.stderr)
            return 2
        producer.produce(topics[kind], key=record["requestId"].encode("utf-8"), value=value,
                         timestamp=millis, on_delivery=delivered(kind))
        values += value_of_click is not None
        producer.poll(0)
    remaining = producer.flush(30)
    if failures or remaining:
        print(f"vitrine_events: {len(failures)} failed, {remaining} unacknowledged: {failures[:3]}", file=sys.stderr)
        return 1
    with_values = f" ({values} with a value)" if values else ""
    print(f"sent {acknowledged['impression']} impressions and {acknowledged['click']} clicks{with_values}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Sends impressions and clicks to Vitrine as Avro in the Confluent wire format, through a schema registry.

Each value is what Confluent's serializers write: the byte 0, the schema's id in the registry (4 bytes, big endian),
then the binary datum. The schema is registered under the subject <topic>-value (Confluent's TopicNameStrategy) on
first use, by confluent-kafka's own registry client and serializer (confluent_kafka.avro, which runs on the Apache
Avro library; Debian has no fastavro for the newer confluent_kafka.schema_registry.avro). Vitrine reads these records
when its services are given the same registry (vitrine.schema-registry.url, Apicurio's API of it): the id in the
header names the writer's schema there. Events are keyed by request id; the producer keeps librdkafka's defaults.

    python3 vitrine_registry_events.py --registry-url http://registry:8080/apis/ccompat/v7 \\
        --bootstrap-servers localhost:9092 < events.jsonl

reads the same JSON lines as vitrine_events.py ({"type": "impression" | "click", "requestId", "candidateId",
"timestamp" (epoch millis, optional), "value" (clicks only, optional)}) and prints how many of each were
acknowledged. --click-schema writes clicks with another version of the click schema (schemas/versions/Click/).
Needs Debian's python3-confluent-kafka, python3-avro and python3-requests (or the same packages from PyPI).
"""
import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone

import requests
from confluent_kafka import Producer
from confluent_kafka.avro import CachedSchemaRegistryClient, ClientError, loads
from confluent_kafka.avro.serializer import SerializerError
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

from vitrine_events import DEFAULT_SCHEMAS, click_value


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Send impressions and clicks (JSON lines on stdin) to Vitrine in the Confluent wire format.")
    parser.add_argument("--registry-url", required=True,
                        help="Confluent-compatible API of the registry, e.g. http://registry:8080/apis/ccompat/v7")
    parser.add_argument("--bootstrap-servers", default="localhost:9092")
    parser.add_argument("--topic-prefix", default="vitrine.")
    parser.add_argument("--impression-schema", default=os.path.join(DEFAULT_SCHEMAS, "Impression.avsc"))
    parser.add_argument("--click-schema", default=os.path.join(DEFAULT_SCHEMAS, "Click.avsc"))
    args = parser.parse_args(argv)

    schemas = {}
    for kind, path in (("impression", args.impression_schema), ("click", args.click_schema)):
        with open(path, encoding="utf-8") as f:
            schemas[kind] = loads(f.read())
    click_has_value = any(field.name == "value" for field in schemas["click"].fields)
    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry_url}))
    topics = {"impression": args.topic_prefix + "impressions", "click": args.topic_prefix + "clicks"}
    producer = Producer({"bootstrap.servers": args.bootstrap_servers})  # librdkafka's defaults otherwise
    acknowledged = {"impression": 0, "click": 0}
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
            record = {"requestId": event["requestId"], "candidateId": event["candidateId"],
                      "timestamp": datetime.fromtimestamp(millis / 1000, tz=timezone.utc)}
            value_of_click = click_value(event)
            if value_of_click is not None and not click_has_value:
                raise ValueError(f"the click schema {args.click_schema} has no field 'value'")
            if kind == "click" and click_has_value:
                record["value"] = value_of_click
            schema = schemas[kind]
        except (ValueError, KeyError, TypeError) as e:
            print(f"vitrine_registry_events: line {number}: not an event ({e!r})", file=sys.stderr)
            return 2
        try:
            value = serializer.encode_record_with_schema(topics[kind], schema, record)
        except (ClientError, SerializerError, requests.RequestException) as e:
            # The registry refused the schema (an incompatible change) or could not be reached.
            print(f"vitrine_registry_events: line {number}: {e}", file=sys.stderr)
            return 1
        producer.produce(topics[kind], key=record["requestId"].encode("utf-8"), value=value,
                         timestamp=millis, on_delivery=delivered(kind))
        producer.poll(0)
    remaining = producer.flush(30)
    if failures or remaining:
        print(f"vitrine_registry_events: {len(failures)} failed, {remaining} unacknowledged: {failures[:3]}",
              file=sys.stderr)
        return 1
    print(f"sent {acknowledged['impression']} impressions and {acknowledged['click']} clicks")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The price of forwarding a decision to its request id's owner.

Starts two selectors (the packaged jar) on a running broker, waits until they agree on who owns request ids, then
sends decisions with fresh request ids at a modest fixed rate, alternately to each instance. An answer whose
X-Vitrine-Served-By names the instance that received it was decided there (local); one that names the other
instance was forwarded to the owner and relayed (forwarded). Both groups come from the same run, the same two
processes and the same moments, so their ratio holds on a shared machine even when absolute numbers do not.

Writes forwarding-latency.json and forwarding-latency.png (latency distribution of both groups) to --out and
prints a summary; exits 1 when a request failed or a group is empty.

Start a broker first, for example the project's local one:
    java -jar kafka-local/target/vitrine-kafka-local-*.jar --port 20400 --controller-port 20401 \\
        --data-dir /tmp/fwd-kafka --topic-prefix fwd. --fresh
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

SERVED_BY = "X-Vitrine-Served-By"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers, e.g. localhost:20400")
    parser.add_argument("--topic-prefix", default="fwd.", help="prefix of the topics the broker holds (default fwd.)")
    parser.add_argument("--selector-jar", default="services/selector/target/quarkus-app/quarkus-run.jar",
                        help="the packaged selector (default: %(default)s)")
    parser.add_argument("--ports", default="20402,20403", help="HTTP ports of the two selectors (default %(default)s)")
    parser.add_argument("--requests", type=int, default=2000, help="measured decisions (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=400, help="decisions sent first and not counted")
    parser.add_argument("--rate", type=float, default=50.0, help="decisions per second (default %(default)s)")
    parser.add_argument("--candidates", type=int, default=20, help="candidates per request (default %(default)s)")
    parser.add_argument("--out", default="target/forwarding-latency", help="report and logs (default %(default)s)")
    return parser.parse_args()


def start_selectors(args, ports):
    processes = []
    for n, port in enumerate(ports):
        log = open(os.path.join(args.out, f"selector-{n}.log"), "w")
        command = ["java", "-Xmx384m", f"-Dquarkus.http.port={port}",
                   f"-Dkafka-streams.state.dir={os.path.join(args.out, 'state', str(n))}",
                   f"-Dkafka.bootstrap.servers={args.bootstrap}", f"-Dvitrine.topics.prefix={args.topic_prefix}",
                   "-jar", args.selector_jar]
        processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
    return processes


def await_ready(ports, timeout=240):
    deadline = time.time() + timeout
    for port in ports:
        while True:
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/q/health/ready", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"selector on port {port} not ready within {timeout} s")
            time.sleep(1)
        print(f"selector on port {port} ready", flush=True)


def body(request_id, encoder, candidates, salt):
    def features(count, offset):
        return [((i + offset) % 7) / 7 for i in range(count)]
    return json.dumps({"requestId": request_id, "slot": "bench/hero",
                       "context": features(encoder["contextFeatures"], salt),
                       "candidates": [{"id": f"c{c}", "features": features(encoder["candidateFeatures"], c + salt)}
                                      for c in range(candidates)],
                       "k": 1}).encode()


def decide(connections, port, payload):
    connection = connections[port]
    start = time.perf_counter()
    try:
        connection.request("POST", "/v1/decisions", body=payload, headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        answer.read()
    except (OSError, http.client.HTTPException) as e:
        connections[port] = http.client.HTTPConnection("localhost", port, timeout=30)
        return time.perf_counter() - start, 0, str(e)
    return time.perf_counter() - start, answer.status, answer.getheader(SERVED_BY, "")


def await_agreement(connections, ports, encoder, candidates, timeout=120):
    """Until the two instances name the same owner for 8 request ids in a row (a rebalance may be under way)."""
    deadline = time.time() + timeout
    agreed = 0
    while agreed < 8:
        if time.time() > deadline:
            raise RuntimeError("the selectors never agreed on the owners of request ids")
        probe = f"probe-{time.time_ns()}"
        served = {decide(connections, port, body(probe, encoder, candidates, 0))[1:] for port in ports}
        agreed = agreed + 1 if len(served) == 1 and next(iter(served))[0] == 200 else 0
        if agreed == 0:
            time.sleep(0.5)


def percentiles(values):
    ordered = sorted(values)
    def at(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
    return {"count": len(ordered), "mean_ms": statistics.fmean(ordered) * 1000, "p50_ms": at(0.50),
            "p90_ms": at(0.90), "p99_ms": at(0.99), "max_ms": ordered[-1] * 1000}


def forwarded_counters(port):
    with urllib.request.urlopen(f"http://localhost:{port}/q/metrics", timeout=10) as answer:
        text = answer.read().decode()
    counts = {}
    for line in text.splitlines():
        if line.startswith("vitrine_decisions_forwarded_total{"):
            outcome = line.split('outcome="')[1].split('"')[0]
            counts[outcome] = float(line.rsplit(" ", 1)[1])
    return counts


def plot(groups, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for name, values in groups.items():
        ordered = sorted(v * 1000 for v in values)
        axis.plot(ordered, [(i + 1) / len(ordered) for i in range(len(ordered))], label=f"{name} (n={len(ordered)})")
    axis.set_xscale("log")
    axis.set_xlabel("latency at the client, ms (log scale)")
    axis.set_ylabel("share of requests at or below")
    axis.set_title("POST /v1/decisions: decided where it arrived vs forwarded to the owner")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main():
    args = arguments()
    os.makedirs(args.out, exist_ok=True)
    ports = [int(p) for p in args.ports.split(",")]
    processes = start_selectors(args, ports)
    try:
        await_ready(ports)
        connections = {port: http.client.HTTPConnection("localhost", port, timeout=30) for port in ports}
        with urllib.request.urlopen(f"http://localhost:{ports[0]}/v1/encoder", timeout=10) as answer:
            encoder = json.load(answer)
        await_agreement(connections, ports, encoder, args.candidates)
        print("the selectors agree on request ids' owners", flush=True)
        groups = {"local": [], "forwarded": []}
        failures = []
        run = time.time_ns()
        total = args.warmup + args.requests
        interval = 1.0 / args.rate
        start = time.perf_counter()
        for i in range(total):
            due = start + i * interval
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            port = ports[i % 2]
            latency, status, served_by = decide(connections, port, body(f"bench-{run}-{i}", encoder,
                                                                         args.candidates, i % 5))
            if status != 200:
                failures.append(f"request {i} on {port}: {status} {served_by}")
                continue
            if i >= args.warmup:
                groups["local" if served_by.endswith(f":{port}") else "forwarded"].append(latency)
            if (i + 1) % 500 == 0:
                print(f"{i + 1}/{total} sent ({len(failures)} failed)", flush=True)
        counters = {port: forwarded_counters(port) for port in ports}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    report = {"rate_per_s": args.rate, "candidates": args.candidates, "warmup": args.warmup,
              "groups": {name: percentiles(values) for name, values in groups.items() if values},
              "forwarded_counters": {str(port): counts for port, counts in counters.items()},
              "failures": failures}
    with open(os.path.join(args.out, "forwarding-latency.json"), "w") as out:
        json.dump(report, out, indent=2)
    if all(groups.values()):
        plot(groups, os.path.join(args.out, "forwarding-latency.png"))
    print(f"{'group':<10} {'n':>6} {'mean':>8} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}  (ms)")
    for name, stats in report["groups"].items():
        print(f"{name:<10} {stats['count']:>6} {stats['mean_ms']:>8.2f} {stats['p50_ms']:>8.2f} "
              f"{stats['p90_ms']:>8.2f} {stats['p99_ms']:>8.2f} {stats['max_ms']:>8.2f}")
    print(f"selectors' vitrine_decisions_forwarded_total: {report['forwarded_counters']}")
    print(f"failures: {len(failures)}; report in {args.out}")
    if failures or not all(groups.values()):
        for failure in failures[:10]:
            print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

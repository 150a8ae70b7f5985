#!/usr/bin/env bash
# Measures the trainer's memory and CPU at a given number of rewards: the figures behind its resource requests
# (docs/deploy.md, Resource requests). Run from anywhere; --help for the options.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rewards=200000
heap=384m
trainings=7
context=8
candidate=8
port=18410

usage() {
  cat <<EOF
Usage: deploy/sizing/trainer-footprint.sh [options]

Starts the local Kafka broker, writes rewards to vitrine.rewards, starts the packaged trainer with a fixed heap, waits
until it holds every reward, asks for trainings (POST /v1/trainer/train) and samples the trainer's RSS and CPU every
second. Prints peak RSS, live heap after the last collection, CPU while reading and training, and training times.

Needs the packaged broker and trainer:
  ./mvnw -B -ntp -pl kafka-local,services/trainer -am package -DskipTests

Options:
  --rewards N      rewards to write (default $rewards; the trainer keeps at most vitrine.trainer.capacity, 200000)
  --heap SIZE      the trainer's -Xmx (default $heap: half of the 768Mi limit of k8s/base/trainer.yaml)
  --trainings K    trainings to ask for once every reward is held (default $trainings)
  --context F      context features per reward (default $context)
  --candidate F    candidate features per reward (default $candidate)
  --port P         first of three loopback ports: broker, controller, trainer HTTP (default $port)
  -h, --help       show this help and exit
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rewards) rewards="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --trainings) trainings="$2"; shift 2 ;;
    --context) context="$2"; shift 2 ;;
    --candidate) candidate="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "trainer-footprint: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done

broker_jar="$(find "$root/kafka-local/target" -maxdepth 1 -name 'vitrine-kafka-local-*.jar' 2>/dev/null | head -1)"
broker_jar="${broker_jar:-$root/kafka-local/target/vitrine-kafka-local-<version>.jar}"
trainer_jar="$root/services/trainer/target/quarkus-app/quarkus-run.jar"
for jar in "$broker_jar" "$trainer_jar"; do
  [[ -f "$jar" ]] || { echo "trainer-footprint: $jar is missing: build it first (--help)" >&2; exit 1; }
done

work="$(mktemp -d)"
broker_pid=""
trainer_pid=""
stop() {
  [[ -z "$trainer_pid" ]] || kill "$trainer_pid" 2>/dev/null || true
  [[ -z "$broker_pid" ]] || kill "$broker_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
step() { echo "trainer-footprint: $*" >&2; }

step "starting the broker on localhost:$port"
java -jar "$broker_jar" --port "$port" --controller-port $((port + 1)) --data-dir "$work/kafka" --fresh \
  > "$work/broker.out" 2> "$work/broker.err" &
broker_pid=$!
for _ in $(seq 120); do
  grep -q '^vitrine-kafka ready' "$work/broker.out" 2>/dev/null && break
  kill -0 "$broker_pid" 2>/dev/null || { cat "$work/broker.err" >&2; exit 1; }
  sleep 1
done
grep -q '^vitrine-kafka ready' "$work/broker.out" || { echo "trainer-footprint: broker not ready in 120 s" >&2; exit 1; }

step "writing $rewards rewards ($context context and $candidate candidate features)"
java -cp "$root/kafka-local/target/lib/*" "$root/deploy/sizing/RewardWriter.java" "localhost:$port" "$rewards" \
  "$context" "$candidate" 2> "$work/writer.err" || { tail -5 "$work/writer.err" >&2; exit 1; }

step "starting the trainer (-Xmx$heap) on localhost:$((port + 2)), automatic training off"
http="http://localhost:$((port + 2))"
KAFKA_BOOTSTRAP_SERVERS="localhost:$port" QUARKUS_HTTP_PORT=$((port + 2)) VITRINE_TRAINER_EVERY_REWARDS=2000000000 \
  VITRINE_TRAINER_EVERY=1000d java "-Xmx$heap" -jar "$trainer_jar" > "$work/trainer.log" 2>&1 &
trainer_pid=$!
samples="$work/samples"
( while kill -0 "$trainer_pid" 2>/dev/null; do
    echo "$(date +%s.%N) $(awk '/VmRSS/{print $2}' "/proc/$trainer_pid/status") $(awk '{print $14 + $15}' "/proc/$trainer_pid/stat")"
    sleep 1
  done >> "$samples" 2>/dev/null ) &

expected=$(( rewards < 200000 ? rewards : 200000 ))
held=0
for _ in $(seq 300); do
  held=$(curl -sf "$http/v1/trainer" | grep -o '"rewardsBuffered":[0-9]*' | cut -d: -f2 || true)
  [[ "${held:-0}" -ge "$expected" ]] && break
  kill -0 "$trainer_pid" 2>/dev/null || { tail -20 "$work/trainer.log" >&2; exit 1; }
  sleep 1
done
[[ "${held:-0}" -ge "$expected" ]] || { echo "trainer-footprint: the trainer holds ${held:-0} of $expected rewards after 300 s" >&2; exit 1; }
idle_from=$(date +%s.%N)
step "the trainer holds $held rewards; 5 s idle, then $trainings trainings"
sleep 5
idle_to=$(date +%s.%N)

times=()
for i in $(seq "$trainings"); do
  answer=$(curl -sf -X POST "$http/v1/trainer/train") || { echo "trainer-footprint: training $i failed" >&2; exit 1; }
  took=$(grep -o '"took":[0-9.]*' <<< "$answer" | cut -d: -f2)
  times+=("$took")
  step "training $i of $trainings: ${took} s"
done
sleep 2
live=$(curl -sf "$http/q/metrics" | awk '/^jvm_gc_live_data_size_bytes/{printf "%.0f", $2 / 1048576}')

# CPU in cores between consecutive samples: while reading the rewards (up to idle_from), idle (the 5 s pause), and
# while training (after idle_to).
awk -v idle_from="$idle_from" -v idle_to="$idle_to" -v hz="$(getconf CLK_TCK)" -v live="$live" -v heap="$heap" \
    -v held="$held" -v times="${times[*]}" '
  NR > 1 {
    cores = ($3 - ticks) / hz / ($1 - at)
    if ($1 <= idle_from) { if (cores > reading) reading = cores }
    else if ($1 <= idle_to) { idle_ticks += $3 - ticks; idle_time += $1 - at }
    else if (cores > training) training = cores
  }
  { if ($2 > peak) peak = $2; at = $1; ticks = $3 }
  END {
    n = split(times, t, " "); min = t[1]; max = t[1]
    for (i = 2; i <= n; i++) { if (t[i] < min) min = t[i]; if (t[i] > max) max = t[i] }
    printf "trainer with -Xmx%s holding %d rewards:\n", heap, held
    printf "  peak RSS              %d MiB\n", peak / 1024
    if (live > 0) printf "  live heap after GC    %d MB\n", live
    else printf "  live heap after GC    not known (no collection of the old generation happened)\n"
    printf "  CPU reading rewards   up to %.2f cores (busiest second)\n", reading
    printf "  CPU idle              %.2f cores (mean of the pause)\n", (idle_time > 0 ? idle_ticks / hz / idle_time : 0)
    printf "  CPU training          up to %.2f cores (busiest second)\n", training
    printf "  training time         %.2f-%.2f s over %d trainings\n", min, max, n
  }' "$samples"

"""Writes Avro container files of Vitrine Decision and Reward records with booking values, for ./vitrine evaluate.

    /usr/bin/python3 docs/evaluation/booking_log.py .   # in the repository root; writes decisions.avro, rewards.avro

3,000 rounds of a uniform logging policy over candidates a, b, c; clicks with probability 0.2, 0.3, 0.5, of which
0.1, 0.2, 0.4 lead to a booking of 50 to 399; each reward is what the learner's weighted-sum rule makes of them
(click-weight 1, value-weight 0.01): 0, 1, or 1 + booking / 100. Needs Debian's python3-avro.
"""
import json
import random
import sys
import avro.schema
from avro.datafile import DataFileWriter
from avro.io import DatumWriter
from datetime import datetime, timezone, timedelta

root = sys.argv[1] + "/schemas/src/main/avro/"
def load(names):
    known = avro.schema.Names()
    out = None
    for n in names:
        out = avro.schema.make_avsc_object(json.load(open(root + n + ".avsc")), known)
    return out
decision_schema = load(["Candidate", "ChosenCandidate", "Decision"])
reward_schema = load(["Candidate", "Reward"])
rng = random.Random(7)
t0 = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
dw = DataFileWriter(open("decisions.avro", "wb"), DatumWriter(), decision_schema)
rw = DataFileWriter(open("rewards.avro", "wb"), DatumWriter(), reward_schema)
total = 0.0
n = 3000
for i in range(n):
    ctx = [rng.random(), rng.random()]
    cands = [{"id": c, "features": [float(j)]} for j, c in enumerate("abc")]
    a = rng.randrange(3)
    t = t0 + timedelta(seconds=i)
    rid = "r%d" % i
    z = [1.0, float(a)]
    dw.append({"requestId": rid, "slot": "hero", "scope": "hero@enc", "timestamp": t, "context": ctx,
               "candidates": cands, "k": 1,
               "chosen": [{"candidateId": "abc"[a], "rank": 0, "sampledScore": 0.1, "meanScore": 0.1,
                           "propensity": 1 / 3, "embedding": z, "scope": None}],
               "seed": i, "encoderVersion": "enc", "posteriorVersion": 0, "propensitySamples": 256})
    # Candidate c books more often and for more: reward = 1 + 0.01 * booking (weighted sum), 1 for a click.
    clicked = rng.random() < (0.2, 0.3, 0.5)[a]
    value = None
    if clicked and rng.random() < (0.1, 0.2, 0.4)[a]:
        value = float(rng.randrange(50, 400))
    reward = 0.0 if not clicked else 1.0 + (0.01 * value if value is not None else 0.0)
    total += reward
    rw.append({"requestId": rid, "candidateId": "abc"[a], "slot": "hero", "scope": "hero@enc",
               "encoderVersion": "enc", "reward": reward, "kind": "CLICK" if clicked else "NO_CLICK",
               "decisionTimestamp": t, "impressionTimestamp": t, "clickTimestamp": t if clicked else None,
               "propensity": 1 / 3, "embedding": z, "context": ctx, "candidateFeatures": [float(a)], "k": 1,
               "candidates": cands, "value": value})
dw.close(); rw.close()
print("rounds", n, "mean logged reward %.4f" % (total / n))

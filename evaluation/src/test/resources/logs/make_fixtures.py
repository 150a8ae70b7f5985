#!/usr/bin/python3
"""Writes the log fixtures of the evaluation tests with the tools people write logs with.

Run with Debian's Python (python3-pandas): /usr/bin/python3 make_fixtures.py, then node make_parquet.mjs
for the Parquet file (npm install apache-arrow@21 parquet-wasm@0.7 first). The same 240 rounds (12 items,
3 positions, uniform logging) are written in every layout, so that the tests can check each reader against
the others.
"""
import csv
import gzip
import json

import numpy as np
import pandas as pd

ROUNDS = 240
ITEMS = 12
rng = np.random.default_rng(20261206)

items = pd.DataFrame({
    "item_id": np.arange(ITEMS),
    "item_feature_0": np.round(rng.normal(0, 1, ITEMS), 6),
    "item_feature_1": [f"{h:032x}" for h in rng.integers(0, 2**62, ITEMS)],
})

item = rng.integers(0, ITEMS, ROUNDS)
position = rng.integers(1, 4, ROUNDS)
rounds = pd.DataFrame({
    "timestamp": pd.Timestamp("2019-11-24 00:00:00") + pd.to_timedelta(np.arange(ROUNDS) * 37, unit="s"),
    "item_id": item,
    "position": position,
    "click": (rng.random(ROUNDS) < 0.04 + 0.02 * (item % 3) + 0.03 * (position == 1)).astype(int),
    "propensity_score": np.full(ROUNDS, 1 / (ITEMS * 3)) * 3,
    # A hashed categorical feature, as in the public data sets.
    "user_feature_0": [f"{h:032x}" for h in rng.integers(0, 2**62, ROUNDS)],
    "user_feature_1": np.round(rng.normal(0, 1, ROUNDS), 4),
    # Small values that pandas writes with exponents (e.g. 3.2e-05).
    "user_feature_2": rng.random(ROUNDS) * 1e-4,
    # Text with commas and quotes, which CSV must quote.
    "segment": rng.choice(["new, first visit", "returning", 'said "hi"'], ROUNDS),
})
rounds.loc[5, "user_feature_1"] = np.nan  # an empty cell
rounds.to_csv("pandas-index.csv")  # pandas' default: an unnamed first column holds the index
rounds.to_csv("pandas-index.csv.gz", compression="gzip")
# As a spreadsheet expects it: byte order mark, CRLF, every value quoted.
rounds.to_csv("pandas-excel.csv", index=False, encoding="utf-8-sig", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
rounds.to_json("pandas-records.jsonl", orient="records", lines=True, date_format="iso")
rounds.to_json("pandas-records.jsonl.gz", orient="records", lines=True, date_format="iso", compression="gzip")
items.to_csv("item_context.csv")  # the public layout's item file, index column included

# The Decision Service / Personalizer log (DSJSON), one event per line as the service writes it: the cost of
# the chosen action (-1 for a click), its probability, the 0-based index of the chosen action in _multi, the
# 1-based action ids in ranked order (chosen first) with their probabilities, the shared context and the
# actions' features.
with open("decision-service.json", "w") as out:
    for t, row in rounds.iterrows():
        chosen = int(row.item_id)
        ranking = [chosen] + [a for a in range(ITEMS) if a != chosen]
        event = {
            "_label_cost": -float(row.click),
            "_label_probability": float(row.propensity_score),
            "_label_Action": chosen + 1,
            "_labelIndex": chosen,
            "o": [{"v": float(row.click), "EventId": f"event-{t:05d}", "ActionTaken": False}],
            "Timestamp": row.timestamp.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
            "Version": "1",
            "EventId": f"event-{t:05d}",
            "a": [a + 1 for a in ranking],
            "c": {
                "User": {"f0": row.user_feature_0,
                         "f1": None if pd.isna(row.user_feature_1) else float(row.user_feature_1),
                         "f2": float(row.user_feature_2)},
                "_multi": [{"_tag": f"item-{a}", "i": {"constant": 1, "id": f"item-{a}"},
                            "j": [{"f0": float(items.item_feature_0[a]), "f1": items.item_feature_1[a]}]}
                           for a in range(ITEMS)],
            },
            "p": [float(row.propensity_score)] * ITEMS,
            "VWState": {"m": "fixture/0"},
        }
        out.write(json.dumps(event, separators=(",", ":")) + "\n")

# Malformed logs, each with one fault the reader must name by line and column.
bad = rounds.head(12).copy()
bad.loc[7, "propensity_score"] = 0.0
bad.to_csv("bad-propensity.csv")  # line 9 (header, then rows 0..7), column propensity_score
bad = rounds.head(12).copy().astype({"item_id": object})
bad.loc[3, "item_id"] = "banner-7"
bad.to_csv("bad-action.csv")  # line 5, column item_id
with open("pandas-index.csv") as source:
    lines = source.read().splitlines(keepends=True)
with open("bad-extra-value.csv", "w") as out:  # a row with one value too many on line 4
    out.writelines(lines[:3] + [lines[3].rstrip("\n") + ",surplus\n"] + lines[4:10])
last = next(t for t in range(1, 40) if rounds.segment[t] == "returning")
with open("bad-quote.csv", "w") as out:  # the last line opens a quoted value and never closes it
    out.writelines(lines[:last + 1] + [lines[last + 1].replace(",returning", ',"returning', 1)])
with open("pandas-records.jsonl") as source:
    records = source.read().splitlines(keepends=True)
with open("bad-truncated.jsonl", "w") as out:  # line 3 cut off in the middle
    out.writelines(records[:2] + [records[2][:60] + "\n"] + records[3:6])
with open("decision-service.json") as source:
    events = source.read().splitlines(keepends=True)
with open("bad-decision-service.json", "w") as out:  # line 2 lacks its probability
    second = json.loads(events[1])
    del second["_label_probability"]
    out.writelines(events[:1] + [json.dumps(second, separators=(",", ":")) + "\n"] + events[2:4])

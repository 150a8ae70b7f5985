#!/usr/bin/python3
"""Writes a logged-bandit file in the public layout with pandas, for the evaluation benchmark.

/usr/bin/python3 make_log.py ROWS FILE: uniform logging over 80 items and 3 positions, a click rate about 0.5%,
four hashed user features and an affinity column, written by DataFrame.to_csv with its index column.
"""
import sys

import numpy as np
import pandas as pd

rows, path = int(sys.argv[1]), sys.argv[2]
items, positions = 80, 3
rng = np.random.default_rng(20261206)
item = rng.integers(0, items, rows)
position = rng.integers(1, positions + 1, rows)
hashes = np.array([f"{h:032x}" for h in rng.integers(0, 2**62, 50)])
user = rng.integers(0, 50, (rows, 4))
rate = 0.003 + 0.004 * (item % 5 == 0) + 0.002 * (position == 1) + 0.002 * (user[:, 0] % 2)
pd.DataFrame({
    "timestamp": pd.Timestamp("2019-11-24") + pd.to_timedelta(np.arange(rows) // 10, unit="s"),
    "item_id": item,
    "position": position,
    "click": (rng.random(rows) < rate).astype(int),
    "propensity_score": np.full(rows, 1 / items),
    **{f"user_feature_{j}": hashes[user[:, j]] for j in range(4)},
    "user-item_affinity_0": np.round(rng.random(rows), 4),
}).to_csv(path)

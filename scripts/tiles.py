#!/usr/bin/env python3
"""Lay out the tile-grid map of the 98 municipalities: each gets one square of a grid, as close
to its (density-equalised) position as the others allow, by an optimal assignment (SciPy's
linear_sum_assignment). Bornholm, far to the east, is placed beside Zealand's east coast.

    .venv/bin/python scripts/tiles.py     # writes crates/web/data/kommune_tiles.csv

Input: crates/web/data/kommune_positions.csv (approximate latitude and longitude).
"""
import math
import pathlib

import numpy as np
from scipy.optimize import linear_sum_assignment

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "crates/web/data"
COLS, ROWS = 15, 14


def main():
    rows = [l.split(";") for l in (DATA / "kommune_positions.csv").read_text().splitlines()
            if l and not l.startswith("#") and not l.startswith("kode")]
    codes = [r[0] for r in rows]
    lat = np.array([float(r[1]) for r in rows])
    lon = np.array([float(r[2]) for r in rows])
    # Bornholm beside the capital's east coast (an inset).
    b = codes.index("400")
    lon[b], lat[b] = 12.95, 55.25
    x = lon * math.cos(math.radians(56))
    y = -lat
    # Equalise density: half the position, half its rank (the capital's 30 municipalities
    # spread out, Jutland's large ones keep their shape).
    def eq(v):
        r = np.argsort(np.argsort(v)) / (len(v) - 1)
        lin = (v - v.min()) / (v.max() - v.min())
        return 0.55 * lin + 0.45 * r
    px, py = eq(x) * (COLS - 1), eq(y) * (ROWS - 1)
    cells = [(r, c) for r in range(ROWS) for c in range(COLS)]
    cost = np.array([[(px[i] - c) ** 2 + (py[i] - r) ** 2 for (r, c) in cells] for i in range(len(codes))])
    mi, ci = linear_sum_assignment(cost)
    out = ["# The tile-grid map: each municipality's row and column (scripts/tiles.py).", "kode;row;col"]
    for i, j in sorted(zip(mi, ci), key=lambda t: codes[t[0]]):
        r, c = cells[j]
        out.append(f"{codes[i]};{r};{c}")
    (DATA / "kommune_tiles.csv").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draw docs/images/scaling.svg from bench/data/results.md (written by run.sh).

Two panels on one picture: seconds and peak RSS against input size, one line
per cpuflame task, plus the typed-parse floor, so that linear growth (or not)
is visible at a glance. Plain SVG, no plotting library needed.

    python3 bench/chart.py [results.md] [out.svg]
"""
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "data" / "results.md"
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE.parent / "docs" / "images" / "scaling.svg"

TASKS = [
    ("parse-floor typed", "serde_json typed parse (floor)", "#999999", "6,4"),
    ("cpuflame --format folded", "cpuflame --format folded", "#d55e00", ""),
    ("cpuflame svg", "cpuflame SVG flame graph", "#0072b2", ""),
    ("cpuflame --chart svg", "cpuflame SVG flame chart", "#009e73", ""),
    ("cpuflame png (-o x.png)", "cpuflame PNG", "#cc79a7", ""),
]


def rows():
    for line in RESULTS.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 7 or not re.fullmatch(r"\d+mb", cells[0]):
            continue
        try:
            yield cells[0], float(cells[1]), cells[2], float(cells[3]), float(cells[5])
        except ValueError:
            continue  # n/a rows


def panel(x0, title, unit, series, ymax, w=420, h=260):
    """One panel: axes from (x0, 40) of size w x h; series: label -> [(mb, value)]."""
    out = [f'<text x="{x0 + w / 2}" y="24" text-anchor="middle" font-size="15">{title}</text>']
    left, top = x0 + 50, 40
    xmax = 250.0
    sx = lambda mb: left + mb / xmax * (w - 60)
    sy = lambda v: top + h - v / ymax * h
    out.append(f'<line x1="{left}" y1="{top + h}" x2="{left + w - 60}" y2="{top + h}" stroke="#333"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#333"/>')
    for mb in (0, 50, 100, 150, 200, 250):
        out.append(f'<text x="{sx(mb)}" y="{top + h + 16}" text-anchor="middle" font-size="11">{mb}</text>')
    for k in range(6):
        v = ymax * k / 5
        out.append(f'<text x="{left - 6}" y="{sy(v) + 4}" text-anchor="end" font-size="11">{v:g}</text>')
        out.append(f'<line x1="{left}" y1="{sy(v)}" x2="{left + w - 60}" y2="{sy(v)}" stroke="#ddd"/>')
    out.append(f'<text x="{left + (w - 60) / 2}" y="{top + h + 34}" text-anchor="middle" font-size="12">input size (MB)</text>')
    out.append(f'<text x="{x0 + 12}" y="{top + h / 2}" font-size="12" transform="rotate(-90 {x0 + 12} {top + h / 2})" text-anchor="middle">{unit}</text>')
    for task, label, colour, dash in TASKS:
        pts = sorted(series.get(task, []))
        if len(pts) < 2:
            continue
        path = " ".join(f"{sx(mb):.1f},{sy(v):.1f}" for mb, v in pts)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{extra}/>')
        for mb, v in pts:
            out.append(f'<circle cx="{sx(mb):.1f}" cy="{sy(v):.1f}" r="3" fill="{colour}"/>')
    return out


def main():
    secs, rss = {}, {}
    for name, mb, task, sec, rss_mb in rows():
        secs.setdefault(task, []).append((mb, sec))
        rss.setdefault(task, []).append((mb, rss_mb))
    if not secs:
        sys.exit(f"no rows in {RESULTS}")
    top_s = max(v for pts in secs.values() for _, v in pts)
    top_r = max(v for pts in rss.values() for _, v in pts)
    nice = lambda v: next(n for n in (0.5, 1, 2, 2.5, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000) if n >= v * 1.05)
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="900" height="380" font-family="DejaVu Sans, Verdana, sans-serif">',
             '<rect width="100%" height="100%" fill="white"/>']
    parts += panel(0, "Time (best of runs)", "seconds", secs, nice(top_s))
    parts += panel(450, "Peak memory (max RSS)", "MB", rss, nice(top_r))
    y = 345
    x = 20
    for task, label, colour, dash in TASKS:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        if x + 30 + 7 * len(label) > 890:
            x, y = 20, y + 18
        parts.append(f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{colour}" stroke-width="2"{extra}/>')
        parts.append(f'<text x="{x + 30}" y="{y + 4}" font-size="11">{label}</text>')
        x += 30 + 7 * len(label) + 20
    parts.append("</svg>")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(parts) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

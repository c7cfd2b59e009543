#!/usr/bin/env python3
"""Rebuild fuzz/seeds/<target>/ from samples/ and ../shared/corpus/.

Seeds are kept small (fast executions, a small repository): big files are
left out or cut (a cut trace event array is still a valid truncated trace).
Run from fuzz/: python3 scripts/make_seeds.py
"""
import gzip
import hashlib
import os
import shutil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = os.path.join(ROOT, "samples")
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
SEP = b"\0BASE\0"


def read(path, limit=None):
    if path.startswith("samples/"):
        full = os.path.join(SAMPLES, path[len("samples/"):])
    else:
        full = os.path.join(CORPUS, path)
    with open(full, "rb") as f:
        data = f.read()
    if full.endswith(".gz"):
        data = gzip.decompress(data)
    if limit is not None and len(data) > limit:
        data = data[:limit]
        # End a cut event array after a complete event, like a truncated trace.
        cut = data.rfind(b"},")
        if cut > 0:
            data = data[: cut + 1]
    return data


CDP = [
    "samples/workerd/workerd-1.20240223.1-pbkdf2.cpuprofile",
    "samples/workerd/workerd-1.20240223.1.cpuprofile",
    "samples/workerd/workerd-current.cpuprofile",
    "speedscope__Chrome_65_simple.cpuprofile",
    "samples/bun/CPU.20261122.021858.11250.0.001.cpuprofile",
    "v8-cpuprofile-rs__fixture.cpuprofile",
    "samples/chrome/page.cpuprofile",
    "samples/node-workers/CPU.20261122.021851.11164.0.001.cpuprofile",
    "samples/node-inspector/server.cpuprofile",
    "firefox__hello.cjs-20231120T211435.cpuprofile",
    "samples/node/app.cpuprofile",
]
LEGACY = [
    "speedscope__node_10.11.0_example.cpuprofile",
    "cpuprofilify__dtrace.resolved.cpuprofile",
    "cpuprofile2stackcollapse__test.cpuprofile",
]
SELF = [
    "samples/chrome/self-profiling.json",
    "samples/chrome/self-profiling-markers.json",
    "samples/chrome/worker-self-profiling.json",
    "samples/chrome/worker-self-profiling.probe.json",
]
# (file, cut): event arrays may be cut, objects may not.
TRACE = [
    ("speedscope__Chrome_141_no-arg-data.json", None),
    ("pushbased__full-nx-integratoin__MERGED-CPU--nx-run-many-t-build.profile.json", None),
    ("firefox__test.chrome-unchunked.json", None),
    ("firefox__chrome-trace-issue-5429.json.gz", 24000),
    ("samples/chrome/page-worker.truncated.json", 48000),
    ("speedscope__Chrome_69_simple.json", 24000),
    ("speedscope__source-maps_chrome-85-webpack.json", 32000),
    ("speedscope__Chrome_66_worker.json", 24000),
]


def put(target, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    cdp = [read(p) for p in CDP]
    legacy = [read(p) for p in LEGACY]
    selfp = [read(p) for p in SELF]
    trace = [read(p, cut) for p, cut in TRACE]
    for d in cdp:
        put("import_cdp", d)
    for d in legacy:
        put("import_legacy", d)
    for d in selfp:
        put("import_selfprofile", d)
    for d in trace:
        put("import_trace", d)
    small = [d for d in cdp + legacy + selfp + trace if len(d) <= 24000]
    opts = [b"\x00\x00\x00", b"\x00\x00\x80", b"\x04\x00\xc0", b"\x05\x20\x01", b"\xe6\x42\x16", b"\x97\x9b\x23", b"\x2c\x00\x08"]
    for i, d in enumerate(small):
        put("pipeline", opts[i % len(opts)] + d)
    pairs = [(cdp[0], cdp[1]), (cdp[1], cdp[2]), (cdp[3], legacy[0]), (selfp[0], selfp[1])]
    for i, (a, b) in enumerate(pairs):
        put("folded_diff", opts[i % len(opts)] + a + SEP + b)
    for i, d in enumerate([cdp[2], cdp[4], legacy[0], selfp[0]]):
        put("folded_diff", opts[(i + 1) % len(opts)] + d)
    # `tree` reads structured data: any bytes will do.
    for i in range(4):
        put("tree", hashlib.sha256(bytes([i])).digest() * (i + 1))


if __name__ == "__main__":
    main()

"""What the side-by-side benchmark scripts share: their results and the numbers of their tables.

bench/compare-pytorch.sh and bench/compare-dtrn-pytorch.sh write one JSON report per side,
precision and run into a folder, as NNNN-IMPLEMENTATION-PRECISION.json, where NNNN numbers
the runs (one per round of a configuration, every side and precision in it), and print their
table from these.
"""
import glob
import json
import os
import statistics


def load_results(folder, json_out=""):
    """Every report in `folder` in the order of the runs, each with its run number as `run`
    and `precision` fp32 when it names none; all of them written to `json_out` when given."""
    results = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        result = json.load(open(path))
        result["run"] = int(os.path.basename(path).split("-")[0])
        result.setdefault("precision", "fp32")
        results.append(result)
    if json_out:
        json.dump(results, open(json_out, "w"), indent=2, sort_keys=True)
    return results


def rows_by_run(results, key):
    """key(result) → the rows' runs in order, each {(implementation, precision): result}."""
    rows = {}
    for r in results:
        rows.setdefault(key(r), {}).setdefault(r["run"], {})[(r["implementation"], r["precision"])] = r
    return {row: [runs[k] for k in sorted(runs)] for row, runs in rows.items()}


def precisions_of(results):
    """The precisions measured, fp32 first."""
    return [p for p in ("fp32", "bf16") if any(r["precision"] == p for r in results)]


def rate(result):
    """A report's training or scoring rate: the median samples/s of its runs."""
    return result["samplesPerSecond"]["median"]


def spread(ratios):
    """The median of per-round ratios, with their range when there are several rounds."""
    text = f"{statistics.median(ratios):.2f}"
    return text + (f" ({min(ratios):.2f}–{max(ratios):.2f})" if len(ratios) > 1 else "")


def ratio_width(rows):
    """The width of a ratio column: a range needs room when some row has several rounds."""
    return 8 if max(len(runs) for runs in rows.values()) == 1 else 20


def load_line(before, after):
    """The closing line: the load averages that tell whether the machine was quiet."""
    return f"load average (1, 5, 15 min) before: {before}, after: {after}"

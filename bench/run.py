"""fasttape's benchmark suite: the workloads W1-W9 of the performance issue, W11
(the fused Adam step) and W12 (Dataset.batch) of the training-surface issue.

Runs each workload in float32 with fasttape, numpy (hand-written forward and
backward: the no-autodiff floor) and PyTorch (when installed), each library
in a fresh process of its own (bench/workloads.py), warmed up, median of
repeats, and prints a table of times, of the ratios fasttape / PyTorch and
fasttape / numpy, and of each target beside whether it is met. Every
workload first checks each library's gradient against a float64 numpy
reference: a fasttape row whose check fails is marked FAILED and cannot meet
its target.

    python bench/run.py                 # full run: 3 alternating rounds (several minutes)
    python bench/run.py --quick         # one round, fewer repeats: under two minutes
    python bench/run.py --only W1,W5    # a selection
    python bench/run.py --json out.json --plot ratios.png
"""
import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import workloads  # noqa: E402  (the workload table only: imports no library)

TARGET_TEXT = {"torch": "ft/torch <= %g", "numpy": "ft/numpy <= %g", "numpy+ms": "ft <= numpy + %g ms",
               "saved": "peak <= %g x saved"}


def run_child(lib, wl, quick, timeout):
    cmd = [sys.executable, os.path.join(HERE, "workloads.py"), "--lib", lib, "--workload", wl.name]
    if quick:
        cmd.append("--quick")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"lib": lib, "workload": wl.name, "error": "timed out after %d s" % timeout}
    lines = p.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"lib": lib, "workload": wl.name, "error": "exit %d: %s" % (p.returncode, tail)}


def merge_rounds(runs):
    """One result from a library's runs of a workload in several rounds: each
    metric is the median of the rounds' medians; the check is the worst."""
    ok = [r for r in runs if "metrics" in r and "error" not in r and "unavailable" not in r]
    if len(ok) < len(runs) or len(runs) == 1:
        bad = [r for r in runs if r not in ok]
        return bad[0] if bad else runs[0]
    merged = dict(ok[0])
    merged["metrics"] = {}
    for label, m in ok[0]["metrics"].items():
        values = [r["metrics"][label]["value"] for r in ok]
        merged["metrics"][label] = dict(m, value=statistics.median(values), rounds=values)
    checks = [r["check"] for r in ok if r.get("check")]
    if checks:
        merged["check"] = {"ok": all(c["ok"] for c in checks), "rel_err": max(c["rel_err"] for c in checks),
                           "rtol": checks[0]["rtol"]}
    return merged


def metric(res, label):
    if res is None or "metrics" not in res or label not in res["metrics"]:
        return None
    return res["metrics"][label]["value"]


def judge(wl, label, ft, np_, th, res_ft):
    """(target text, measured text, met) for one metric row; met is True,
    False or None (unknown: a peer is missing)."""
    texts, measured, verdicts = [], [], []
    for kind, bound in wl.target.get(label, []):
        texts.append(TARGET_TEXT[kind] % bound)
        if kind == "torch":
            ratio = ft / th if ft is not None and th else None
            verdicts.append(None if ratio is None else ratio <= bound)
        elif kind == "numpy":
            ratio = ft / np_ if ft is not None and np_ else None
            verdicts.append(None if ratio is None else ratio <= bound)
        elif kind == "numpy+ms":
            extra = ft - np_ if ft is not None and np_ is not None else None
            measured.append("" if extra is None else "%+.1f ms" % extra)
            verdicts.append(None if extra is None else extra <= bound)
        elif kind == "saved":
            saved = res_ft["memory"]["saved_bytes"] if res_ft and "memory" in res_ft else None
            ratio = ft * 2 ** 20 / saved if ft is not None and saved else None
            measured.append("" if ratio is None else "%.2f x saved" % ratio)
            verdicts.append(None if ratio is None else ratio <= bound)
    if None in verdicts:
        met = None
    else:
        met = all(verdicts)
    return ", ".join(texts), " ".join(m for m in measured if m), met


def fmt(v):
    if v is None:
        return "-"
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    if abs(v) >= 1:
        return "%.2f" % v
    return "%.3g" % v


def build_rows(selected, results):
    rows = []
    for wl in selected:
        r = results[wl.name]
        ft_res = r.get("fasttape")
        ft_status = None
        if ft_res is None:
            ft_status = "not run"
        elif "unavailable" in ft_res:
            ft_status = "N/A: " + ft_res["unavailable"]
        elif "error" in ft_res:
            ft_status = "ERROR: " + ft_res["error"]
        elif ft_res.get("check") and not ft_res["check"]["ok"]:
            ft_status = "FAILED gradient check (rel err %.2g > %.2g)" % (ft_res["check"]["rel_err"],
                                                                          ft_res["check"]["rtol"])
        for _, label, _, _ in wl.metrics:
            ft, np_, th = (metric(r.get(lib), label) for lib in ("fasttape", "numpy", "torch"))
            target, measured, met = judge(wl, label, ft, np_, th, ft_res)
            if ft_status:
                met = False if ft_status.startswith("FAILED") or ft_status.startswith("ERROR") else None
            check = ft_res.get("check") if ft_res else None
            rows.append({
                "workload": wl.name, "metric": label, "fasttape": ft, "numpy": np_, "torch": th,
                "ft_torch": ft / th if ft is not None and th else None,
                "ft_numpy": ft / np_ if ft is not None and np_ else None,
                "target": target, "measured": measured, "met": met, "status": ft_status,
                "check": None if not check else check["rel_err"],
                "peer_errors": {lib: (r[lib].get("error") or r[lib].get("unavailable"))
                                for lib in ("numpy", "torch") if lib in r
                                and (r[lib].get("error") or r[lib].get("unavailable"))},
            })
    return rows


def print_table(rows, have_torch, out=sys.stdout):
    head = ("wl", "metric", "fasttape", "numpy", "torch", "ft/torch", "ft/numpy", "target", "met", "grad check")
    w = (4, 19, 9, 9, 9, 8, 8, 44, 6, 10)
    line = "  ".join("%-*s" % (wi, h) if i < 2 or i >= 7 else "%*s" % (wi, h) for i, (h, wi) in enumerate(zip(head, w)))
    print(line, file=out)
    print("-" * len(line), file=out)
    for row in rows:
        met = {True: "yes", False: "NO", None: "?"}[row["met"]]
        check = "-" if row["check"] is None else "ok %.0e" % row["check"]
        target = row["target"] + (" (%s)" % row["measured"] if row["measured"] else "")
        if row["status"]:  # N/A (API not there yet), ERROR (crashed) or FAILED (wrong gradient)
            kind = row["status"].split(":")[0].split()[0]
            met = "N/A" if kind == "N/A" else ("FAILED" if kind == "FAILED" else "NO")
            check = kind
        cells = (row["workload"], row["metric"], fmt(row["fasttape"]), fmt(row["numpy"]),
                 fmt(row["torch"]) if have_torch else "n/i", fmt(row["ft_torch"]), fmt(row["ft_numpy"]),
                 target, met, check)
        print("  ".join("%-*s" % (wi, c) if i < 2 or i >= 7 else "%*s" % (wi, c)
                        for i, (c, wi) in enumerate(zip(cells, w))), file=out)
    notes = []
    for row in rows:
        if row["status"] and row["status"] not in notes:
            notes.append("%s %s" % (row["workload"], row["status"]))
        for lib, err in row["peer_errors"].items():
            note = "%s %s: %s" % (row["workload"], lib, err)
            if note not in notes:
                notes.append(note)
    for n in notes:
        print("  note: " + n, file=out)


def summary(rows):
    met = sum(1 for r in rows if r["met"] is True)
    missed = [r for r in rows if r["met"] is False]
    unknown = [r for r in rows if r["met"] is None]
    text = "targets met: %d of %d" % (met, len(rows))
    if missed:
        text += "; missed: " + ", ".join("%s %s" % (r["workload"], r["metric"]) for r in missed)
    if unknown:
        text += "; not judged: " + ", ".join("%s %s" % (r["workload"], r["metric"]) for r in unknown)
    return text


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("--plot: matplotlib is not importable; skipping the plot (pip install matplotlib to get it)")
        return
    bars = []  # (label, ratio, bound)
    for row in rows:
        wl = workloads.WORKLOADS[row["workload"]]
        for kind, bound in wl.target.get(row["metric"], []):
            if kind == "torch":
                bars.append(("%s %s\n/ torch" % (row["workload"], row["metric"]), row["ft_torch"], bound))
            elif kind == "numpy":
                bars.append(("%s %s\n/ numpy" % (row["workload"], row["metric"]), row["ft_numpy"], bound))
            elif kind == "numpy+ms" and row["fasttape"] is not None and row["numpy"]:
                bars.append(("%s import\n/ (numpy + %g ms)" % (row["workload"], bound),
                             row["fasttape"] / (row["numpy"] + bound), 1.0))
            elif kind == "saved" and row["measured"]:
                bars.append(("%s peak RSS\n/ saved bytes" % row["workload"],
                             float(row["measured"].split()[0]), bound))
    bars = [b for b in bars if b[1] is not None]
    if not bars:
        print("--plot: nothing to plot")
        return
    fig, ax = plt.subplots(figsize=(max(8, 0.9 * len(bars)), 5))
    xs = range(len(bars))
    colors = ["tab:green" if r <= b else "tab:red" for _, r, b in bars]
    ax.bar(xs, [r for _, r, _ in bars], color=colors)
    ax.scatter(xs, [b for _, _, b in bars], marker="_", s=600, color="black", zorder=3, label="target")
    ax.set_yscale("log")
    ax.axhline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([l for l, _, _ in bars], fontsize=7, rotation=60, ha="right")
    ax.set_ylabel("fasttape ratio (lower is better, log scale)")
    ax.set_title("fasttape vs peers (green: target met)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print("plot written to %s" % path)


def machine_info():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def loadavg():
    try:
        return os.getloadavg()
    except OSError:
        return None


def run_suite(selected, quick, rounds, timeout):
    """Runs every (workload, library) pair in its own process, the libraries
    alternating round after round so that drift in the machine's load hits
    them alike; returns the saved form of the run."""
    have_torch = importlib.util.find_spec("torch") is not None
    libs = [lib for lib in workloads.LIBS if lib != "torch" or have_torch]
    info = machine_info()
    load0 = loadavg()
    t_start = time.perf_counter()
    runs = {}
    for wl in selected:
        runs[wl.name] = {lib: [] for lib in libs}
        for rnd in range(rounds):
            for lib in libs:
                t0 = time.perf_counter()
                res = run_child(lib, wl, quick, timeout)
                runs[wl.name][lib].append(res)
                print("  [%5.1fs] %-4s %-8s round %d: %s" % (time.perf_counter() - t0, wl.name, lib, rnd + 1,
                                                            res.get("error") or res.get("unavailable") or "ok"),
                      file=sys.stderr, flush=True)
    results = {w: {lib: merge_rounds(r) for lib, r in per_lib.items()} for w, per_lib in runs.items()}
    envs = {}
    for per_lib in results.values():
        for lib, res in per_lib.items():
            if "env" in res and lib not in envs:
                envs[lib] = res["env"]
    return {"machine": info, "quick": quick, "rounds": rounds, "have_torch": have_torch,
            "load_start": load0, "load_end": loadavg(), "elapsed_s": time.perf_counter() - t_start,
            "envs": envs, "runs": runs, "results": results,
            "rows": build_rows(selected, results)}


def report(saved, out=sys.stdout):
    info, envs, rows = saved["machine"], saved["envs"], saved["rows"]
    print("fasttape benchmark suite (issue 4), float32, %s run, %s" % ("quick" if saved["quick"] else "full",
                                                                     info["date_utc"]), file=out)
    print("machine: %s, %s cores, Python %s" % (info["cpu"], info["cores"], info["python"]), file=out)
    ft_env = envs.get("fasttape", {})
    if "torch" in envs:
        torch_text = "torch %s (%s threads)" % (envs["torch"]["torch"], envs["torch"]["threads"])
    elif not saved["have_torch"]:
        torch_text = "torch not installed: pip install torch==2.13.0 for the PyTorch column"
    else:
        torch_text = "torch ?"
    print("fasttape %s (%s, %s threads); numpy %s; %s" % (
        ft_env.get("fasttape", "?"), ft_env.get("isa", "?"), ft_env.get("threads", "?"),
        envs.get("numpy", {}).get("numpy", "?"), torch_text), file=out)
    if saved["load_start"] and saved["load_end"]:
        print("load average (1 min) at start %.2f, at end %.2f; each library in its own process, %d round(s), "
              "median of repeats" % (saved["load_start"][0], saved["load_end"][0], saved["rounds"]), file=out)
    print(file=out)
    print_table(rows, saved["have_torch"], out)
    print(file=out)
    print(summary(rows), file=out)
    print("(suite took %.0f s)" % saved["elapsed_s"], file=out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one round, fewer repeats (under two minutes)")
    ap.add_argument("--only", help="comma-separated workloads, e.g. W1,W5 (W6 means W6a and W6b)")
    ap.add_argument("--json", metavar="PATH", help="write the raw results as JSON")
    ap.add_argument("--plot", metavar="PNG", help="bar chart of the ratios (needs matplotlib)")
    ap.add_argument("--from-json", metavar="PATH", help="print (and plot) a run saved with --json; run nothing")
    ap.add_argument("--rounds", type=int, help="processes per library and workload, alternating "
                    "(default 3, quick 1); each metric is the median over rounds")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per (library, workload) process")
    args = ap.parse_args()

    if args.from_json:
        with open(args.from_json) as f:
            saved = json.load(f)
    else:
        selected = list(workloads.WORKLOADS.values())
        if args.only:
            want = {w.strip().upper() for w in args.only.split(",") if w.strip()}
            unknown = {w for w in want if not any(n.upper().startswith(w) for n in workloads.WORKLOADS)}
            if unknown:
                ap.error("unknown workload(s) %s; choose from %s" % (", ".join(sorted(unknown)),
                                                                     ", ".join(workloads.WORKLOADS)))
            selected = [wl for wl in selected if wl.name.upper() in want or wl.name.upper().rstrip("AB") in want]
        saved = run_suite(selected, args.quick, args.rounds or (1 if args.quick else 3), args.timeout)
    report(saved)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(saved, f, indent=1)
        print("raw results written to %s" % args.json)
    if args.plot:
        plot(saved["rows"], args.plot)


if __name__ == "__main__":
    main()

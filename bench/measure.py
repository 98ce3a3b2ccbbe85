#!/usr/bin/python3
# measure.py - benchmark helper for bench/run.sh.
#
#   measure.py run OUT.json LABEL FILES BYTES -- COMMAND...
#       runs COMMAND under GNU time and samples its process tree through /proc
#       every 50 ms; writes wall time, files/s, MB/s, GNU time's %M, the peak
#       of the summed RSS of the whole tree, and the peak RSS (VmHWM) per program
#       name (so cdr-file and its cdr-worker children are reported apart).
#   measure.py report DIR
#       prints the table and the ratios against the targets.
#
# Why both memory figures: GNU time's %M is the ru_maxrss that wait4() returns
# for the command, which Linux computes as the maximum over the process and the
# descendants it reaped, i.e. the single largest process, not their sum. Worker
# processes of cdr-file run side by side, so the summed tree RSS is also shown.
import json
import os
import subprocess
import sys
import time


def descendants(root):
    kids = {}
    for d in os.listdir("/proc"):
        # Descendants were started after the root (pids wrap only after 4M
        # processes); skipping older pids keeps a scan well under a millisecond.
        if not d.isdigit() or int(d) < root:
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def status(pid):
    vals = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Name", "VmRSS", "VmHWM"):
                    vals[k] = v.strip()
    except OSError:
        return None
    if "VmRSS" not in vals:
        return None
    return vals["Name"], int(vals["VmRSS"].split()[0]), int(vals["VmHWM"].split()[0])


def cmd_run(argv):
    out, label, files, nbytes = argv[0], argv[1], int(argv[2]), int(argv[3])
    assert argv[4] == "--"
    cmd = argv[5:]
    tfile = out + ".time"
    t0 = time.monotonic()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%e %M %U %S", "-o", tfile] + cmd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_sum = 0
    per_name = {}
    seen = set()
    while p.poll() is None:
        total = 0
        for pid in descendants(p.pid)[1:]:  # [0] is GNU time itself
            s = status(pid)
            if not s:
                continue
            name, rss, hwm = s
            total += rss
            seen.add((name, pid))
            per_name[name] = max(per_name.get(name, 0), hwm)
        peak_sum = max(peak_sum, total)
        time.sleep(0.05)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode("utf-8", "replace")
    with open(tfile) as f:
        parts = f.read().split()[-4:]
    res = {
        "label": label, "files": files, "bytes": nbytes, "wall": wall,
        "time_elapsed": float(parts[0]), "time_maxrss_kb": int(parts[1]),
        "user": float(parts[2]), "sys": float(parts[3]),
        "tree_peak_rss_kb": peak_sum, "peak_rss_by_name_kb": per_name,
        "processes_by_name": {n: sum(1 for m, _ in seen if m == n)
                              for n in sorted({m for m, _ in seen})},
        "exit": p.returncode, "stderr_tail": err[-2000:],
    }
    with open(out, "w") as f:
        json.dump(res, f, ensure_ascii=False, indent=1)
    os.unlink(tfile)
    print("  %-34s %6.2f s  %8.1f files/s" % (label, wall, files / wall), flush=True)


def load(d, name):
    path = os.path.join(d, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def cmd_report(argv):
    d = argv[0]
    order = ["tree-cdr", "subset-cdr", "subset-mat2", "subset-mat2-loop", "jpeg-cdr-j1", "jpeg-jpegtran-seq",
             "jpeg-cdr-jN", "jpeg-jpegtran-par", "png-cdr-jN"]
    rows = [r for r in (load(d, n) for n in order) if r]
    print()
    print("%-40s %5s %7s %6s %8s %6s %6s %7s  %s" % ("run", "files", "wall s", "cpu s",
                                                   "files/s", "MB/s", "%M MB", "tree MB",
                                                   "peak RSS by process (MB)"))
    for r in rows:
        per = ", ".join("%s %.0f" % (n, kb / 1024) for n, kb in
                        sorted(r["peak_rss_by_name_kb"].items(), key=lambda x: -x[1])
                        if n not in ("time", "sh", "xargs", "bwrap"))
        print("%-40s %5d %7.2f %6.2f %8.1f %6.1f %6.1f %7.1f  %s" % (
            r["label"], r["files"], r["wall"], r["user"] + r["sys"], r["files"] / r["wall"],
            r["bytes"] / 1e6 / r["wall"], r["time_maxrss_kb"] / 1024,
            r["tree_peak_rss_kb"] / 1024, per))
    print()
    t, sc, sm = load(d, "tree-cdr"), load(d, "subset-cdr"), load(d, "subset-mat2")
    if t and sm and sc:
        cm, cc = sm["user"] + sm["sys"], sc["user"] + sc["sys"]
        print("same subset, CPU seconds: mat2 / cdr-file: %.2f / %.2f s = %.0fx" %
              (cm, cc, cm / cc))
    if t and sm:
        cdr_rate = t["files"] / t["wall"]
        mat2_rate = sm["files"] / sm["wall"]
        print("cdr-file files/s (mixed tree, %d files) / mat2 files/s (random subset of %d "
              "files): %.1f / %.2f = %.0fx   (target >= 50x)" %
              (t["files"], sm["files"], cdr_rate, mat2_rate, cdr_rate / mat2_rate))
        if sc:
            print("  same subset through cdr-file: %.1f files/s = %.0fx mat2" %
                  (sc["files"] / sc["wall"], sc["files"] / sc["wall"] / mat2_rate))
        ml = load(d, "subset-mat2-loop")
        if ml:
            loop_rate = ml["files"] / ml["wall"]
            print("  mat2 run once per file (%d files): %.2f files/s; cdr-file tree rate is "
                  "%.0fx that" % (ml["files"], loop_rate, cdr_rate / loop_rate))
    j1, js = load(d, "jpeg-cdr-j1"), load(d, "jpeg-jpegtran-seq")
    jn, jp = load(d, "jpeg-cdr-jN"), load(d, "jpeg-jpegtran-par")
    if j1 and js:
        print("JPEG set, one at a time: cdr-file -j 1 time / jpegtran time: %.2f / %.2f s = "
              "%.2fx   (target <= 1.3x)" % (j1["wall"], js["wall"], j1["wall"] / js["wall"]))
        c1, cs = j1["user"] + j1["sys"], js["user"] + js["sys"]
        print("JPEG set, CPU seconds:   cdr-file -j 1 / jpegtran: %.2f / %.2f s = %.2fx "
              "(less sensitive to other load on the machine)" % (c1, cs, c1 / cs))
    if jn and jp:
        print("JPEG set, all cores:     cdr-file -j N time / jpegtran (xargs -P N) time: "
              "%.2f / %.2f s = %.2fx   (target <= 1.3x)" %
              (jn["wall"], jp["wall"], jn["wall"] / jp["wall"]))
    for r in rows:
        if r["exit"] not in (0, 1):
            print("note: %s exited %d: %s" % (r["label"], r["exit"],
                                               r["stderr_tail"].strip()[-300:]))
    print("(benchmarks report, they do not fail: no number above is asserted)")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "report"):
        sys.exit("usage: measure.py run OUT.json LABEL FILES BYTES -- CMD... | report DIR")
    (cmd_run if sys.argv[1] == "run" else cmd_report)(sys.argv[2:])

#!/usr/bin/env python3
"""Whole-process timings: supc against supervisor 4.3.0's own parser.

Generates configs of 100, 1,000, 5,000 and 20,000 programs with numprocs=10
and an include tree of 500 files, then times, in the same run and on the
same files: supervisor's parser (ServerOptions.realize, whole process),
`supc expand --format json --portable`, `supc check --portable` and
`supc render`. Prints the best of N runs and the ratio to supervisor for
each (supc, whose runs take milliseconds, runs more times: on a shared
machine a run is now and then slowed by other load, and the best of more
runs is a steadier estimate of what the work costs), the median of the
`expand` runs, and peak RSS of `supc expand`. With --corpus DIR, also the total
over every DIR/*/supervisord.conf.

    python3 scripts/bench.py [--python VENV_PYTHON] [--supc target/release/supc]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def program(i, logdir):
    """One program stanza of about 360 bytes, so that 5,000 of them make the
    1.8 MB config the performance issue describes: per-instance command, log
    files and environment, plus the usual static options."""
    return (
        "[program:p%d]\n"
        "command=/usr/bin/worker --id %d --shard %%(process_num)02d\n"
        "process_name=%%(program_name)s_%%(process_num)02d\n"
        "numprocs=10\n"
        "directory=/srv/app%d\n"
        "autorestart=unexpected\n"
        "startsecs=5\n"
        "stopwaitsecs=30\n"
        "stdout_logfile=%s/p%d_%%(process_num)02d.log\n"
        "stderr_logfile=%s/p%d_%%(process_num)02d.err\n"
        'environment=A="1",B="%%(process_num)s"\n' % (i, i, i, logdir, i, logdir, i)
    )


def flat_config(path, programs, logdir):
    with open(path, "w") as f:
        f.write("[supervisord]\nlogfile=%s/supervisord.log\n" % logdir)
        f.write("[unix_http_server]\nfile=%s/supervisor.sock\n" % logdir)
        for i in range(programs):
            f.write(program(i, logdir))


def include_tree(root, files, logdir):
    os.makedirs(os.path.join(root, "conf.d"), exist_ok=True)
    with open(os.path.join(root, "supervisord.conf"), "w") as f:
        f.write("[supervisord]\nlogfile=%s/supervisord.log\n" % logdir)
        f.write("[include]\nfiles=conf.d/*.conf\n")
    for i in range(files):
        with open(os.path.join(root, "conf.d", "p%03d.conf" % i), "w") as f:
            f.write(program(i, logdir))
    return os.path.join(root, "supervisord.conf")


def timings(cmd, runs, cwd=None):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return sorted(times)


def best(cmd, runs, cwd=None):
    return timings(cmd, runs, cwd)[0]


def peak_rss_kb(cmd):
    """Peak RSS (KiB) of one run of cmd alone.

    The kernel counts the pages a process had before it exec'd into its peak
    (ru_maxrss), so a child forked from this Python script would report
    Python's own ~5 MB on top. /usr/bin/time, a small program, adds little;
    without it the fork is used and the figure is an overestimate."""
    if os.path.exists("/usr/bin/time"):
        with tempfile.NamedTemporaryFile("r") as out:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            return int(out.read().split()[-1])
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execv(cmd[0], cmd)
        finally:
            os._exit(127)
    _, _, usage = os.wait4(pid, 0)
    return usage.ru_maxrss


def row(label, size_bytes, python, supc, conf, runs, supc_runs, supervisor_runs=None):
    sup = best([python, os.path.join(HERE, "bench", "supervisor_load.py"), conf], supervisor_runs or runs)
    exps = timings([supc, "expand", "--format", "json", "--portable", conf], supc_runs)
    exp, median = exps[0], exps[len(exps) // 2]
    chk = best([supc, "check", "--portable", conf], supc_runs)
    ren = best([supc, "render", "--portable", conf], supc_runs)
    rss = peak_rss_kb([supc, "expand", "--format", "json", "--portable", conf])
    budget = 20 + 10 * size_bytes / 1e6
    print(
        "%-22s %8.1f KB  supervisor %7.3fs | expand %6.3fs (%5.0fx; median %.3fs, %.0fx) | check %6.3fs (%5.0fx, %.2fx expand) | render %6.3fs (%5.0fx) | expand RSS %6.1f MB (budget %.1f MB)"
        % (label, size_bytes / 1024, sup, exp, sup / exp, median, sup / median, chk, sup / chk, chk / exp, ren, sup / ren,
           rss / 1024, budget)
    )
    sys.stdout.flush()
    return exp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(HERE)
    ap.add_argument("--python", default=os.environ.get("SUPC_ORACLE_PYTHON", os.path.join(root, ".venv-oracle/bin/python")))
    ap.add_argument("--supc", default=os.path.join(root, "target/release/supc"))
    ap.add_argument("--runs", type=int, default=3, help="runs of supervisor's parser")
    ap.add_argument("--supc-runs", type=int, default=10, help="runs of each supc command")
    ap.add_argument("--sizes", default="100,1000,5000,20000")
    ap.add_argument("--corpus", default=os.path.join(root, "../shared/corpus/cases"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="supc-bench-")
    expand_times = {}
    print("best of %d runs of supervisor and %d of supc; ratio = supervisor time / supc time"
          % (args.runs, args.supc_runs))
    for n in [int(s) for s in args.sizes.split(",")]:
        conf = os.path.join(tmp, "flat%d.conf" % n)
        flat_config(conf, n, tmp)
        # supervisor takes ~20 s at 20,000: one run of it there.
        sup_runs = 1 if n >= 20000 else args.runs
        expand_times[n] = row("%d programs x 10" % n, os.path.getsize(conf), args.python, args.supc, conf,
                              args.runs, args.supc_runs, sup_runs)
    conf = include_tree(os.path.join(tmp, "tree"), 500, tmp)
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(os.path.join(tmp, "tree")) for f in fs)
    row("include tree, 500 files", size, args.python, args.supc, conf, args.runs, args.supc_runs)
    if 5000 in expand_times and 20000 in expand_times:
        print("linearity: expand 20,000 / 5,000 = %.2f (input 4.0x)" % (expand_times[20000] / expand_times[5000]))
    if os.path.isdir(args.corpus):
        cases = sorted(os.path.join(args.corpus, d, "supervisord.conf") for d in os.listdir(args.corpus)
                       if os.path.exists(os.path.join(args.corpus, d, "supervisord.conf")))
        sup = exp = 0.0
        for c in cases:
            sup += best([args.python, os.path.join(HERE, "bench", "supervisor_load.py"), c], 1, cwd=os.path.dirname(c))
            exp += best([args.supc, "expand", "--format", "json", "--portable", c], 1, cwd=os.path.dirname(c))
        print("corpus, %d configs: supervisor %.2fs, supc expand %.2fs (%.0fx)" % (len(cases), sup, exp, sup / exp))


if __name__ == "__main__":
    main()

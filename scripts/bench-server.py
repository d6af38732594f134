#!/usr/bin/env python3
"""How long `supc server` takes to publish diagnostics after an edit.

Generates the configs of scripts/bench.py (1,000 and 5,000 programs, each
with numprocs=10), starts `supc server` over stdio with no debounce, opens
the config, then sends edits (a value changed on the last program, as a
user types) and times each edit from the moment it is sent to the moment
the diagnostics of that version arrive. Right after each edit it sends a
hover (the check of the edit is then running on the server's worker) and
times its answer. Prints a Markdown table ready for the README ("Editors").
Not a test: numbers depend on the machine.

    python3 scripts/bench-server.py [--supc target/release/supc] [--edits 15]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the same generated configs)


class Server:
    def __init__(self, supc, root):
        self.proc = subprocess.Popen(
            [os.path.abspath(supc), "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=root
        )
        self.next_id = 1
        self.pending = []  # messages read while waiting for another

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def recv(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            m = self.recv()
            if m.get("id") == rid and "method" not in m:
                return m
            self.pending.append(m)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri, version):
        while True:
            m = self.pending.pop(0) if self.pending else self.recv()
            p = m.get("params") or {}
            if (
                m.get("method") == "textDocument/publishDiagnostics"
                and p.get("uri") == uri
                and p.get("version") == version
            ):
                return p["diagnostics"]

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=30)


def measure(supc, programs, edits):
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "supervisord.conf")
        bench.flat_config(path, programs, root)
        text = open(path).read()
        uri = "file://" + path
        server = Server(supc, root)
        server.request(
            "initialize",
            {
                "processId": None,
                "rootUri": "file://" + root,
                "capabilities": {},
                "initializationOptions": {"debounceMs": 0, "portable": True},
            },
        )
        server.notify("initialized", {})
        start = time.perf_counter()
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "supervisord", "version": 1, "text": text}},
        )
        server.diagnostics(uri, 1)
        opened = time.perf_counter() - start
        line = text.count("\n") - 1  # the last line: the last program's environment
        times, hovers, hover_first = [], [], 0
        hover_at = {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 2}}
        for v in range(2, edits + 2):
            change = {
                "range": {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}},
                "text": 'environment=A="%d",B="%%(process_num)s"\n' % v,
            }
            start = time.perf_counter()
            server.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]},
            )
            server.request("textDocument/hover", hover_at)
            hovers.append(time.perf_counter() - start)
            hover_first += not any(is_diagnostics(m, uri, v) for m in server.pending)
            server.diagnostics(uri, v)
            times.append(time.perf_counter() - start)
        server.close()
        return len(text), opened, times, hovers, hover_first


def is_diagnostics(m, uri, version):
    p = m.get("params") or {}
    return (
        m.get("method") == "textDocument/publishDiagnostics"
        and p.get("uri") == uri
        and p.get("version") == version
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--supc", default=os.path.join(bench.HERE, "..", "target", "release", "supc"))
    ap.add_argument("--edits", type=int, default=15)
    ap.add_argument("--sizes", default="1000,5000")
    args = ap.parse_args()
    print(
        "`supc server` (%s, %d CPUs), %d edits per config, no debounce:\n"
        % (os.path.relpath(args.supc), os.cpu_count() or 0, args.edits)
    )
    print(
        "| programs (× numprocs 10) | size | open | edit → diagnostics, best | median "
        "| hover sent with the edit, median | max | hover answered first |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in [int(s) for s in args.sizes.split(",")]:
        size, opened, times, hovers, first = measure(args.supc, n, args.edits)
        print(
            "| %d | %.1f MB | %.0f ms | %.0f ms | %.0f ms | %.1f ms | %.1f ms | %d of %d |"
            % (
                n,
                size / 1e6,
                opened * 1e3,
                min(times) * 1e3,
                statistics.median(times) * 1e3,
                statistics.median(hovers) * 1e3,
                max(hovers) * 1e3,
                first,
                len(hovers),
            )
        )

if __name__ == "__main__":
    main()

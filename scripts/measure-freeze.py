#!/usr/bin/env python3
"""Measures how long the window freezes while opening and sending big messages.

Runs the real `arbor` under Xvfb with --report-stalls (a 1 ms GUI-thread timer; every gap longer
than the threshold is printed with the wall clock) and drives it with xdotool/xclip as a person
would: paste into the composer, type a few keys, press Enter; click a stored conversation in the
sidebar. For each action it prints the longest stall, the stalled time in total and when the last
stall ended (ms after the action). Needs xvfb, xdotool and xclip (scripts/deps.sh installs them).

  scripts/measure-freeze.py [--arbor build/default/bin/arbor] [--arbord ...] [--sizes 25,100,1000]
                            [--settle S] [--only open|send|stream]

"stream" has a small OpenAI-compatible server on 127.0.0.1 stream a Markdown reply of the size
(in about 4 s) and measures the window while it streams and when it completes.

Sizes are in KB of text (1000 = 1 MB); --kind picks the text (see --help). Text is generated, the same for every run: lines of prose
with Markdown-looking characters (2*3*4, # x), indented stack-trace lines and code.
"""
import argparse
import http.server
import json
import os
import threading
import re
import signal
import subprocess
import sys
import tempfile
import time

STALL = re.compile(r"arbor: stall (\d+) ms ended at (\d+)")
ALIVE = re.compile(r"arbor: alive at (\d+)")


def make_text(size, kind="mixed"):
    if kind == "log":
        # A pasted log or stack trace: no blank line, so Markdown made it one paragraph.
        lines, n, i = [], 0, 0
        while n < size:
            line = f"at com.example.module{i % 13}.Worker.run(Worker.java:{100 + i % 900}) 2*3*4 # x"
            lines.append(line)
            n += len(line) + 1
            i += 1
        return "\n".join(lines)[:size]
    if kind == "line":
        # One line with no break at all (minified JSON, a base64 blob).
        return ("{\"key\": \"value *with* stars\", \"n\": 12345}, " * (size // 40 + 1))[:size]
    lines = []
    n = 0
    i = 0
    while n < size:
        k = i % 7
        if k == 0:
            line = f"Paragraph {i}: the product 2*3*4 is 24, and # x is not a heading here; <b>tags</b> stay."
        elif k in (1, 2):
            line = f"    at com.example.module{i % 13}.Worker.run(Worker.java:{100 + i % 900})"
        elif k == 3:
            line = f"def step_{i}(value):  # indented code with *stars* and _underscores_"
        elif k == 4:
            line = f"        return value * {i} + sum(range({i % 50}))"
        elif k == 5:
            line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore."
        else:
            line = ""
        lines.append(line)
        n += len(line) + 1
        i += 1
    return "\n".join(lines)[:size]


def now_ms():
    return int(time.time() * 1000)


class Window:
    def __init__(self, arbor, db, display, stall_ms):
        self.log = tempfile.NamedTemporaryFile(prefix="arbor-stalls.", suffix=".log", delete=False)
        # Its own settings folder: the window's remembered state (last model...) stays out of it.
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", ARBOR_DISCOVERY_PORTS="",
                   XDG_CONFIG_HOME=os.path.dirname(db))
        self.proc = subprocess.Popen([arbor, "--db", db, "--demo-rate", "200", "--report-stalls", str(stall_ms)],
                                     stderr=self.log, stdout=subprocess.DEVNULL, env=env)
        self.env = env
        self.wid = None
        for _ in range(100):
            time.sleep(0.2)
            r = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(self.proc.pid), "--name", "Arbor"],
                               capture_output=True, text=True, env=env)
            if r.stdout.strip():
                self.wid = r.stdout.split()[0]
                break
        if not self.wid:
            raise SystemExit("the window did not show up")
        subprocess.run(["xdotool", "windowsize", self.wid, "1280", "800"], env=env)
        time.sleep(3)  # start-up: QML load, first conversation list

    def xdo(self, *args):
        subprocess.run(["xdotool", *args], env=self.env, check=True)

    def stalls_since(self, t0):
        with open(self.log.name) as f:
            out = []
            for line in f:
                m = STALL.search(line)
                if m and int(m.group(2)) >= t0:
                    out.append((int(m.group(1)), int(m.group(2))))
            return out

    def last_alive(self):
        with open(self.log.name) as f:
            times = [int(m.group(1)) for m in map(ALIVE.search, f) if m]
        return max(times, default=0)

    def settle(self, t0, quiet_s, limit_s):
        """Waits until the GUI thread has run for quiet_s with no stall (a freeze prints its
        stall line only when it ends, so the heartbeat must be seen too), or limit_s passed;
        returns (longest stall, total, when the last one ended - t0)."""
        start = time.time()
        while True:
            time.sleep(0.25)
            stalls = self.stalls_since(t0)
            last_end = max((e for _, e in stalls), default=t0)
            alive = self.last_alive()
            if alive - max(last_end, t0) > quiet_s * 1000 or time.time() - start > limit_s:
                break
        stalls = self.stalls_since(t0)
        if not stalls:
            return 0, 0, 0
        return max(s for s, _ in stalls), sum(s for s, _ in stalls), max(e for _, e in stalls) - t0

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
        return -1

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.unlink(self.log.name)


def report(label, result):
    print(f"{label}: longest stall {result[0]} ms, stalled {result[1]} ms in total, last stall ended "
          f"{result[2]} ms after the action", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arbor", default="build/default/bin/arbor")
    ap.add_argument("--arbord", default="build/default/bin/arbord")
    ap.add_argument("--sizes", default="25,100,1000")
    ap.add_argument("--settle", type=float, default=4.0, help="quiet seconds that end a measurement")
    ap.add_argument("--limit", type=float, default=300.0, help="give up waiting after this many seconds")
    ap.add_argument("--stall-ms", type=int, default=20)
    ap.add_argument("--only", choices=["open", "send", "stream"])
    ap.add_argument("--kind", choices=["mixed", "log", "line"], default="mixed",
                    help="mixed: prose, code and a blank line every 7 lines; log: no blank line; line: one line")
    args = ap.parse_args()

    xvfb = subprocess.Popen(["Xvfb", ":97", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)
    display = ":97"
    time.sleep(1)
    try:
        for kb in [int(s) for s in args.sizes.split(",")]:
            text = make_text(kb * 1000, args.kind)
            with tempfile.TemporaryDirectory(prefix="arbor-freeze.") as tmp:
                src = os.path.join(tmp, "text.txt")
                with open(src, "w") as f:
                    f.write(text)
                if args.only in (None, "send"):
                    measure_send(args, display, tmp, src, kb)
                if args.only in (None, "open"):
                    measure_open(args, display, tmp, src, kb)
                if args.only in (None, "stream"):
                    measure_stream(args, display, tmp, kb)
    finally:
        xvfb.terminate()


def measure_send(args, display, tmp, src, kb):
    db = os.path.join(tmp, "send.db")
    w = Window(args.arbor, db, display, args.stall_ms)
    clip = None
    try:
        # -quiet: xclip stays in the foreground serving the clipboard, so it can be ended by its id.
        clip = subprocess.Popen(["xclip", "-quiet", "-selection", "clipboard", "-i", src], env=w.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        w.xdo("windowfocus", "--sync", w.wid)
        # The composer has the keyboard at start; the paste goes there.
        t0 = now_ms()
        w.xdo("key", "ctrl+v")
        report(f"{kb} KB paste", w.settle(t0, args.settle, args.limit))
        print(f"{kb} KB memory after the paste: {w.rss_mb()} MB resident", flush=True)
        keys = []
        for ch in "abcde":
            t1 = now_ms()
            w.xdo("key", ch)
            keys.append(w.settle(t1, 1.0, args.limit))
        print(f"{kb} KB per keystroke after the paste: longest stalls "
              f"{[k[0] for k in keys]} ms, last stall ended {[k[2] for k in keys]} ms after the key", flush=True)
        t0 = now_ms()
        w.xdo("key", "Return")
        report(f"{kb} KB send (Enter until the reply is in)", w.settle(t0, args.settle, args.limit))
        print(f"{kb} KB memory after the send: {w.rss_mb()} MB resident", flush=True)
    finally:
        w.close()
        if clip:
            clip.terminate()


def measure_open(args, display, tmp, src, kb):
    db = os.path.join(tmp, "open.db")
    with open(src) as f:
        subprocess.run([args.arbord, "chat", "--db", db, "--rate", "0", "-"], stdin=f,
                       stdout=subprocess.DEVNULL, check=True)
    w = Window(args.arbor, db, display, args.stall_ms)
    try:
        w.xdo("windowfocus", "--sync", w.wid)
        # Start on an empty conversation, then click the stored one (the first row of the list).
        w.xdo("key", "ctrl+n")
        time.sleep(1)
        t0 = now_ms()
        w.xdo("mousemove", "--window", w.wid, "120", "75", "click", "1")
        report(f"{kb} KB open (click in the list)", w.settle(t0, args.settle, args.limit))
        print(f"{kb} KB memory after opening: {w.rss_mb()} MB resident", flush=True)
        # A long message of the user's opens collapsed: show all of it, from the keyboard
        # (Alt+Up twice: the question; Tab past Copy, Edit and ⋯ to "Show more"; Space).
        w.xdo("key", "alt+Up", "alt+Up", "Tab", "Tab", "Tab", "Tab")
        time.sleep(1)
        t0 = now_ms()
        w.xdo("key", "space")
        report(f"{kb} KB show more (Space on it)", w.settle(t0, args.settle, args.limit))
        print(f"{kb} KB memory after showing all: {w.rss_mb()} MB resident", flush=True)
    finally:
        w.close()


def serve_reply(text, seconds):
    """An OpenAI-compatible server on 127.0.0.1 (port 0) streaming @p text over @p seconds."""
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            body = json.dumps({"object": "list", "data": [{"id": "big", "object": "model"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            pieces = [text[i:i + 40] for i in range(0, len(text), 40)]
            delay = seconds / max(1, len(pieces))
            for piece in pieces:
                chunk = {"id": "c1", "object": "chat.completion.chunk", "model": "big",
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.flush()
                time.sleep(delay)
            done = {"id": "c1", "object": "chat.completion.chunk", "model": "big",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(b"data: " + json.dumps(done).encode() + b"\n\ndata: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure_stream(args, display, tmp, kb):
    text = make_text(kb * 1000, args.kind)
    server = serve_reply(text, 4.0)
    db = os.path.join(tmp, "stream.db")
    port = server.server_address[1]
    subprocess.run([args.arbord, "providers", "add", "big", "--db", db, "--preset", "custom", "--base-url",
                    f"http://127.0.0.1:{port}/v1", "--models", "big"], check=True, stdout=subprocess.DEVNULL)
    providers = json.loads(subprocess.run([args.arbord, "providers", "list", "--json", "--db", db], check=True,
                                          capture_output=True, text=True).stdout)
    provider = next(p for p in providers if p.get("name") == "big")
    subprocess.run([args.arbord, "providers", "default", f"{provider['id']}/big", "--db", db], check=True,
                   stdout=subprocess.DEVNULL)
    w = Window(args.arbor, db, display, args.stall_ms)
    try:
        w.xdo("windowfocus", "--sync", w.wid)
        w.xdo("type", "go")
        t0 = now_ms()
        w.xdo("key", "Return")
        # Streams for about 4 s; the reply completes at the end of it.
        result = w.settle(t0, args.settle + 4, args.limit)
        stalls = w.stalls_since(t0)
        report(f"{kb} KB streamed reply (Enter until it has settled)", result)
        late = [s for s, e in stalls if e - t0 > 3500]
        print(f"{kb} KB streamed reply: longest stall from 3.5 s on (completion): {max(late, default=0)} ms",
              flush=True)
        print(f"{kb} KB memory after the reply: {w.rss_mb()} MB resident", flush=True)
    finally:
        w.close()
        server.shutdown()
    shown = subprocess.run([args.arbord, "list", "--json", "--db", db], capture_output=True, text=True).stdout
    conversation = json.loads(shown)[0]["id"]
    reply = json.loads(subprocess.run([args.arbord, "show", conversation, "--json", "--db", db],
                                      capture_output=True, text=True).stdout)
    last = reply["messages"][-1] if isinstance(reply, dict) else reply[-1]
    print(f"{kb} KB streamed reply as stored: {last.get('status')}, {len(last.get('content', ''))} characters "
          f"from {last.get('model')}", flush=True)


if __name__ == "__main__":
    sys.exit(main())

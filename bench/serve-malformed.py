#!/usr/bin/env python3
"""Sends malformed and hostile requests to `dtrn serve` for a while and tallies the answers.

    bench/serve-malformed.py PORT SECONDS VALID_BODY

Cycles through the cases below until SECONDS have passed, one request at a time over raw
sockets (so that bodies can be cut short or sent slowly). A malformed request must get a 4xx
answer whose body is JSON with an "error" member; a well-formed but unusual one (missing
features) may also get a 200. Prints one JSON object: per case the number sent and how they
were answered, and "violations" — answers that broke those rules (5xx, no answer, a non-JSON
error) — with examples.
"""
import json, os, random, socket, sys, threading, time

port, seconds, valid_path = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
valid = json.load(open(valid_path))
instance = valid["instances"][0]
rng = random.Random(11)


def numeric_name():
    for name, value in instance.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return name
    return next(iter(instance))


def with_value(name, literal):
    """A one-instance body whose feature `name` is the raw JSON text `literal`."""
    fields = [json.dumps(k) + ": " + (literal if k == name else json.dumps(v)) for k, v in instance.items()]
    return ('{"instances": [{' + ", ".join(fields) + "}]}").encode()


number = numeric_name()
DEEP_LISTS = b'{"instances": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
DEEP_OBJECTS = b'{"instances": [' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"]}"
HUGE = b'{"instances": [' + b'{"x": 1},' * (50 * 1024 * 1024 // 9) + b'{"x": 1}]}'
text = json.dumps(valid).encode()
CASES = {
    # name: (body maker, whether a 200 is also acceptable)
    "random bytes": (lambda: os.urandom(rng.randrange(1, 4096)), False),
    "truncated JSON": (lambda: text[: rng.randrange(1, len(text) - 1)], False),
    "empty body": (lambda: b"", False),
    "deep nesting 100000": (lambda: DEEP_LISTS, False),
    "deep objects 100000": (lambda: DEEP_OBJECTS, False),
    "50 MB body": (lambda: HUGE, False),
    "instances not a list": (lambda: b'{"instances": 5}', False),
    "instance not an object": (lambda: b'{"instances": [5, "a", null]}', False),
    "feature of the wrong type": (lambda: with_value(number, '{"a": [1, 2]}'), False),
    "NaN literal": (lambda: with_value(number, "NaN"), False),
    "Infinity literal": (lambda: with_value(number, "-Infinity"), False),
    "1e999": (lambda: with_value(number, "1e999"), False),
    "number as text": (lambda: with_value(number, '"forty"'), False),
    "unknown feature": (lambda: ('{"instances": [' + json.dumps({**instance, "no_such_feature": 1}) + "]}").encode(), False),
    "missing features": (lambda: ('{"instances": [' + json.dumps(dict(list(instance.items())[:1])) + "]}").encode(), True),
    "invalid UTF-8": (lambda: with_value(next(iter(instance)), '"\xff\xfe"').replace("\xff\xfe".encode(), b"\xff\xfe"), False),
}


def exchange(body, timeout=10):
    """Sends one POST /v1/score; returns (status, body bytes) or (None, reason)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        head = (f"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        def send():
            try:
                conn.sendall(head + body)
            except OSError:
                pass  # the server may answer (and stop reading) before a refused body is all sent
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        data = b""
        try:
            while chunk := conn.recv(65536):
                data += chunk
                head_end = data.find(b"\r\n\r\n")
                if head_end >= 0:  # stop once the answer is complete, whether or not the server closes
                    length = [int(line.split(b":")[1]) for line in data[:head_end].split(b"\r\n")
                              if line.lower().startswith(b"content-length:")]
                    if length and len(data) >= head_end + 4 + length[0]:
                        break
        except (ConnectionResetError, socket.timeout):
            if not data:
                return None, "no answer"
        conn.shutdown(socket.SHUT_RDWR)
        sender.join()
    if not data.startswith(b"HTTP/1.1 "):
        return None, "no answer"
    status = int(data[9:12])
    return status, data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""


def slow_partial(results):
    """Sends a header promising 1000 bytes, 10 of them, waits, and gives up: must not stall the server."""
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
                conn.sendall(b"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 1000\r\n\r\n" + text[:10])
                time.sleep(3)
            results["slow partial requests"] = results.get("slow partial requests", 0) + 1
        except OSError:
            results["slow partial refused"] = results.get("slow partial refused", 0) + 1


deadline = time.time() + seconds
tally = {name: {"sent": 0} for name in CASES}
violations = []
slow = {}
slow_threads = [threading.Thread(target=slow_partial, args=(slow,), daemon=True) for _ in range(4)]
for thread in slow_threads:
    thread.start()
names = list(CASES)
index = 0
while time.time() < deadline:
    name = names[index % len(names)]
    index += 1
    make, may_succeed = CASES[name]
    status, body = exchange(make())
    counts = tally[name]
    counts["sent"] += 1
    key = "no answer" if status is None else f"{status // 100}xx"
    counts[key] = counts.get(key, 0) + 1
    ok = False
    if status is not None and 400 <= status < 500:
        try:
            ok = isinstance(json.loads(body).get("error"), str)
        except (ValueError, AttributeError):
            ok = False
    elif status is not None and 200 <= status < 300:
        ok = may_succeed
    if not ok:
        counts["violations"] = counts.get("violations", 0) + 1
        if len(violations) < 20:
            violations.append({"case": name, "status": status, "body": body[:200].decode("utf-8", "replace")
                               if isinstance(body, bytes) else body})
for thread in slow_threads:
    thread.join(timeout=15)
print(json.dumps({"cases": tally, "slow": slow, "violations": sum(c.get("violations", 0) for c in tally.values()),
                  "examples": violations}))

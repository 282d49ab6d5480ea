"""A line-oriented bridge that lets the node:test suites drive a kernel through the
reference client, jupyter_client: one JSON command per stdin line, one JSON answer per
stdout line. It adds no protocol logic of its own; it only exposes KernelManager and the
client's channels, plus raw sockets for the malformed-traffic cases."""
import base64
import json
import os
import signal
import sys
import time
import traceback

import zmq
from jupyter_client import KernelManager
from jupyter_client.session import Session

km = None
kc = None
process = None  # the kernel's Popen, kept because the provisioner drops it at shutdown


def start(cmd):
    """Start a kernel from its installed kernelspec, with the given transport and key."""
    global km, kc, process
    kwargs = {"kernel_name": cmd["kernel_name"], "transport": cmd.get("transport", "tcp")}
    if "key" in cmd:
        kwargs["session"] = Session(key=cmd["key"].encode())
    km = KernelManager(**kwargs)
    if kwargs["transport"] == "ipc":
        km.ip = os.path.join(cmd["ipc_dir"], "kernel-ipc")
    env = dict(os.environ)
    env.update(cmd.get("env", {}))
    km.start_kernel(env=env, cwd=cmd.get("cwd"))
    process = km.provisioner.process
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=cmd.get("timeout", 30))
    info = km.get_connection_info(session=False)
    info["key"] = info["key"].decode()
    return {"pid": process.pid, "connection": info}


def encode(channel, msg):
    """A message as JSON with the arrival time, keeping the fields tests look at."""
    return {
        "channel": channel,
        "t": time.time(),
        "header": msg["header"],
        "parent_header": msg["parent_header"],
        "metadata": msg["metadata"],
        "content": msg["content"],
        "msg_type": msg["header"]["msg_type"],
        "buffers": len(msg.get("buffers") or []),
    }


def send(cmd):
    """Send one request on shell or control; answer its msg_id."""
    channel = getattr(kc, cmd["channel"] + "_channel")
    msg = kc.session.msg(cmd["msg_type"], cmd.get("content", {}))
    channel.send(msg)
    return {"msg_id": msg["header"]["msg_id"], "header": msg["header"]}


def collect(cmd):
    """Gather messages until every msg_id has its reply and its idle status (or timeout), or
    until a stream message contains `until_text` when that is given."""
    until_text = cmd.get("until_text")
    pending_reply = set(cmd["msg_ids"]) if cmd.get("wait_reply", True) else set()
    pending_idle = set(cmd["msg_ids"]) if cmd.get("wait_idle", True) else set()
    stdin_values = list(cmd.get("stdin", []))
    deadline = time.monotonic() + cmd.get("timeout", 30)
    out = []
    while (pending_reply or pending_idle) and time.monotonic() < deadline:
        got = False
        for name in ("iopub", "shell", "control", "stdin"):
            channel = getattr(kc, name + "_channel")
            if not channel.msg_ready():
                continue
            msg = channel.get_msg(timeout=0)
            got = True
            out.append(encode(name, msg))
            parent = msg["parent_header"].get("msg_id")
            mtype = msg["header"]["msg_type"]
            if name in ("shell", "control"):
                pending_reply.discard(parent)
            elif mtype == "status" and msg["content"]["execution_state"] == "idle":
                pending_idle.discard(parent)
            elif name == "stdin" and mtype == "input_request" and stdin_values:
                kc.input(stdin_values.pop(0))
            if until_text and mtype == "stream" and until_text in msg["content"]["text"]:
                return {"messages": out, "timed_out": False}
        if not got:
            kc.iopub_channel.socket.poll(5)
    return {"messages": out, "timed_out": bool(pending_reply or pending_idle)}


def drain(cmd):
    """Read whatever arrives on iopub during a short window."""
    deadline = time.monotonic() + cmd.get("timeout", 0.5)
    out = []
    while time.monotonic() < deadline:
        try:
            out.append(encode("iopub", kc.get_iopub_msg(timeout=0.05)))
        except Exception:
            pass
    return {"messages": out}


def raw(cmd):
    """Send arbitrary frames from a fresh socket to any channel (malformed traffic): a DEALER
    to shell, control, stdin and hb, an XSUB (which may send anything) to iopub. `frames` is
    one message; `messages` a list of them. Answers the replies that arrive until `wait_ms`
    pass without one."""
    url = kc._make_url(cmd["channel"])
    sock = kc.context.socket(zmq.XSUB if cmd["channel"] == "iopub" else zmq.DEALER)
    sock.linger = 0
    sock.connect(url)
    messages = cmd.get("messages") or [cmd["frames"]]
    for frames in messages:
        sock.send_multipart([base64.b64decode(f) for f in frames] or [b""])
    replies = []
    enough = cmd.get("until_replies")  # once this many came, wait only briefly for extras
    while sock.poll(50 if enough and len(replies) >= enough else int(cmd.get("wait_ms", 300))):
        frames = sock.recv_multipart()
        if cmd["channel"] != "iopub":
            replies.append([base64.b64encode(f).decode() for f in frames])
    sock.close()
    return {"replies": replies}


def sign(cmd):
    """Serialize a message with a given key (right or wrong) into frames, for raw()."""
    session = Session(key=cmd["key"].encode(), signature_scheme=km.session.signature_scheme)
    msg = session.msg(cmd["msg_type"], cmd.get("content", {}))
    frames = session.serialize(msg)
    return {"msg_id": msg["header"]["msg_id"], "frames": [base64.b64encode(f).decode() for f in frames]}


def forge(cmd):
    """Signs four JSON frames given as raw strings (any shape, valid or not) with the kernel's
    key, for raw(): the malformed-but-authentic traffic a buggy client sends."""
    parts = [part.encode("utf8", "surrogatepass") for part in cmd["parts"]]
    signature = km.session.sign(parts) if cmd.get("signed", True) else b""
    frames = [b"<IDS|MSG>", signature, *parts]
    return {"frames": [base64.b64encode(f).decode() for f in frames]}


def burst(cmd):
    """Sends `count` copies of one request on a channel as fast as possible and counts the
    replies that come back for them (each parented to its own request)."""
    channel = getattr(kc, cmd.get("channel", "shell") + "_channel")
    ids = set()
    for _ in range(cmd["count"]):
        msg = kc.session.msg(cmd["msg_type"], cmd.get("content", {}))
        channel.send(msg)
        ids.add(msg["header"]["msg_id"])
    replies = 0
    statuses = {}
    deadline = time.monotonic() + cmd.get("timeout", 60)
    while ids and time.monotonic() < deadline:
        if channel.msg_ready():
            msg = channel.get_msg(timeout=0)
            if msg["parent_header"].get("msg_id") in ids:
                ids.discard(msg["parent_header"]["msg_id"])
                replies += 1
                status = msg["content"].get("status")
                statuses[status] = statuses.get(status, 0) + 1
        else:
            channel.socket.poll(10)
        while kc.iopub_channel.msg_ready():  # keep iopub drained
            kc.iopub_channel.get_msg(timeout=0)
    return {"replies": replies, "missing": len(ids), "statuses": statuses}


def heartbeat(cmd):
    """Send frames to the heartbeat socket and answer what comes back."""
    sock = kc.context.socket(zmq.REQ)
    sock.linger = 0
    sock.connect(kc._make_url("hb"))
    sock.send(cmd.get("ping", "ping").encode())
    echoed = sock.recv().decode() if sock.poll(int(cmd.get("wait_ms", 2000))) else None
    sock.close()
    return {"echo": echoed}


def subscribe(cmd):
    """Connect a fresh SUB socket to iopub and answer the first message it receives."""
    sock = kc.context.socket(zmq.SUB)
    sock.linger = 0
    sock.setsockopt(zmq.SUBSCRIBE, cmd.get("topic", "").encode())
    sock.connect(kc._make_url("iopub"))
    first = None
    if sock.poll(int(cmd.get("wait_ms", 3000))):
        # A session of its own: kc.session would then reject the client's copy as a replay.
        session = Session(key=km.session.key, signature_scheme=km.session.signature_scheme)
        _, frames = session.feed_identities(sock.recv_multipart())
        first = encode("iopub", session.deserialize(frames))
    sock.close()
    return {"message": first}


def reconnect(cmd):
    """The frontend goes away (its sockets closed) and a new client connects to the same kernel."""
    global kc
    kc.stop_channels()
    time.sleep(cmd.get("away_s", 0.5))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=cmd.get("timeout", 30))
    return {"reconnected": True}


def lifecycle(cmd):
    """Manager-level actions: interrupt, signal, restart, shutdown, kill, is_alive."""
    global process
    op = cmd["action"]
    if op == "interrupt":
        km.interrupt_kernel()
    elif op == "signal":
        km.signal_kernel(getattr(signal, cmd["signal"]))
    elif op == "restart":
        km.restart_kernel(now=cmd.get("now", False))
        process = km.provisioner.process
        kc.wait_for_ready(timeout=30)
    elif op == "shutdown":
        km.shutdown_kernel(now=cmd.get("now", False))
    elif op == "kill":
        os.killpg(os.getpgid(process.pid), signal.SIGKILL) if process.poll() is None else None
    elif op == "wait_dead":
        deadline = time.monotonic() + cmd.get("timeout", 10)
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
    return {"alive": km.is_alive() and process.poll() is None, "pid": process.pid, "exit_code": process.poll()}


def stop(cmd):
    """Shut the kernel down (if any) and close the client."""
    if kc is not None:
        kc.stop_channels()
    if km is not None and km.is_alive():
        km.shutdown_kernel(now=cmd.get("now", False))
    elif km is not None:
        km.cleanup_resources()  # a kernel that died (killed, or shut down by a request) leaves its connection file
    return {"stopped": True}


OPS = {f.__name__: f for f in (start, send, collect, drain, raw, sign, forge, burst, heartbeat, subscribe, reconnect, lifecycle, stop)}


def main():
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            answer = {"ok": True, **OPS[cmd["op"]](cmd)}
        except Exception as error:  # report, keep serving
            answer = {"ok": False, "error": f"{type(error).__name__}: {error}",
                      "traceback": traceback.format_exc()}
        sys.stdout.write(json.dumps(answer, default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o)) + "\n")
        sys.stdout.flush()
        if cmd["op"] == "stop":
            break


if __name__ == "__main__":
    main()

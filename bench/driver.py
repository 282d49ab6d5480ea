"""icuda vs ipykernel, side by side, both driven by the same jupyter_client code.

Run by bench/bench.mjs (npm run bench), which installs the icuda kernelspec in a private
Jupyter data dir and reads the JSON this prints on its last line. Every figure is the median
of repeated runs, measured in this one run."""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import zmq
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.session import Session

HELLO = '#include <cstdio>\n__global__ void k() {}\nint main() { k<<<1, 1>>>(); cudaDeviceSynchronize(); printf("Hello, CUDA!\\n"); return 0; }\n'
EMPTY = 'int main() { return 0; }\n'
# The session figure's work: a counter bumped by a function, as session cells and as one program.
SESSION_SETUP = "int counter = 0;\nint bump() { return 1; }\n"
SESSION_STEP = "counter += bump();\n"
SESSION_PROGRAM = "int counter = 0;\nint bump() { return 1; }\nint main() { counter += bump(); return counter == 1 ? 0 : 1; }\n"


def median(xs):
    return statistics.median(xs) if xs else None


def spread(xs):
    """min and max, for the record of how noisy a measure was."""
    return [min(xs), max(xs)] if xs else None


def kernel_argv(name):
    """The kernelspec's command line, with `python` made this interpreter as jupyter_client does."""
    argv = list(KernelSpecManager().get_kernel_spec(name).argv)
    if argv and argv[0] in ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"):
        argv[0] = sys.executable
    return argv


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def first_reply(argv, env, work):
    """Seconds from spawning `argv` to the first kernel_info_reply. A client as jupyter_client
    makes one (shell DEALER, iopub SUB subscribed to everything, a connection file with mode
    0600), whose sockets retry their connection every 2 ms: with zeromq's default of 100 ms the
    figure would be the kernel's start rounded up to the client's next retry."""
    ports = free_ports(5)
    key = str(uuid.uuid4())
    info = dict(zip(["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"], ports),
                ip="127.0.0.1", key=key, transport="tcp", signature_scheme="hmac-sha256", kernel_name="")
    path = os.path.join(work, f"start-{uuid.uuid4()}.json")
    with open(path, "w") as f:
        json.dump(info, f)
    os.chmod(path, 0o600)
    ctx = zmq.Context.instance()
    shell, iopub = ctx.socket(zmq.DEALER), ctx.socket(zmq.SUB)
    for s in (shell, iopub):
        s.setsockopt(zmq.RECONNECT_IVL, 2)
        s.setsockopt(zmq.LINGER, 0)
    iopub.setsockopt(zmq.SUBSCRIBE, b"")
    shell.connect(f"tcp://127.0.0.1:{info['shell_port']}")
    iopub.connect(f"tcp://127.0.0.1:{info['iopub_port']}")
    session = Session(key=key.encode())
    full_env = {**os.environ, **env}
    t0 = time.perf_counter()
    proc = subprocess.Popen([a.replace("{connection_file}", path) for a in argv], env=full_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        session.send(shell, "kernel_info_request", {})
        if not shell.poll(60_000):
            raise RuntimeError(f"{argv[:2]} did not answer kernel_info within 60 s")
        _, msg = session.recv(shell, mode=0)
        elapsed = time.perf_counter() - t0
        assert msg["header"]["msg_type"] == "kernel_info_reply", msg["header"]
        return elapsed
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shell.close()
        iopub.close()
        os.remove(path)


def python_nvcc_cell(src):
    """The cell notebook users run today in ipykernel (what IPython's nvcc magics do)."""
    return (
        "import subprocess, tempfile, os\n"
        "d = tempfile.mkdtemp()\n"
        f"open(os.path.join(d, 'hello.cu'), 'w').write({src!r})\n"
        "subprocess.run(['nvcc', '-o', os.path.join(d, 'hello'), os.path.join(d, 'hello.cu')], check=True, capture_output=True)\n"
        "print(subprocess.run([os.path.join(d, 'hello')], capture_output=True, text=True).stdout, end='')\n"
    )


class Kernel:
    """One kernel started from its kernelspec, with a blocking client."""

    def __init__(self, name, env):
        self.km = KernelManager(kernel_name=name)
        t0 = time.perf_counter()
        self.km.start_kernel(env={**os.environ, **env}, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.startup = time.perf_counter() - t0
        self.pid = self.km.provisioner.process.pid

    def execute(self, code, timeout=600, on_stream=None):
        """Runs a cell; answers (seconds to idle, reply status, stdout bytes)."""
        t0 = time.perf_counter()
        msg_id = self.kc.execute(code)
        out = 0
        # iopub until this request's idle (which follows its reply), then the reply.
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                out += len(msg["content"]["text"])
                if on_stream:
                    on_stream(msg["content"]["text"])
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                break
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                return time.perf_counter() - t0, reply["content"]["status"], out

    def kernel_info(self):
        t0 = time.perf_counter()
        self.kc.kernel_info(reply=True, timeout=30)
        return time.perf_counter() - t0

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def rss_peak(pid, stop, box):
    """Samples the kernel's VmRSS every 10 ms until stop is set."""
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        box[0] = max(box[0], int(line.split()[1]) * 1024)
        except OSError:
            pass
        time.sleep(0.01)


def writer(mb):
    return (
        "%output_limit 0\n#include <cstring>\n#include <unistd.h>\nint main() {\n"
        "  static char b[1 << 16]; memset(b, 'x', sizeof b);\n"
        "  for (int i = 1; i <= 100; i++) b[i * 600] = '\\n';\n"
        f"  for (int i = 0; i < {mb} * 16; i++) if (write(1, b, sizeof b) < 0) return 1;\n  return 0;\n}}\n"
    )


def timed_run(argv, env=None, cwd=None):
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env, cwd=cwd)
    return time.perf_counter() - t0


SECTIONS = ("startup", "hello", "cold", "trips", "session", "flood", "shared")


def startup(a, res, work, ienv):
    """3. Spawn to first kernel_info_reply: one interleaved loop of icuda, ipykernel and the floor
    (Node + zeromq answering kernel_info); then, for the record, the same through
    jupyter_client's start_kernel + wait_for_ready, which ends with 0.2 s of iopub silence and
    so says little about the kernel itself."""
    icuda_argv = kernel_argv("icuda")
    floor_argv = [icuda_argv[0], a.floor, "{connection_file}"]
    starts = {"icuda": [], "ipykernel": [], "floor": []}
    for _ in range(max(a.starts, 7)):
        for name, argv, env in (("icuda", icuda_argv, ienv), ("ipykernel", kernel_argv("python3"), {}), ("floor", floor_argv, {})):
            starts[name].append(first_reply(argv, env, work))
    res["startup"] = {n: median(v) for n, v in starts.items()}
    res["startup_spread"] = {n: spread(v) for n, v in starts.items()}
    ready = {"icuda": [], "ipykernel": []}
    for _ in range(a.repeat):
        for name, spec, env in (("icuda", "icuda", ienv), ("ipykernel", "python3", {})):
            k = Kernel(spec, env)
            ready[name].append(k.startup)
            k.close()
    res["startup_wait_for_ready"] = {n: median(v) for n, v in ready.items()}


def hello(a, res, ik, pk):
    """1. The hello cell's first run and re-run, against a Python cell running nvcc."""
    times = {"icuda_first": [], "icuda_rerun": [], "ipykernel_first": [], "ipykernel_rerun": []}
    for _ in range(a.repeat):
        src = f"// {uuid.uuid4()}\n" + HELLO
        for tag in ("first", "rerun"):
            times[f"icuda_{tag}"].append(ik.execute(src)[0])
            times[f"ipykernel_{tag}"].append(pk.execute(python_nvcc_cell(src))[0])
    res["hello"] = {n: median(v) for n, v in times.items()}


def cold(a, res, ik, d, nvcc):
    """2. A %nocache cell against nvcc with icuda's command line and with nvcc's defaults."""
    times = {"icuda_nocache": [], "nvcc_same_flags": [], "nvcc_plain": []}
    for _ in range(a.repeat):
        times["icuda_nocache"].append(ik.execute("%nocache\n" + HELLO)[0])
        times["nvcc_same_flags"].append(timed_run([nvcc, *json.loads(a.nvcc_args)], cwd=d))
        times["nvcc_plain"].append(timed_run([nvcc, "-o", "prog2", "cell.cu"], cwd=d))
    res["cold_compile"] = {n: median(v) for n, v in times.items()}


def trips(a, res, ik, pk, d, nvcc):
    """4. Round trips: kernel_info; `pass`; a cached empty program, each trip followed by a
    fork+exec of the same binary (Python's subprocess.run) in the same loop: paced (a pause
    before each pair, as between a person's cells) and back to back. An empty cell (no program:
    the protocol's part of a round trip) is timed in the paced loop too."""
    ik.execute(EMPTY)
    subprocess.run([nvcc, "-o", "empty", "-x", "cu", "-"], input=EMPTY.encode(), cwd=d, check=True, capture_output=True)
    binary = os.path.join(d, "empty")
    times = {
        "icuda_kernel_info": [ik.kernel_info() for _ in range(a.trips)],
        "ipykernel_kernel_info": [pk.kernel_info() for _ in range(a.trips)],
        "ipykernel_pass": [pk.execute("pass")[0] for _ in range(a.trips)],
    }
    for mode, pause in (("paced", a.pause), ("back_to_back", 0)):
        cell, fork, nothing = [], [], []
        for _ in range(a.trips):
            time.sleep(pause)
            cell.append(ik.execute(EMPTY)[0])
            fork.append(timed_run([binary]))
            if pause:
                time.sleep(pause)
                nothing.append(ik.execute("")[0])
        times[f"icuda_cached_empty_{mode}"] = cell
        times[f"fork_exec_binary_{mode}"] = fork
        if nothing:
            times["icuda_empty_cell"] = nothing
    res["round_trip"] = {n: median(v) for n, v in times.items()}
    res["round_trip_spread"] = {n: spread(v) for n, v in times.items()}


def session(a, res, ik):
    """Session cells: re-running an unchanged statements cell (no nvcc, nothing loaded: a command
    to the runner) against the same work as a whole program re-run from the cache, and against an
    empty cell (the protocol's part), interleaved and paced in one loop."""
    for code in (SESSION_SETUP, SESSION_STEP, SESSION_PROGRAM):
        _, status, _ = ik.execute(code)
        if status != "ok":
            raise SystemExit(f"session figure: the cell failed ({status}): {code!r}")
    times = {"session_rerun": [], "program_cached": [], "empty_cell": []}
    for _ in range(a.trips):
        for name, code in (("session_rerun", SESSION_STEP), ("program_cached", SESSION_PROGRAM), ("empty_cell", "")):
            time.sleep(a.pause)
            times[name].append(ik.execute(code)[0])
    ik.execute("%reset")
    res["session"] = {n: median(v) for n, v in times.items()}
    res["session_spread"] = {n: spread(v) for n, v in times.items()}


def flood(a, res, ik):
    """5. Output throughput to a jupyter_client reader, and the kernel's peak RSS meanwhile."""
    floods = {}
    for mb in ([100, 1024] if a.big else [100]):
        stop, box = threading.Event(), [0]
        th = threading.Thread(target=rss_peak, args=(ik.pid, stop, box), daemon=True)
        ik.execute(writer(mb) + f"// warm {mb}\n", timeout=900)  # compile first: time only the run
        th.start()
        t, st, out = ik.execute(writer(mb) + f"// warm {mb}\n", timeout=900)
        stop.set()
        th.join()
        floods[f"{mb}MB"] = {"seconds": t, "delivered_bytes": out, "MBps": out / t / 1e6, "peak_rss_MiB": box[0] / 2**20}
    res["flood"] = floods


def shared(a, res, ienv, cache):
    """6. N kernels sharing one cache: the same new cell at once, then again."""
    ks = [Kernel("icuda", ienv) for _ in range(a.kernels)]
    src = f"// shared {uuid.uuid4()}\n" + HELLO

    def run_all():
        times = [None] * len(ks)

        def one(i):
            times[i] = ks[i].execute(src)[0]
        ths = [threading.Thread(target=one, args=(i,)) for i in range(len(ks))]
        t0 = time.perf_counter()
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        return time.perf_counter() - t0, times
    cold_wall, cold_each = run_all()
    warm_wall, warm_each = run_all()
    entries = len(os.listdir(os.path.join(cache, "entries")))
    for k in ks:
        k.close()
    res["shared_cache"] = {"kernels": a.kernels, "cold_wall": cold_wall, "cold_each": cold_each,
                           "warm_wall": warm_wall, "warm_each": warm_each, "entries_total": entries}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--trips", type=int, default=30)
    ap.add_argument("--big", action="store_true", help="also the 1 GB writer")
    ap.add_argument("--kernels", type=int, default=3)
    ap.add_argument("--starts", type=int, default=9, help="starts of each kernel for the startup figure (7 at least)")
    ap.add_argument("--pause", type=float, default=0.05, help="seconds before each paced cached cell")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}")
    ap.add_argument("--floor", required=True, help="the floor kernel (bench/floor-kernel.cjs)")
    ap.add_argument("--nvcc-args", required=True, help="icuda's own nvcc arguments for a cell (JSON list)")
    a = ap.parse_args()
    only = set(a.only.split(","))
    if only - set(SECTIONS):
        ap.error(f"unknown sections: {', '.join(sorted(only - set(SECTIONS)))}")
    work = tempfile.mkdtemp(prefix="icuda-bench-")
    cache = os.path.join(work, "cache")
    ienv = {"ICUDA_CACHE_DIR": cache, "ICUDA_LOG_LEVEL": "warn"}
    res = {}
    nvcc = shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc"
    d = os.path.join(work, "plain")
    os.makedirs(d)
    with open(os.path.join(d, "cell.cu"), "w") as f:
        f.write(HELLO)
    try:
        if "startup" in only:
            startup(a, res, work, ienv)
        if only & {"hello", "cold", "trips", "session", "flood"}:
            ik, pk = Kernel("icuda", ienv), Kernel("python3", {})
            if "hello" in only:
                hello(a, res, ik, pk)
            if "cold" in only:
                cold(a, res, ik, d, nvcc)
            if "trips" in only:
                trips(a, res, ik, pk, d, nvcc)
            if "session" in only:
                session(a, res, ik)
            if "flood" in only:
                flood(a, res, ik)
            ik.close()
            pk.close()
        if "shared" in only:
            shared(a, res, ienv, cache)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(res))


if __name__ == "__main__":
    main()

"""icuda vs ipykernel, side by side, both driven by the same jupyter_client code.

Run by bench/bench.mjs (npm run bench), which installs the icuda kernelspec in a private
Jupyter data dir and reads the JSON this prints on its last line. Every figure is the median
of repeated runs, measured in this one run."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from jupyter_client import KernelManager

HELLO = '#include <cstdio>\n__global__ void k() {}\nint main() { k<<<1, 1>>>(); cudaDeviceSynchronize(); printf("Hello, CUDA!\\n"); return 0; }\n'
EMPTY = 'int main() { return 0; }\n'


def median(xs):
    return statistics.median(xs) if xs else None


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--trips", type=int, default=30)
    ap.add_argument("--big", action="store_true", help="also the 1 GB writer")
    ap.add_argument("--kernels", type=int, default=3)
    ap.add_argument("--nvcc-args", required=True, help="icuda's own nvcc arguments for a cell (JSON list)")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="icuda-bench-")
    cache = os.path.join(work, "cache")
    ienv = {"ICUDA_CACHE_DIR": cache, "ICUDA_LOG_LEVEL": "warn"}
    res = {}
    nvcc = shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc"
    try:
        # 3. startup to first kernel_info_reply
        starts = {"icuda": [], "ipykernel": []}
        for _ in range(a.repeat + 2):
            for name, spec, env in (("icuda", "icuda", ienv), ("ipykernel", "python3", {})):
                k = Kernel(spec, env)
                starts[name].append(k.startup)
                k.close()
        res["startup"] = {n: median(v) for n, v in starts.items()}

        ik, pk = Kernel("icuda", ienv), Kernel("python3", {})
        # 1. hello: first run and re-run of the same cell
        hello = {"icuda_first": [], "icuda_rerun": [], "ipykernel_first": [], "ipykernel_rerun": []}
        for _ in range(a.repeat):
            src = f"// {uuid.uuid4()}\n" + HELLO
            for tag in ("first", "rerun"):
                t, st, _ = ik.execute(src)
                hello[f"icuda_{tag}"].append(t)
                t, st2, _ = pk.execute(python_nvcc_cell(src))
                hello[f"ipykernel_{tag}"].append(t)
        res["hello"] = {n: median(v) for n, v in hello.items()}

        # 2. cold compile: icuda %nocache vs plain nvcc, same file and flags
        d = os.path.join(work, "plain")
        os.makedirs(d)
        with open(os.path.join(d, "cell.cu"), "w") as f:
            f.write(HELLO)
        cold = {"icuda_nocache": [], "nvcc_same_flags": [], "nvcc_plain": []}
        for _ in range(a.repeat):
            cold["icuda_nocache"].append(ik.execute("%nocache\n" + HELLO)[0])
            cold["nvcc_same_flags"].append(timed_run([nvcc, *json.loads(a.nvcc_args)], cwd=d))
            cold["nvcc_plain"].append(timed_run([nvcc, "-o", "prog2", "cell.cu"], cwd=d))
        res["cold_compile"] = {n: median(v) for n, v in cold.items()}

        # 4. round trips: kernel_info; a cached empty program vs `pass`; fork+exec of the binary
        ik.execute(EMPTY)
        trips = {
            "icuda_kernel_info": [ik.kernel_info() for _ in range(a.trips)],
            "ipykernel_kernel_info": [pk.kernel_info() for _ in range(a.trips)],
            "icuda_cached_empty": [ik.execute(EMPTY)[0] for _ in range(a.trips)],
            "ipykernel_pass": [pk.execute("pass")[0] for _ in range(a.trips)],
        }
        subprocess.run([nvcc, "-o", "empty", "-x", "cu", "-"], input=EMPTY.encode(), cwd=d, check=True, capture_output=True)
        trips["fork_exec_binary"] = [timed_run([os.path.join(d, "empty")]) for _ in range(a.trips)]
        res["round_trip"] = {n: median(v) for n, v in trips.items()}

        # 5. output throughput and peak kernel RSS
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
        ik.close()
        pk.close()

        # 6. N kernels sharing one cache: the same new cell at once, then again
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
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(res))


if __name__ == "__main__":
    main()

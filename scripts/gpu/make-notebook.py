"""Writes scripts/gpu/gpu-check.ipynb (the notebook scripts/gpu-check.sh runs on a GPU machine)
and scripts/gpu/gpu-compare.ipynb (two session benches it runs twice, for icuda compare).
Each check cell carries metadata.gpu_check = {name, expect, [figures], [record]}: `expect` is a
regular expression its outputs must match for the check to pass; `figures` name numbers to take
from them; `record` is a pattern for the %bench record. Run: python3 scripts/gpu/make-notebook.py"""
import json
import pathlib
import sys

sys.dont_write_bytecode = True  # no __pycache__ in scripts/gpu
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from session_checks import SESSION_CELLS  # noqa: E402

CHECK = r'''#define CHECK(call) do { cudaError_t e_ = (call); if (e_ != cudaSuccess) { \
  printf("CUDA error %s at %s:%d\n", cudaGetErrorString(e_), __FILE__, __LINE__); return 1; } } while (0)
'''

CELLS = [
    ("gpuinfo", r"NVIDIA|H100|H200", None, "%gpuinfo\n"),
    ("vector add", r"vector add: PASS", None, "#include <cstdio>\n#include <vector>\n" + CHECK + r'''
__global__ void add(const float *a, const float *b, float *c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) c[i] = a[i] + b[i];
}
int main() {
  const int n = 1 << 24;
  std::vector<float> a(n), b(n), c(n);
  for (int i = 0; i < n; i++) { a[i] = i * 0.5f; b[i] = 2.0f * i; }
  float *da, *db, *dc;
  CHECK(cudaMalloc(&da, n * sizeof(float))); CHECK(cudaMalloc(&db, n * sizeof(float))); CHECK(cudaMalloc(&dc, n * sizeof(float)));
  CHECK(cudaMemcpy(da, a.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(db, b.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  add<<<(n + 255) / 256, 256>>>(da, db, dc, n);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(c.data(), dc, n * sizeof(float), cudaMemcpyDeviceToHost));
  int bad = 0;
  for (int i = 0; i < n; i++) if (c[i] != a[i] + b[i]) bad++;
  printf("vector add: %s (%d of %d elements wrong)\n", bad ? "FAIL" : "PASS", bad, n);
  return bad != 0;
}
'''),
    ("reduction", r"reduction: PASS", None, "#include <cstdio>\n#include <vector>\n" + CHECK + r'''
__global__ void sum(const int *x, unsigned long long *out, int n) {
  __shared__ unsigned long long part[256];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  part[threadIdx.x] = i < n ? x[i] : 0;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(out, part[0]);
}
int main() {
  const int n = 10000019;
  std::vector<int> x(n);
  unsigned long long host = 0;
  for (int i = 0; i < n; i++) { x[i] = (i * 7919) % 1000; host += x[i]; }
  int *dx; unsigned long long *dout, dev = 0;
  CHECK(cudaMalloc(&dx, n * sizeof(int))); CHECK(cudaMalloc(&dout, sizeof dev));
  CHECK(cudaMemcpy(dx, x.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  CHECK(cudaMemset(dout, 0, sizeof dev));
  sum<<<(n + 255) / 256, 256>>>(dx, dout, n);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(&dev, dout, sizeof dev, cudaMemcpyDeviceToHost));
  printf("reduction: %s (device %llu, host %llu)\n", dev == host ? "PASS" : "FAIL", dev, host);
  return dev != host;
}
'''),
    ("device printf", r"(?s)(block \d+ thread \d+\s*){64}", None, r'''#include <cstdio>
__global__ void hello() { printf("block %d thread %d\n", blockIdx.x, threadIdx.x); }
int main() {
  hello<<<8, 8>>>();
  cudaError_t e = cudaDeviceSynchronize();
  fprintf(stderr, "synchronize: %s\n", cudaGetErrorString(e));
  return e != cudaSuccess;
}
'''),
    ("sass", r"(?i)(FADD|FFMA|IMAD|LDG|STG)", None, r'''%%sass
__global__ void saxpy(float a, const float *x, float *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
int main() { return 0; }
'''),
    ("resources", r"(?i)saxpy.*regist", None, r'''%resources
#include <cstdio>
__global__ void saxpy(float a, const float *x, float *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
int main() { printf("compiled with %%resources\n"); return 0; }
'''),
    ("profile ncu", r"(?i)scale", None, r'''%profile ncu
#include <cstdio>
__global__ void scale(float *x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x[i] *= 2.0f; }
int main() {
  const int n = 1 << 20; float *x;
  cudaMalloc(&x, n * sizeof(float));
  scale<<<n / 256, 256>>>(x, n);
  cudaDeviceSynchronize();
  cudaFree(x);
  printf("profiled\n");
  return 0;
}
'''),
    ("sanitize memcheck", r"(?i)invalid (__global__ )?write|out of bounds|Invalid __global__", "raises-exception", r'''%sanitize memcheck
#include <cstdio>
__global__ void oob(int *x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; x[i + n] = i; }  // planted: writes past the end
int main() {
  int *x; cudaMalloc(&x, 256 * sizeof(int));
  oob<<<1, 256>>>(x, 256);
  cudaDeviceSynchronize();
  cudaFree(x);
  return 0;
}
'''),
    ("unchecked error notice", r"(?i)unchecked|invalid configuration|too many resources", None, r'''#include <cstdio>
__global__ void k() {}
int main() {
  k<<<1, 4096>>>();  // more threads per block than any GPU allows; the error is never checked
  printf("launched without checking\n");
  return 0;
}
'''),
    ("bench", r"(?i)median", None, r'''%bench -n 20 -w 2
#include <cstdio>
__global__ void touch(float *x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x[i] += 1.0f; }
int main() {
  const int n = 1 << 22; float *x;
  cudaMalloc(&x, n * sizeof(float));
  touch<<<n / 256, 256>>>(x, n);
  cudaDeviceSynchronize();
  cudaFree(x);
  return 0;
}
'''),
    ("event timing", r"(?i)copy|scale", None, r'''#include <cstdio>
#include "icuda.h"
__global__ void scale(float *x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x[i] *= 3.0f; }
int main() {
  const int n = 1 << 24; float *x;
  cudaMalloc(&x, n * sizeof(float));
  for (int r = 0; r < 5; r++) {
    ICUDA_TIME("scale") { scale<<<n / 256, 256>>>(x, n); }
  }
  ICUDA_TIME("copy") { cudaMemset(x, 0, n * sizeof(float)); }
  cudaFree(x);
  return 0;
}
'''),
    ("interrupt a running kernel", r"(?i)timeout|timed out", "raises-exception", r'''%timeout 5
#include <cstdio>
__global__ void spin(volatile int *flag) { while (*flag == 0) { } }
int main() {
  int *flag; cudaMalloc(&flag, sizeof(int)); cudaMemset(flag, 0, sizeof(int));
  spin<<<1, 1>>>(flag);
  printf("spinning\n");
  cudaDeviceSynchronize();  // never returns: the cell's time limit ends the program
  return 0;
}
'''),
    ("GPU freed after the interrupt", r"alloc: PASS", None, "#include <cstdio>\n" + CHECK + r'''
int main() {
  size_t free_b = 0, total = 0;
  CHECK(cudaMemGetInfo(&free_b, &total));
  size_t want = free_b / 10 * 9;
  void *p = nullptr;
  cudaError_t e = cudaMalloc(&p, want);
  printf("alloc: %s (%.1f of %.1f GiB free, %.1f GiB total)\n", e == cudaSuccess ? "PASS" : "FAIL",
         want / 1073741824.0, free_b / 1073741824.0, total / 1073741824.0);
  return e != cudaSuccess;
}
'''),
]


def cell(name, expect, tag, source, extra=None):
    meta = {"gpu_check": {"name": name, "expect": expect, **(extra or {})}}
    if tag:
        meta["tags"] = [tag]
    return {"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [],
            "source": source.splitlines(keepends=True)}


def notebook(title, lines, cells, prefix):
    """A notebook of a markdown heading and the check cells, with stable cell ids."""
    intro = {"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "\n", *lines]}
    nb = {"cells": [intro] + [cell(*c) for c in cells], "metadata": {
        "kernelspec": {"display_name": "CUDA", "language": "cuda", "name": "icuda"},
        "language_info": {"name": "cuda", "file_extension": ".cu", "mimetype": "text/x-cuda"}},
        "nbformat": 4, "nbformat_minor": 5}
    for i, c in enumerate(nb["cells"]):
        c["id"] = f"{prefix}-{i:02d}"
    return nb


COMPARE_SETUP = r'''const int cn = 1 << 24;
float *cx = nullptr, *cy = nullptr;
cudaMalloc(&cx, cn * sizeof(float));
cudaMalloc(&cy, cn * sizeof(float));
__global__ void c_axpy(float a, const float *x, float *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
printf("compare setup: %s\n", cudaGetErrorString(cudaDeviceSynchronize()));
'''
COMPARE = [
    ("compare: setup", r"compare setup: no error", None, "#include <cstdio>\n" + COMPARE_SETUP),
    ("compare: axpy", r"median", None, "%bench --budget 3 --bytes \"3.0 * cn * sizeof(float)\" --name axpy\nc_axpy<<<cn / 256, 256>>>(2.0f, cx, cy, cn);\n"),
    ("compare: d2d", r"median", None, "%bench --budget 3 --bytes \"2.0 * cn * sizeof(float)\" --name d2d\ncudaMemcpyAsync(cy, cx, cn * sizeof(float), cudaMemcpyDeviceToDevice);\n"),
]

root = pathlib.Path(__file__).resolve().parents[2]
checks = notebook("icuda on a real GPU", [
    "Run by `scripts/gpu-check.sh` on an H100/H200. Each code cell is one check; its\n",
    "`metadata.gpu_check.expect` is the pattern its output must show. Without a GPU the CUDA\n",
    "cells report the driver error instead, and the checks fail: that is expected there.\n",
    "The cells without `main()` at the end are session cells: they build on each other.\n"], CELLS + SESSION_CELLS, "gpu-check")
(root / "scripts" / "gpu" / "gpu-check.ipynb").write_text(json.dumps(checks, indent=1) + "\n")
compare = notebook("Two session benches, run twice by scripts/gpu-check.sh for icuda compare", [], COMPARE, "gpu-compare")
(root / "scripts" / "gpu" / "gpu-compare.ipynb").write_text(json.dumps(compare, indent=1) + "\n")
print(f"wrote scripts/gpu/gpu-check.ipynb with {len(CELLS) + len(SESSION_CELLS)} checks and scripts/gpu/gpu-compare.ipynb")

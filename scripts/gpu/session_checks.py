"""The session-cell checks of the GPU notebook (make-notebook.py appends them): data set up in one
cell, a kernel defined in a second and launched from a third, verified element by element; a
redefined kernel; the CUDA context created once; an out-of-bounds write ending in the restart
notice and %replay rebuilding the state; %vars; %bench on session cells (GPU times that reach the
noise target, a device-to-device copy at 50-100 % of the peak bandwidth, clocks and CUDA versions
recorded). Each entry: (name, expect, tag, source, extra); extra may hold `figures` (name -> a
pattern whose group 1 is the number) and `record` (a pattern the bench record's JSON must match)."""

SETUP = r'''#include <chrono>
#include <cstdio>
#include <vector>
auto session_t0 = std::chrono::steady_clock::now();
cudaError_t session_context = cudaFree(0);  // the session's first CUDA call: its context is made here
double context_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - session_t0).count();
const int sn = 1 << 24;
std::vector<float> sx(sn), sy(sn);
float *dsx = nullptr, *dsy = nullptr;
cudaError_t made_x = cudaMalloc(&dsx, sn * sizeof(float));
cudaError_t made_y = cudaMalloc(&dsy, sn * sizeof(float));
for (int i = 0; i < sn; i++) { sx[i] = (float)(i % 1000); sy[i] = (float)(i % 7); }
cudaError_t copied = cudaMemcpy(dsx, sx.data(), sn * sizeof(float), cudaMemcpyHostToDevice);
bool ready = session_context == cudaSuccess && made_x == cudaSuccess && made_y == cudaSuccess && copied == cudaSuccess;
printf("session data: %s (%d floats; the context took %.1f ms)\n", ready ? "PASS" : "FAIL", sn, context_ms);

// Copies dsy back and counts the elements that differ from a * x + b * y0 (small integers: exact).
int wrong_elements(float a, float b) {
  std::vector<float> got(sn);
  if (cudaMemcpy(got.data(), dsy, sn * sizeof(float), cudaMemcpyDeviceToHost) != cudaSuccess) return -1;
  int wrong = 0;
  for (int i = 0; i < sn; i++) wrong += got[i] != a * sx[i] + b * sy[i];
  return wrong;
}
'''

DEFINE = r'''__global__ void sk_axpy(float a, const float *x, float *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
printf("kernel defined\n");
'''

LAUNCH = r'''cudaMemcpy(dsy, sy.data(), sn * sizeof(float), cudaMemcpyHostToDevice);
sk_axpy<<<(sn + 255) / 256, 256>>>(2.0f, dsx, dsy, sn);
int wrong_launch = wrong_elements(2.0f, 1.0f);
printf("session launch: %s (%d of %d elements wrong)\n", wrong_launch == 0 ? "PASS" : "FAIL", wrong_launch, sn);
'''

REDEFINE = r'''__global__ void sk_axpy(float a, const float *x, float *y, int n) {  // redefined: a * x - y
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] - y[i];
}
cudaMemcpy(dsy, sy.data(), sn * sizeof(float), cudaMemcpyHostToDevice);
sk_axpy<<<(sn + 255) / 256, 256>>>(3.0f, dsx, dsy, sn);
int wrong_redefined = wrong_elements(3.0f, -1.0f);
printf("session redefine: %s (%d of %d elements wrong)\n", wrong_redefined == 0 ? "PASS" : "FAIL", wrong_redefined, sn);
'''

CONTEXT = r'''__global__ void sk_empty() {}
// Milliseconds of one empty launch and its synchronization; -1 when it failed.
double empty_launch_ms() {
  auto t0 = std::chrono::steady_clock::now();
  sk_empty<<<1, 1>>>();
  if (cudaDeviceSynchronize() != cudaSuccess) return -1;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
double first_here_ms = empty_launch_ms();  // this cell's module is loaded at its first launch
double later_ms = empty_launch_ms();
bool once = session_context == cudaSuccess && first_here_ms >= 0 && later_ms >= 0 && first_here_ms < context_ms / 2 && later_ms * 10 < context_ms;
printf("session context once: %s (first CUDA call %.1f ms; in a later cell: first launch %.3f ms, next launch %.3f ms)\n",
       once ? "PASS" : "FAIL", context_ms, first_here_ms, later_ms);
'''

FAR = r'''__global__ void sk_far(float *p) { p[1ull << 40] = 1.0f; }  // far past any allocation
sk_far<<<1, 1>>>(dsx);
cudaDeviceSynchronize();
'''

AFTER = r'''cudaMemcpy(dsy, sy.data(), sn * sizeof(float), cudaMemcpyHostToDevice);
sk_axpy<<<(sn + 255) / 256, 256>>>(3.0f, dsx, dsy, sn);
int wrong_after = wrong_elements(3.0f, -1.0f);
printf("session after replay: %s (%d of %d elements wrong)\n", wrong_after == 0 ? "PASS" : "FAIL", wrong_after, sn);
'''

COPY = r'''const size_t copy_bytes = 1ull << 30;
void *copy_src = nullptr, *copy_dst = nullptr;
cudaError_t copy_a = cudaMalloc(&copy_src, copy_bytes);
cudaError_t copy_b = cudaMalloc(&copy_dst, copy_bytes);
cudaMemset(copy_src, 1, copy_bytes);
printf("copy buffers: %s\n", copy_a == cudaSuccess && copy_b == cudaSuccess ? "PASS" : "FAIL");
'''

NUMBER = r"([\d.]+)"
RECORDED = r'(?s)"smClockMHz": \["\d+"\].*"runtimeVersion": "\d+\.\d+", "driverVersion": "\d+\.\d+".*"peakBandwidthGBs": [\d.]+'

SESSION_CELLS = [
    ("session: data set up once", r"session data: PASS", None, SETUP, {"figures": {"session_context_ms": r"the context took " + NUMBER}}),
    ("session: a kernel defined in a cell", r"kernel defined", None, DEFINE, {}),
    ("session: launched from a later cell, every element right", r"session launch: PASS", None, LAUNCH, {}),
    ("session: a redefined kernel takes effect", r"session redefine: PASS", None, REDEFINE, {}),
    ("session: the CUDA context is created once", r"session context once: PASS", None, CONTEXT,
     {"figures": {"session_first_launch_in_later_cell_ms": r"first launch " + NUMBER,
                  "session_later_launch_ms": r"next launch " + NUMBER}}),
    ("session: an out-of-bounds write restarts the session, said so", r"(?s)CudaContextLost: the CUDA context is lost: .*illegal.*The session was restarted: what cells .* defined is lost",
     "raises-exception", FAR, {}),
    ("session: %replay rebuilds the state", r"(?s)\[replay\] cell.*session launch: PASS.*session redefine: PASS", None, "%replay\n", {}),
    ("session: the state after %replay", r"session after replay: PASS", None, AFTER, {}),
    ("session: %vars sees the device allocations", r"dsx +variable +float \*dsx +\[\d+\] +8 B; device memory \(GPU \d+\), in an allocation of 64\.0 MiB", None, "%vars\n", {}),
    ("session %bench: GPU times reach the noise target", r"GPU time per repetition \(CUDA events\); stopped: noise under target", None,
     "%bench --rsd 2 --budget 5 --name axpy\nsk_axpy<<<(sn + 255) / 256, 256>>>(3.0f, dsx, dsy, sn);\n",
     {"record": RECORDED, "figures": {"session_bench_axpy_median": r"median +([\d.]+ (?:ns|µs|ms|s))\n"}}),
    ("session: buffers for the copy", r"copy buffers: PASS", None, COPY, {}),
    ("session %bench: a device-to-device copy at 50-100 % of the peak bandwidth",
     r"bandwidth +[\d.]+ GB/s \((?:[5-9]\d(?:\.\d)?|100\.0) % of the \d+ GB/s peak\)", None,
     "%bench --budget 5 --bytes \"2.0 * copy_bytes\" --name d2d\ncudaMemcpyAsync(copy_dst, copy_src, copy_bytes, cudaMemcpyDeviceToDevice);\n",
     {"record": RECORDED, "figures": {"session_d2d_GBs": r"bandwidth +" + NUMBER + r" GB/s", "session_d2d_percent_of_peak": r"GB/s \(" + NUMBER + r" % of"}}),
]

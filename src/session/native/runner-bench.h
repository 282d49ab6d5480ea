// %bench on a session cell, inside the runner: the cell's statement function called REPS times,
// each repetition timed on the GPU (a pair of CUDA events on the default stream) and on the host
// clock (until the device is idle again); output shown for the first only when asked; --cold
// writes a device buffer twice the L2's size before each repetition, outside the timed region.
// Also `info`: the CUDA runtime and driver versions and the device's memory figures (peak
// bandwidth). Included once, by runner.cpp, after the helpers it uses.
#pragma once
#include <math.h>
#include <time.h>
#include <vector>

typedef void (*work_fn)(double *, double *);

// What one batch of repetitions measured.
struct Batch {
  std::vector<double> gpu, host;
  std::string events;  // why the GPU times are missing ("" when they are there)
  std::string cold;    // why the L2 could not be flushed
  double bytes = NAN, flops = NAN;
};

static void *flush_buffer;
static size_t flush_bytes;
static std::string flush_error;

// Milliseconds on the monotonic clock.
static double now_ms() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

// Makes the flush buffer (twice the L2 size) once; "" or why it cannot.
static const char *flush_setup() {
  if (flush_buffer || !flush_error.empty()) return flush_error.c_str();
  int device = 0, l2 = 0;
  cudaError_t err = cudaGetDevice(&device);
  if (err == cudaSuccess) err = cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device);
  flush_bytes = 2 * (size_t)(l2 > 0 ? l2 : 4 << 20);
  if (err == cudaSuccess) err = cudaMalloc(&flush_buffer, flush_bytes);
  if (err != cudaSuccess) {
    flush_error = cudaGetErrorString(err);
    flush_buffer = NULL;
    cudaGetLastError();
  }
  return flush_error.c_str();
}

// --cold: overwrites the flush buffer and waits, so the next repetition finds nothing of its data in L2.
static void flush_l2(int rep, Batch &batch) {
  const char *why = flush_setup();
  if (*why) {
    if (batch.cold.empty()) batch.cold = why;
    return;
  }
  cudaMemsetAsync(flush_buffer, rep & 0xff, flush_bytes, 0);
  cudaDeviceSynchronize();
}

// Calls fn `reps` times, timed; stops at an error, a CUDA error left pending, or an interrupt.
static const char *repeat(cell_fn fn, int reps, int show, int cold, Batch &batch, char *message, size_t cap) {
  cudaEvent_t start = NULL, stop = NULL;
  cudaError_t err = reps > 0 ? cudaEventCreate(&start) : cudaSuccess;
  if (err == cudaSuccess && reps > 0) err = cudaEventCreate(&stop);
  if (err != cudaSuccess) batch.events = cudaGetErrorString(err), cudaGetLastError();
  bool timed = batch.events.empty();
  int in = to_null(0), out = -1, errs = -1;
  const char *status = "ok";
  for (int i = 0; i < reps; i++) {
    if (i == (show ? 1 : 0)) fflush(stdout), fflush(stderr), out = to_null(1), errs = to_null(2);
    if (cold) flush_l2(i, batch);
    double gpu_ms = NAN, host_ms = 0;
    status = protected_call(message, cap, [&] {
      double t0 = now_ms();
      if (timed) cudaEventRecord(start, 0);
      fn();
      if (timed) cudaEventRecord(stop, 0), cudaDeviceSynchronize();
      host_ms = now_ms() - t0;
      float ms = 0;
      if (timed && cudaEventElapsedTime(&ms, start, stop) == cudaSuccess) gpu_ms = ms;
    });
    if (strcmp(status, "ok") != 0) break;
    batch.gpu.push_back(gpu_ms);
    batch.host.push_back(host_ms);
    cudaError_t left = runtime_used ? cudaPeekAtLastError() : cudaSuccess;
    if ((left != cudaSuccess && !unavailable(left)) || interrupt_pending) break;
  }
  if (interrupt_pending && strcmp(status, "ok") == 0) status = "interrupted";
  fflush(stdout), fflush(stderr);
  if (timed) cudaDeviceSynchronize();  // device printf of quiet repetitions lands in /dev/null
  restore(1, out), restore(2, errs), restore(0, in);
  if (start) cudaEventDestroy(start);
  if (stop) cudaEventDestroy(stop);
  return status;
}

// A list of milliseconds as JSON.
static std::string json_list(const std::vector<double> &values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); i++) out += (i ? "," : "") + json_number(values[i]);
  return out + "]";
}

// One `bench` command: load, call REPS times timed, evaluate --bytes/--flops, finish the cell.
static void bench(char *args) {
  char nonce[64], work[256], symbol[256], message[2048] = "";
  int show = 0, cold = 0, reps = 0, used = 0;
  if (sscanf(args, "%63s %d %d %d %255s %255s %n", nonce, &show, &cold, &reps, work, symbol, &used) < 6) return;
  char *path = args + used;
  path[strcspn(path, "\n")] = 0;
  Batch batch;
  cell_fn fn = load(path, symbol, message, sizeof message);
  const char *status = fn ? repeat(fn, reps, show, cold, batch, message, sizeof message) : "load-error";
  work_fn evaluate = strcmp(work, "-") != 0 ? (work_fn)dlsym(RTLD_DEFAULT, work) : NULL;
  if (evaluate && strcmp(status, "ok") == 0) status = protected_call(message, sizeof message, [&] { evaluate(&batch.bytes, &batch.flops); });
  std::string extra = ",\"bench\":{\"gpu\":" + (batch.events.empty() ? json_list(batch.gpu) : std::string("null")) +
                      ",\"host\":" + json_list(batch.host) + ",\"events\":" + json_string(batch.events.c_str()) +
                      ",\"cold\":" + json_string(batch.cold.c_str()) + ",\"bytes\":" + json_number(batch.bytes) +
                      ",\"flops\":" + json_number(batch.flops) + "}";
  finish_cell(nonce, status, message, extra);
}

// One `info` command: the runtime's and driver's versions, the device and its memory figures.
static void info(char *args) {
  char nonce[64];
  if (sscanf(args, "%63s", nonce) < 1) return;
  int runtime = 0, driver = 0, device = 0, l2 = 0, clock_khz = 0, bus_bits = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);
  cudaDeviceProp prop;
  cudaError_t err = cudaGetDevice(&device);
  if (err == cudaSuccess) err = cudaGetDeviceProperties(&prop, device);
  if (err == cudaSuccess) err = cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device);
  if (err == cudaSuccess) err = cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, device);
  if (err == cudaSuccess) err = cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, device);
  std::string why = err == cudaSuccess ? "" : std::string(cudaGetErrorString(err)) + " (" + cudaGetErrorName(err) + ")";
  cudaGetLastError();
  std::string extra = ",\"info\":{\"runtime\":" + std::to_string(runtime) + ",\"driver\":" + std::to_string(driver) +
                      ",\"device\":" + json_string(err == cudaSuccess ? prop.name : "") + ",\"l2Bytes\":" + std::to_string(l2) +
                      ",\"memoryClockKHz\":" + std::to_string(clock_khz) + ",\"busWidthBits\":" + std::to_string(bus_bits) +
                      ",\"error\":" + json_string(why.c_str()) + "}";
  send_reply(nonce, "ok", "", "null", false, extra);
}

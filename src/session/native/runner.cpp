// The icuda session runner: one long-lived process per kernel that loads session cells (shared
// objects built by nvcc) and calls their statement functions, so what a cell defines lives on.
//
// Commands arrive as lines on fd 4:
//   run NONCE INPUT CHECK SYMBOL PATH              load PATH (unless "-") and call SYMBOL once
//   bench NONCE SHOW COLD REPS WORK SYMBOL PATH    the same, REPS times, each timed (runner-bench.h)
//   info NONCE                                     CUDA versions and the device's memory figures
//   vars NONCE SYMBOL...                           what the pointers in these variables point to (runner-vars.h)
// Replies leave as frames on fd 3 (4-byte big-endian length, then JSON), beside icuda.h's display
// frames: {"session":{"nonce":..,"status":..,"message":..,"cuda":{..}|null,"sticky":bool,...}}.
// After each cell: icuda.h's per-cell hook (the ICUDA_TIME table), the device synchronized (device
// printf lands in its cell), the runtime's pending error read, stdio flushed, and the marker
// "\x1eicuda-end:NONCE\x1e" written on stdout and stderr, so the kernel knows where its output ends.
// SIGINT while a cell's statements run jumps back here (the cell ends "interrupted"); between a
// bench's repetitions it stops the bench; anywhere else it is ignored and the kernel falls back to
// SIGKILL.
#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <exception>
#include <iostream>
#include "runner-io.h"

#define COMMAND_FD 4

typedef void (*cell_fn)();

static volatile sig_atomic_t in_statements;
static volatile sig_atomic_t interrupt_pending;
static sigjmp_buf back_to_loop;
static int runtime_used;
static int check_launches;
static unsigned long launches;
static int check_reports;
static void *(*real_dlopen)(const char *, int);

// libcudart loading the driver library means the CUDA runtime is in use (exported: it interposes).
extern "C" void *dlopen(const char *file, int flags) {
  if (!real_dlopen) real_dlopen = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
  if (file && strstr(file, "libcuda")) runtime_used = 1;
  return real_dlopen(file, flags);
}

// %check: cells link with --wrap=__cudaLaunchKernel (the launch entry point of CUDA 12.8 and
// later, found at run time so older runtimes still load); each launch is checked when asked.
typedef cudaError_t (*launch_fn)(const void *, dim3, dim3, void **, size_t, cudaStream_t);
extern "C" cudaError_t __wrap___cudaLaunchKernel(const void *kernel, dim3 grid, dim3 block, void **args, size_t shared, cudaStream_t stream) {
  static launch_fn real = (launch_fn)dlsym(RTLD_DEFAULT, "__cudaLaunchKernel");
  runtime_used = 1;
  unsigned long n = ++launches;
  cudaError_t err = real ? real(kernel, grid, block, args, shared, stream) : cudaErrorNotSupported;
  if (!check_launches) return err;
  cudaError_t seen = err != cudaSuccess ? err : cudaDeviceSynchronize();
  if (seen != cudaSuccess && check_reports++ < 5) {
    char where[128];
    snprintf(where, sizeof where, "%%check: kernel launch #%lu <<<(%u,%u,%u),(%u,%u,%u)>>>", n, grid.x, grid.y, grid.z, block.x, block.y,
             block.z);
    fflush(stdout);
    send_frame("{\"cuda_error\":" + error_json(seen, where) + "}");
  }
  return err;
}

// Jumps out of a cell's statements; elsewhere an interrupt is noted (a bench stops at its next repetition).
static void on_interrupt(int sig) {
  (void)sig;
  interrupt_pending = 1;
  if (in_statements) {
    in_statements = 0;
    siglongjmp(back_to_loop, 1);
  }
}

// Points fd `fd` at /dev/null (O_RDONLY for stdin); answers the saved original, or -1.
static int to_null(int fd) {
  int null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
  int saved = dup(fd);
  if (null >= 0) dup2(null, fd), close(null);
  return saved;
}

// Puts back what to_null saved.
static void restore(int fd, int saved) {
  if (saved >= 0) dup2(saved, fd), close(saved);
}

// Runs body under the interrupt's jump and a catch-all: "ok", "exception" or "interrupted".
template <typename Body>
static const char *protected_call(char *message, size_t cap, Body body) {
  const char *volatile status = "ok";
  if (sigsetjmp(back_to_loop, 1) == 0) {
    in_statements = 1;
    try {
      body();
    } catch (const std::exception &error) {
      snprintf(message, cap, "%s", error.what());
      status = "exception";
    } catch (...) {
      snprintf(message, cap, "an exception that is not a std::exception");
      status = "exception";
    }
    in_statements = 0;
  } else {
    status = "interrupted";
  }
  return status;
}

// Calls the cell's statement function once with stdin from /dev/null unless input is allowed.
static const char *call_cell(cell_fn fn, int input, char *message, size_t cap) {
  int saved = input ? -1 : to_null(0);
  const char *status = protected_call(message, cap, [&] { fn(); });
  restore(0, saved);
  clearerr(stdin);  // an end-of-file seen by one cell is not the next cell's
  std::cin.clear();
  return status;
}

// Loads `path` (unless "-") and finds `symbol`; NULL with the reason in message when it cannot.
static cell_fn load(const char *path, const char *symbol, char *message, size_t cap) {
  if (strcmp(path, "-") != 0 && !dlopen(path, RTLD_NOW | RTLD_GLOBAL)) {
    snprintf(message, cap, "%s", dlerror());
    return NULL;
  }
  cell_fn fn = (cell_fn)dlsym(RTLD_DEFAULT, symbol);
  if (!fn) snprintf(message, cap, "%s", dlerror());
  return fn;
}

// The end of a cell: icuda.h's hook, the device synchronized, its error read, the reply sent.
static void finish_cell(const char *nonce, const char *status, const char *message, const std::string &extra) {
  void (*hook)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "icuda_cell_end");
  if (hook) hook();
  std::string cuda = "null";
  int sticky = 0;
  if (runtime_used) {
    cudaError_t pending = cudaGetLastError();
    cudaError_t synced = cudaDeviceSynchronize();
    if (pending == cudaSuccess) pending = synced;
    cudaGetLastError();
    cudaError_t probe = cudaDeviceSynchronize();  // a sticky error stays: the context is lost
    sticky = probe != cudaSuccess && !unavailable(probe);
    if (sticky && pending == cudaSuccess) pending = probe;
    if (pending != cudaSuccess) cuda = error_json(pending, "at the end of the cell");
  }
  send_reply(nonce, status, message, cuda, sticky, extra);
}

#include "runner-bench.h"
#include "runner-vars.h"

// One `run` command: load the object (unless "-"), find the cell's function, call it, finish.
static void run(char *args) {
  char nonce[64], symbol[256], message[2048] = "";
  int input = 0, check = 0, used = 0;
  if (sscanf(args, "%63s %d %d %255s %n", nonce, &input, &check, symbol, &used) < 4) return;
  char *path = args + used;
  path[strcspn(path, "\n")] = 0;
  cell_fn fn = load(path, symbol, message, sizeof message);
  const char *status = fn ? "ok" : "load-error";
  check_launches = check;
  check_reports = 0;
  if (fn) status = call_cell(fn, input, message, sizeof message);
  check_launches = 0;
  finish_cell(nonce, status, message, "");
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  setvbuf(stderr, NULL, _IONBF, 0);
  marker_out = fcntl(1, F_DUPFD_CLOEXEC, 10);
  marker_err = fcntl(2, F_DUPFD_CLOEXEC, 10);
  reply_fd = fcntl(3, F_DUPFD_CLOEXEC, 10);
  int command_fd = fcntl(COMMAND_FD, F_DUPFD_CLOEXEC, 10);  // out of the cells' way
  close(COMMAND_FD);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);
  FILE *commands = fdopen(command_fd, "r");
  if (!commands) return 2;
  static char line[65536];
  while (fgets(line, sizeof line, commands)) {
    interrupt_pending = 0;
    if (strncmp(line, "run ", 4) == 0) run(line + 4);
    else if (strncmp(line, "bench ", 6) == 0) bench(line + 6);
    else if (strncmp(line, "info ", 5) == 0) info(line + 5);
    else if (strncmp(line, "vars ", 5) == 0) vars(line + 5);
    else if (strncmp(line, "quit", 4) == 0) break;
  }
  fflush(stdout);
  return 0;
}

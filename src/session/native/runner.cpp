// The icuda session runner: one long-lived process per kernel that loads session cells (shared
// objects built by nvcc) and calls their statement functions, so what a cell defines lives on.
//
// Commands arrive as lines on fd 4:   run NONCE INPUT CHECK SYMBOL PATH   (PATH "-": already loaded)
// Replies leave as frames on fd 3 (4-byte big-endian length, then JSON), beside icuda.h's display
// frames: {"session":{"nonce":..,"status":..,"message":..,"cuda":{..}|null,"sticky":bool}}.
// After each cell: stdio flushed, the device synchronized (device printf lands in its cell), the
// runtime's pending error read, and the marker "\x1eicuda-end:NONCE\x1e" written on stdout and
// stderr, so the kernel knows where the cell's output ends.
// SIGINT while a cell's statements run jumps back here (the cell ends "interrupted"); anywhere
// else it is ignored and the kernel falls back to SIGKILL.
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

#define COMMAND_FD 4

typedef void (*cell_fn)();

static volatile sig_atomic_t in_statements;
static sigjmp_buf back_to_loop;
static int runtime_used;
static int check_launches;
static unsigned long launches;
static int check_reports;
// The stdout, stderr and reply pipes as the runner got them: markers and replies still reach the
// kernel when a cell closes or redirects fd 1, 2 or 3.
static int marker_out = 1, marker_err = 2, reply_fd = 3;

// libcudart loading the driver library means the CUDA runtime is in use (exported: it interposes).
extern "C" void *dlopen(const char *file, int flags) {
  static void *(*real)(const char *, int);
  if (!real) real = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
  if (file && strstr(file, "libcuda")) runtime_used = 1;
  return real(file, flags);
}

// Writes all of len bytes; gives up on error.
static void write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n <= 0) return;
    data += n;
    len -= (size_t)n;
  }
}

// Sends one frame on the reply channel.
static void send_frame(const char *json) {
  size_t len = strlen(json);
  unsigned char head[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
  write_all(reply_fd, (const char *)head, 4);
  write_all(reply_fd, json, len);
}

// Copies text into out as the inside of a JSON string.
static void json_text(char *out, size_t cap, const char *text) {
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p && o + 7 < cap; p++) {
    if (*p == '"' || *p == '\\') o += (size_t)snprintf(out + o, cap - o, "\\%c", *p);
    else if (*p < 0x20) o += (size_t)snprintf(out + o, cap - o, "\\u%04x", *p);
    else out[o++] = (char)*p;
  }
  out[o] = 0;
}

// A CUDA error as the JSON object the kernel's notices read.
static void error_json(char *out, size_t cap, cudaError_t err, const char *where) {
  char message[512];
  json_text(message, sizeof message, cudaGetErrorString(err));
  snprintf(out, cap, "{\"code\":%d,\"name\":\"%s\",\"message\":\"%s\",\"where\":\"%s\",\"arch\":\"\"}", (int)err, cudaGetErrorName(err),
           message, where);
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
    char where[128], error[1024], frame[1100];
    snprintf(where, sizeof where, "%%check: kernel launch #%lu <<<(%u,%u,%u),(%u,%u,%u)>>>", n, grid.x, grid.y, grid.z, block.x, block.y,
             block.z);
    error_json(error, sizeof error, seen, where);
    snprintf(frame, sizeof frame, "{\"cuda_error\":%s}", error);
    fflush(stdout);
    send_frame(frame);
  }
  return err;
}

// Jumps out of a cell's statements; elsewhere an interrupt is ignored.
static void on_interrupt(int sig) {
  (void)sig;
  if (in_statements) {
    in_statements = 0;
    siglongjmp(back_to_loop, 1);
  }
}

// Errors that mean there is no usable GPU: they stay set, and are no reason to restart.
static int unavailable(cudaError_t err) {
  return err == cudaErrorInsufficientDriver || err == cudaErrorNoDevice || err == cudaErrorStubLibrary ||
         err == cudaErrorInitializationError;
}

// Calls the cell's statement function with stdin from /dev/null unless input is allowed.
static const char *call_cell(cell_fn fn, int input, char *message, size_t cap) {
  const char *volatile status = "ok";
  int saved = -1;
  if (!input) {
    int null = open("/dev/null", O_RDONLY);
    saved = dup(0);
    if (null >= 0) dup2(null, 0), close(null);
  }
  if (sigsetjmp(back_to_loop, 1) == 0) {
    in_statements = 1;
    try {
      fn();
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
  if (saved >= 0) dup2(saved, 0), close(saved);
  clearerr(stdin);  // an end-of-file seen by one cell is not the next cell's
  std::cin.clear();
  return status;
}

// The end of a cell: the device synchronized, its error read, the markers written, the reply sent.
static void finish_cell(const char *nonce, const char *status, const char *message) {
  char cuda[1024] = "null", text[2048], frame[4096];
  int sticky = 0;
  if (runtime_used) {
    cudaError_t pending = cudaGetLastError();
    cudaError_t synced = cudaDeviceSynchronize();
    if (pending == cudaSuccess) pending = synced;
    cudaGetLastError();
    cudaError_t probe = cudaDeviceSynchronize();  // a sticky error stays: the context is lost
    sticky = probe != cudaSuccess && !unavailable(probe);
    if (sticky && pending == cudaSuccess) pending = probe;
    if (pending != cudaSuccess) error_json(cuda, sizeof cuda, pending, "at the end of the cell");
  }
  fflush(stdout);
  fflush(stderr);
  char marker[96];
  int len = snprintf(marker, sizeof marker, "\x1eicuda-end:%s\x1e", nonce);
  write_all(marker_out, marker, (size_t)len);
  write_all(marker_err, marker, (size_t)len);
  json_text(text, sizeof text, message);
  snprintf(frame, sizeof frame, "{\"session\":{\"nonce\":\"%s\",\"status\":\"%s\",\"message\":\"%s\",\"cuda\":%s,\"sticky\":%s}}", nonce,
           status, text, cuda, sticky ? "true" : "false");
  send_frame(frame);
}

// One `run` command: load the object (unless "-"), find the cell's function, call it, finish.
static void run(char *args) {
  char nonce[64], symbol[256], message[2048] = "";
  int input = 0, check = 0, used = 0;
  if (sscanf(args, "%63s %d %d %255s %n", nonce, &input, &check, symbol, &used) < 4) return;
  char *path = args + used;
  path[strcspn(path, "\n")] = 0;
  const char *status = "ok";
  if (strcmp(path, "-") != 0 && !dlopen(path, RTLD_NOW | RTLD_GLOBAL)) {
    status = "load-error";
    snprintf(message, sizeof message, "%s", dlerror());
  }
  cell_fn fn = NULL;
  if (strcmp(status, "ok") == 0 && !(fn = (cell_fn)dlsym(RTLD_DEFAULT, symbol))) {
    status = "load-error";
    snprintf(message, sizeof message, "%s", dlerror());
  }
  check_launches = check;
  check_reports = 0;
  if (fn) status = call_cell(fn, input, message, sizeof message);
  check_launches = 0;
  finish_cell(nonce, status, message);
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
  static char line[8192];
  while (fgets(line, sizeof line, commands)) {
    if (strncmp(line, "run ", 4) == 0) run(line + 4);
    else if (strncmp(line, "quit", 4) == 0) break;
  }
  fflush(stdout);
  return 0;
}

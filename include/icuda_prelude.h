// icuda_prelude.h: included (nvcc -include) before every cell by the icuda kernel.
// 1. A cell's output goes to pipes, where stdio would buffer it in blocks: make stdout line
//    buffered and stderr unbuffered before main() so output streams to the notebook live; and
//    stdin line buffered, so that reading it flushes a pending prompt ("Enter a number: ")
//    first, as in a terminal (C's rule: input on a line-buffered stream flushes line-buffered output).
// 2. With ICUDA_HOOKS (icuda links with --wrap=main --wrap=dlopen): when the program used the
//    CUDA runtime (it loaded the driver library), the runtime's last error is checked after
//    main returns (or at exit) and, when one is pending, reported to the kernel as a framed
//    message on the fd named by ICUDA_DISPLAY_FD (else one line on stderr).
// 3. With ICUDA_CHECK as well (%check; links with --wrap=__cudaLaunchKernel): every kernel
//    launch is checked, and synchronized so that faults in the kernel are caught at the launch.
#pragma once
#include <cstdio>

__attribute__((constructor)) static void icuda_stream_output_live(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  setvbuf(stderr, NULL, _IONBF, 0);
  setvbuf(stdin, NULL, _IOLBF, 0);
}

#if defined(ICUDA_HOOKS) && !defined(__CUDACC_RTC__)
#include <cstdlib>
#include <cstring>
#include <cuda_runtime_api.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

// One definition for the whole program, however many files include the prelude (weak).
extern "C" {
__attribute__((weak)) int icuda_runtime_used;
__attribute__((weak)) int icuda_exit_checked;
__attribute__((weak)) int icuda_check_reports;
__attribute__((weak)) unsigned long icuda_launches;
__attribute__((weak)) int icuda_last_reported;
void *__real_dlopen(const char *file, int flags);
int __real_main(int argc, char **argv, char **envp);
}

namespace icuda_prelude {
// Writes all of `len` bytes to fd; false on failure.
static inline bool write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n <= 0) return false;
    data += n;
    len -= (size_t)n;
  }
  return true;
}

// Waits (200 ms at most) until the kernel has read what was written on fd (as icuda.h does).
static inline void wait_drained(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode))) return;
  unsigned long request = S_ISSOCK(st.st_mode) ? TIOCOUTQ : FIONREAD;
  for (int i = 0; i < 1000; i++) {
    int unread = 0;
    if (ioctl(fd, request, &unread) != 0 || unread == 0) return;
    usleep(200);
  }
}

// Sends one frame (4-byte big-endian length, then JSON) to the kernel after the output before it
// has been read, so it shows in order; false outside icuda.
static inline bool send_frame(const char *json) {
  const char *fd_text = getenv("ICUDA_DISPLAY_FD");
  if (!fd_text || !*fd_text) return false;
  fflush(stdout);
  wait_drained(1);
  wait_drained(2);
  size_t len = strlen(json);
  unsigned char head[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
  int fd = atoi(fd_text);
  bool sent = write_all(fd, (const char *)head, 4) && write_all(fd, json, len);
  if (sent) wait_drained(fd);
  return sent;
}

// Reports a CUDA error: to the kernel as {"cuda_error":{...}}, else one line on stderr.
static inline void report(cudaError_t err, const char *where) {
  int major = 0, minor = 0, device = 0;
  if (err == cudaErrorNoKernelImageForDevice || err == cudaErrorUnsupportedPtxVersion) {
    if (cudaGetDevice(&device) == cudaSuccess) {
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device);
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device);
    }
  }
  const char *name = cudaGetErrorName(err), *text = cudaGetErrorString(err);
  char arch[16] = "", json[1024];
  if (major) snprintf(arch, sizeof arch, "sm_%d%d", major, minor);
  snprintf(json, sizeof json, "{\"cuda_error\":{\"code\":%d,\"name\":\"%s\",\"message\":\"%s\",\"where\":\"%s\",\"arch\":\"%s\"}}",
           (int)err, name ? name : "", text ? text : "", where, arch);
  icuda_last_reported = (int)err;
  if (!send_frame(json)) fprintf(stderr, "icuda: CUDA error (%s): %s: %s\n", where, name ? name : "?", text ? text : "?");
}

// Checks the runtime's pending error once, if the program used the runtime at all.
static inline void check_at_exit(void) {
  if (icuda_exit_checked || !icuda_runtime_used) return;
  icuda_exit_checked = 1;
  cudaError_t err = cudaPeekAtLastError();
  if (err != cudaSuccess && err != cudaErrorCudartUnloading && (int)err != icuda_last_reported) report(err, "at exit");
}
}  // namespace icuda_prelude

extern "C" {
// The CUDA runtime loads the driver library on first use: that marks the program as a CUDA user.
__attribute__((weak)) void *__wrap_dlopen(const char *file, int flags) {
  if (file && strstr(file, "libcuda")) icuda_runtime_used = 1;
  return __real_dlopen(file, flags);
}

// main, then the exit check while the runtime is still alive; exit() is covered by atexit below.
__attribute__((weak)) int __wrap_main(int argc, char **argv, char **envp) {
  atexit(icuda_prelude::check_at_exit);
  int status = __real_main(argc, argv, envp);
  icuda_prelude::check_at_exit();
  return status;
}
}

#if defined(ICUDA_CHECK)
extern "C" {
cudaError_t CUDARTAPI __real___cudaLaunchKernel(cudaKernel_t kernel, dim3 grid, dim3 block, void **args, size_t shared, cudaStream_t stream);

// Each launch: its own error, then the kernel's (synchronized); a few reports at most.
__attribute__((weak)) cudaError_t CUDARTAPI __wrap___cudaLaunchKernel(cudaKernel_t kernel, dim3 grid, dim3 block, void **args, size_t shared, cudaStream_t stream) {
  icuda_runtime_used = 1;
  unsigned long n = ++icuda_launches;
  cudaError_t err = __real___cudaLaunchKernel(kernel, grid, block, args, shared, stream);
  cudaError_t seen = err != cudaSuccess ? err : cudaDeviceSynchronize();
  if (seen != cudaSuccess && (int)seen != icuda_last_reported && icuda_check_reports < 5) {
    char where[96];
    snprintf(where, sizeof where, "%%check: kernel launch #%lu <<<(%u,%u,%u),(%u,%u,%u)>>>", n, grid.x, grid.y, grid.z, block.x, block.y, block.z);
    icuda_check_reports++;
    icuda_prelude::report(seen, where);
  }
  return err;
}
}
#endif
#endif

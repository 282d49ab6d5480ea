// Times what only a GPU shows: creating the CUDA context (the first runtime call) and one
// empty kernel launch after it. Prints JSON on one line. Built and run by scripts/gpu-check.sh.
#include <chrono>
#include <cstdio>
__global__ void empty() {}
int main() {
  auto t0 = std::chrono::steady_clock::now();
  cudaError_t e = cudaFree(0);
  auto t1 = std::chrono::steady_clock::now();
  empty<<<1, 1>>>();
  cudaError_t s = cudaDeviceSynchronize();
  auto t2 = std::chrono::steady_clock::now();
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  printf("{\"context_ms\": %.3f, \"first_launch_ms\": %.3f, \"error\": \"%s\"}\n", ms(t0, t1), ms(t1, t2),
         e != cudaSuccess ? cudaGetErrorString(e) : s != cudaSuccess ? cudaGetErrorString(s) : "");
  return e != cudaSuccess || s != cudaSuccess;
}

// icuda_prelude.h: included (nvcc -include) before every cell by the icuda kernel.
// A cell's output goes to pipes, where stdio would buffer it in blocks: make stdout line
// buffered and stderr unbuffered before main() so output streams to the notebook live.
#pragma once
#include <cstdio>

__attribute__((constructor)) static void icuda_stream_output_live(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  setvbuf(stderr, NULL, _IONBF, 0);
}

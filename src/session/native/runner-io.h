// The runner's side of the channel to the kernel: replies as frames on its private copy of fd 3
// (4-byte big-endian length, then JSON), JSON text, CUDA errors as the kernel's notices read them,
// and the end of a command: stdio flushed, the end markers written on stdout and stderr, the reply
// sent. Included once, by runner.cpp.
#pragma once
#include <cuda_runtime_api.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <string>

// The stdout, stderr and reply pipes as the runner got them: markers and replies still reach the
// kernel when a cell closes or redirects fd 1, 2 or 3.
static int marker_out = 1, marker_err = 2, reply_fd = 3;

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
static void send_frame(const std::string &json) {
  size_t len = json.size();
  unsigned char head[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
  write_all(reply_fd, (const char *)head, 4);
  write_all(reply_fd, json.data(), len);
}

// Text as a JSON string literal.
static std::string json_string(const char *text) {
  std::string out = "\"";
  for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
    char escaped[8];
    if (*p == '"' || *p == '\\') out += '\\', out += (char)*p;
    else if (*p < 0x20) snprintf(escaped, sizeof escaped, "\\u%04x", *p), out += escaped;
    else out += (char)*p;
  }
  return out + "\"";
}

// A number as JSON; NaN and infinities (no value) as null.
static std::string json_number(double value) {
  if (value != value || value - value != 0) return "null";
  char text[40];
  snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// A CUDA error as the JSON object the kernel's notices read.
static std::string error_json(cudaError_t err, const char *where) {
  return std::string("{\"code\":") + std::to_string((int)err) + ",\"name\":" + json_string(cudaGetErrorName(err)) +
         ",\"message\":" + json_string(cudaGetErrorString(err)) + ",\"where\":" + json_string(where) + ",\"arch\":\"\"}";
}

// Errors that mean there is no usable GPU: they stay set, and are no reason to restart.
static int unavailable(cudaError_t err) {
  return err == cudaErrorInsufficientDriver || err == cudaErrorNoDevice || err == cudaErrorStubLibrary ||
         err == cudaErrorInitializationError;
}

// The end of a command: stdio flushed, the markers written, then the reply with `extra` fields.
static void send_reply(const char *nonce, const char *status, const char *message, const std::string &cuda, bool sticky,
                       const std::string &extra) {
  fflush(stdout);
  fflush(stderr);
  char marker[96];
  int len = snprintf(marker, sizeof marker, "\x1eicuda-end:%s\x1e", nonce);
  write_all(marker_out, marker, (size_t)len);
  write_all(marker_err, marker, (size_t)len);
  send_frame(std::string("{\"session\":{\"nonce\":") + json_string(nonce) + ",\"status\":" + json_string(status) +
             ",\"message\":" + json_string(message) + ",\"cuda\":" + cuda + ",\"sticky\":" + (sticky ? "true" : "false") + extra + "}}");
}

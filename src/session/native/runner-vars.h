// %vars inside the runner: for each variable named (by its symbol), its size and, when it holds a
// pointer, what the CUDA runtime knows of where it points (cudaPointerGetAttributes) and, for
// device and managed memory, the allocation around it (the driver's cuMemGetAddressRange).
// Included once, by runner.cpp, after the helpers it uses.
#pragma once
#include <link.h>
#include <string>

typedef int (*address_range_fn)(unsigned long long *, size_t *, unsigned long long);

// The driver's cuMemGetAddressRange, if the driver library is loaded (never loads it).
static address_range_fn address_range() {
  if (!real_dlopen) real_dlopen = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
  void *driver = real_dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
  return driver ? (address_range_fn)dlsym(driver, "cuMemGetAddressRange_v2") : NULL;
}

// "0x..." for an address.
static std::string hex(const void *address) {
  char text[32];
  snprintf(text, sizeof text, "%p", address);
  return text;
}

// What a pointer value points to, as JSON fields.
static std::string pointee(void *value) {
  if (!value) return ",\"memory\":\"null\"";
  cudaPointerAttributes attributes;
  cudaError_t err = cudaPointerGetAttributes(&attributes, value);
  if (err != cudaSuccess) {
    cudaGetLastError();
    return ",\"error\":" + json_string((std::string(cudaGetErrorString(err)) + " (" + cudaGetErrorName(err) + ")").c_str());
  }
  const char *names[] = {"unregistered", "host", "device", "managed"};
  int type = (int)attributes.type;
  std::string out = std::string(",\"memory\":\"") + (type >= 0 && type < 4 ? names[type] : "unknown") + "\"";
  if (type == cudaMemoryTypeDevice || type == cudaMemoryTypeManaged) out += ",\"device\":" + std::to_string(attributes.device);
  unsigned long long base = 0;
  size_t bytes = 0;
  address_range_fn range = type == cudaMemoryTypeDevice || type == cudaMemoryTypeManaged ? address_range() : NULL;
  if (range && range(&base, &bytes, (unsigned long long)value) == 0)
    out += ",\"base\":\"" + hex((void *)base) + "\",\"bytes\":" + std::to_string(bytes);
  return out;
}

// One variable by its symbol: found or not, its size, and for a pointer-sized one what it points to.
static std::string describe_variable(const char *symbol, bool pointer) {
  void *address = dlsym(RTLD_DEFAULT, symbol);
  std::string out = "{\"symbol\":" + json_string(symbol);
  if (!address) return out + ",\"found\":false}";
  Dl_info where;
  ElfW(Sym) *entry = NULL;
  size_t size = dladdr1(address, &where, (void **)&entry, RTLD_DL_SYMENT) && entry ? entry->st_size : 0;
  out += ",\"found\":true,\"size\":" + std::to_string(size);
  if (!pointer || size != sizeof(void *)) return out + "}";
  void *value = NULL;
  memcpy(&value, address, sizeof value);
  return out + ",\"value\":\"" + hex(value) + "\"" + pointee(value) + "}";
}

// One `vars` command: NONCE, then SYMBOL:P (P=1 for a pointer) for each variable.
static void vars(char *args) {
  char nonce[64];
  int used = 0;
  if (sscanf(args, "%63s %n", nonce, &used) < 1) return;
  std::string list = "[";
  for (char *word = strtok(args + used, " \n"); word; word = strtok(NULL, " \n")) {
    char *colon = strrchr(word, ':');
    bool pointer = colon && colon[1] == '1';
    if (colon) *colon = 0;
    list += (list.size() > 1 ? "," : "") + describe_variable(word, pointer);
  }
  send_reply(nonce, "ok", "", "null", false, ",\"vars\":" + list + "]");
}

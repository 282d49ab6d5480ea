// icuda.h: rich output and kernel timing for programs run by the icuda Jupyter kernel.
//
//   icuda::display_html("<b>bold</b>");            icuda::display_markdown("# Title");
//   icuda::display_svg(svg_text);                   icuda::display_png(bytes, size);
//   icuda::display_json("{\"a\": 1}");
//   icuda::Table t({"kernel", "ms"}); t.row("vadd", 0.25); t.display();
//   ICUDA_TIME("vadd") { vadd<<<blocks, threads>>>(a, b, c, n); }   // CUDA-event timing
//
// Under icuda each call becomes a display_data output: a frame (4-byte big-endian length, then
// JSON) on the file descriptor named by ICUDA_DISPLAY_FD, apart from stdout and stderr. Outside
// icuda (no ICUDA_DISPLAY_FD) the same calls print a plain-text fallback on stdout.
// ICUDA_TIME blocks are timed with CUDA events; at exit a table of name, count, total, mean,
// min and max milliseconds is displayed (or, when the events fail, why there are no times); in a
// session cell (no main) the table is shown at the end of each cell that timed something.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cuda_runtime_api.h>

namespace icuda {
namespace detail {

// Text as a JSON string literal.
inline std::string json_string(const std::string &text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) { char u[8]; snprintf(u, sizeof u, "\\u%04x", c); out += u; }
        else out += (char)c;
    }
  }
  return out + "\"";
}

// Bytes as base64 (for image/png).
inline std::string base64(const unsigned char *data, size_t size) {
  static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < size; i += 3) {
    uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < size ? (uint32_t)data[i + 1] << 8 : 0) | (i + 2 < size ? data[i + 2] : 0);
    out += digits[v >> 18 & 63];
    out += digits[v >> 12 & 63];
    out += i + 1 < size ? digits[v >> 6 & 63] : '=';
    out += i + 2 < size ? digits[v & 63] : '=';
  }
  return out;
}

// The kernel's channel, or -1 outside icuda.
inline int channel_fd() {
  const char *text = getenv("ICUDA_DISPLAY_FD");
  return text && *text ? atoi(text) : -1;
}

// Waits (200 ms at most) until the kernel has read what the program wrote on `fd`: a socket's
// send queue (SIOCOUTQ; Node's pipes are socket pairs) or a pipe's unread bytes (FIONREAD).
inline void wait_drained(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode))) return;
  unsigned long request = S_ISSOCK(st.st_mode) ? TIOCOUTQ : FIONREAD;
  for (int i = 0; i < 1000; i++) {
    int unread = 0;
    if (ioctl(fd, request, &unread) != 0 || unread == 0) return;
    usleep(200);
  }
}

// Sends one JSON frame to the kernel once stdout and stderr before it have been read, so the
// notebook shows outputs in the order the program made them.
inline bool send_frame(const std::string &json) {
  int fd = channel_fd();
  if (fd < 0) return false;
  fflush(stdout);
  fflush(stderr);
  wait_drained(1);
  wait_drained(2);
  uint32_t n = (uint32_t)json.size();
  std::string frame = {(char)(n >> 24), (char)(n >> 16), (char)(n >> 8), (char)n};
  frame += json;
  const char *p = frame.data();
  size_t left = frame.size();
  while (left > 0) {
    ssize_t w = write(fd, p, left);
    if (w <= 0) return false;
    p += w;
    left -= (size_t)w;
  }
  wait_drained(fd);  // and the frame read before what the program prints next
  return true;
}

// One display: mimetype -> data (strings); the plain-text fallback is text/plain.
inline void display(const std::vector<std::pair<std::string, std::string>> &bundle, const std::string &json_text = "") {
  std::string json = "{\"display\":{";
  std::string fallback;
  for (size_t i = 0; i < bundle.size(); i++) {
    json += (i ? "," : "") + json_string(bundle[i].first) + ":" + json_string(bundle[i].second);
    if (bundle[i].first == "text/plain") fallback = bundle[i].second;
  }
  json += "}";
  if (!json_text.empty()) json += ",\"json_text\":" + json_string(json_text);
  json += "}";
  if (send_frame(json)) return;
  fputs(fallback.c_str(), stdout);
  if (fallback.empty() || fallback.back() != '\n') fputc('\n', stdout);
  fflush(stdout);
}

// A number with a fixed count of decimals.
inline std::string fixed(double v, int decimals = 3) {
  char text[64];
  snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

inline std::string cell_text(const std::string &s) { return s; }
inline std::string cell_text(const char *s) { return s ? s : ""; }
inline std::string cell_text(double v) { std::ostringstream o; o << v; return o.str(); }
inline std::string cell_text(float v) { return cell_text((double)v); }
template <typename T> inline std::string cell_text(T v) { return std::to_string(v); }

// Text with HTML's special characters escaped.
inline std::string html_escape(const std::string &text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;"; else if (c == '>') out += "&gt;"; else if (c == '&') out += "&amp;"; else out += c;
  }
  return out;
}
}  // namespace detail

// Shows HTML.
inline void display_html(const std::string &html) { detail::display({{"text/html", html}, {"text/plain", html}}); }
// Shows Markdown.
inline void display_markdown(const std::string &md) { detail::display({{"text/markdown", md}, {"text/plain", md}}); }
// Shows an SVG image.
inline void display_svg(const std::string &svg) {
  detail::display({{"image/svg+xml", svg}, {"text/plain", "[SVG image, " + std::to_string(svg.size()) + " bytes]"}});
}
// Shows a PNG image from its bytes.
inline void display_png(const void *bytes, size_t size) {
  detail::display({{"image/png", detail::base64((const unsigned char *)bytes, size)},
                   {"text/plain", "[PNG image, " + std::to_string(size) + " bytes]"}});
}
// Shows JSON given as text (the kernel checks it parses).
inline void display_json(const std::string &json) { detail::display({{"text/plain", json}}, json); }

// A table shown as HTML, with an aligned plain-text fallback.
class Table {
 public:
  Table(std::initializer_list<std::string> headers) : headers_(headers) {}
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // Adds a row of cells given as text.
  Table &row(std::initializer_list<std::string> cells) { rows_.emplace_back(cells); return *this; }
  Table &row(const std::vector<std::string> &cells) { rows_.push_back(cells); return *this; }
  // Adds a row of cells of any printable type: t.row("vadd", 1024, 0.25).
  template <typename... Cells> Table &row(const Cells &...cells) { rows_.push_back({detail::cell_text(cells)...}); return *this; }
  // The table as HTML.
  std::string html() const {
    std::string out = "<table>\n<thead><tr>";
    for (auto &h : headers_) out += "<th>" + detail::html_escape(h) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (auto &r : rows_) {
      out += "<tr>";
      for (auto &c : r) out += "<td>" + detail::html_escape(c) + "</td>";
      out += "</tr>\n";
    }
    return out + "</tbody>\n</table>";
  }
  // The table as aligned plain text.
  std::string text() const {
    std::vector<size_t> width(headers_.size(), 0);
    auto widen = [&](const std::vector<std::string> &r) {
      for (size_t i = 0; i < r.size(); i++) { if (i >= width.size()) width.push_back(0); if (r[i].size() > width[i]) width[i] = r[i].size(); }
    };
    widen(headers_);
    for (auto &r : rows_) widen(r);
    auto line = [&](const std::vector<std::string> &r) {
      std::string out;
      for (size_t i = 0; i < r.size(); i++) out += (i ? "  " : "") + r[i] + std::string(width[i] - r[i].size(), ' ');
      while (!out.empty() && out.back() == ' ') out.pop_back();
      return out + "\n";
    };
    std::string out = line(headers_);
    std::vector<std::string> rule;
    for (size_t w : width) rule.push_back(std::string(w, '-'));
    out += line(rule);
    for (auto &r : rows_) out += line(r);
    return out;
  }
  // Shows the table.
  void display() const { detail::display({{"text/html", html()}, {"text/plain", text()}}); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

namespace detail {
// What ICUDA_TIME measured for one name.
struct TimingStats {
  unsigned long count = 0, timed = 0;
  double total = 0, min = 0, max = 0;
  std::string error;
};

// Every name's stats, in first-use order.
inline std::vector<std::pair<std::string, TimingStats>> &timings() {
  static auto *all = new std::vector<std::pair<std::string, TimingStats>>();  // outlives atexit
  return *all;
}

// Shows the timing table (at exit).
inline void report_timings() {
  auto &all = timings();
  if (all.empty()) return;
  Table t({"name", "count", "total ms", "mean ms", "min ms", "max ms"});
  std::string errors;
  for (auto &entry : all) {
    const TimingStats &s = entry.second;
    if (s.timed == 0) t.row(entry.first, s.count, "-", "-", "-", "-");
    else t.row(entry.first, s.count, fixed(s.total), fixed(s.total / s.timed), fixed(s.min), fixed(s.max));
    if (!s.error.empty() && errors.find(s.error) == std::string::npos) errors += (errors.empty() ? "" : "; ") + s.error;
  }
  std::string note = errors.empty() ? "" : "no kernel times: CUDA events failed (" + errors + ")";
  display({{"text/html", "<p><b>ICUDA_TIME</b> (CUDA events)</p>\n" + t.html() + (note.empty() ? "" : "\n<p>" + html_escape(note) + "</p>")},
           {"text/plain", "ICUDA_TIME (CUDA events)\n" + t.text() + (note.empty() ? "" : note + "\n")}});
}

// Times its scope with a pair of CUDA events on the default stream; the loop body runs once.
class ScopedTimer {
 public:
  explicit ScopedTimer(const char *name) : name_(name ? name : "") {
    cudaError_t err = cudaEventCreate(&start_);
    if (err == cudaSuccess) err = cudaEventCreate(&stop_);
    if (err == cudaSuccess) err = cudaEventRecord(start_);
    fail(err);
    static bool registered = false;
    if (!registered) { registered = true; atexit(report_timings); }
  }
  ~ScopedTimer() {
    float ms = 0;
    cudaError_t err = error_;
    if (err == cudaSuccess) err = cudaEventRecord(stop_);
    if (err == cudaSuccess) err = cudaEventSynchronize(stop_);
    if (err == cudaSuccess) err = cudaEventElapsedTime(&ms, start_, stop_);
    TimingStats &s = stats();
    s.count++;
    if (err == cudaSuccess) {
      s.min = s.timed == 0 || ms < s.min ? ms : s.min;
      s.max = s.timed == 0 || ms > s.max ? ms : s.max;
      s.total += ms;
      s.timed++;
    } else if (s.error.empty()) {
      s.error = cudaGetErrorString(err);
    }
    if (start_) cudaEventDestroy(start_);
    if (stop_) cudaEventDestroy(stop_);
  }
  // True once: lets `for (ScopedTimer t(name); t.once();) { ... }` run its body once.
  bool once() {
    if (done_) return false;
    return done_ = true;
  }

 private:
  void fail(cudaError_t err) { if (error_ == cudaSuccess) error_ = err; }
  TimingStats &stats() {
    for (auto &entry : timings()) if (entry.first == name_) return entry.second;
    timings().push_back({name_, TimingStats()});
    return timings().back().second;
  }
  std::string name_;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  cudaError_t error_ = cudaSuccess;
  bool done_ = false;
};
}  // namespace detail
}  // namespace icuda

// Session cells: the icuda session runner calls this at the end of each cell, so the ICUDA_TIME
// table shows under the cell that timed (and the next cell starts afresh). Weak: one definition
// whichever files include this header; a program reports at exit instead.
extern "C" __attribute__((weak)) void icuda_cell_end(void) {
  ::icuda::detail::report_timings();
  ::icuda::detail::timings().clear();
}

// Times the block that follows with CUDA events: ICUDA_TIME("vadd") { vadd<<<g, b>>>(...); }
#define ICUDA_TIME(name) for (::icuda::detail::ScopedTimer icuda_scoped_timer_(name); icuda_scoped_timer_.once();)

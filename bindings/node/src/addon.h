// Per-environment data of the addon (worker_threads each load their own).
#pragma once

#include <napi.h>

#include <cstdint>

namespace cookieseal_node {

struct addon_data {
  Napi::FunctionReference request_constructor;  // NativeRequest, made by load()
  // Where openSync's session JSON ends its maps (its ',"lifetime":' tail),
  // read by JavaScript right after the call (exports.openCut): no second
  // string, no array made per call. Off-heap: the pointer stays put.
  Napi::Reference<Napi::ArrayBuffer> open_cut;
  std::uint32_t* open_cut_data = nullptr;
};

}  // namespace cookieseal_node

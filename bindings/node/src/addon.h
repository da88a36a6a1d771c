// Per-environment data of the addon (worker_threads each load their own).
#pragma once

#include <napi.h>

namespace cookieseal_node {

struct addon_data {
  Napi::FunctionReference request_constructor;  // NativeRequest, made by load()
};

}  // namespace cookieseal_node

/// @file export.hpp
/// Symbol visibility for the public API: the library is built with hidden
/// visibility, so only what carries COOKIESEAL_API is exported. Every other
/// C++ header includes this one first, so it is also where a consumer compiled
/// in an older language mode learns that the API needs C++20.
#pragma once

// MSVC reports its -std: in _MSVC_LANG; __cplusplus stays 199711L there.
#if defined(_MSVC_LANG)
#define COOKIESEAL_CPLUSPLUS _MSVC_LANG
#else
#define COOKIESEAL_CPLUSPLUS __cplusplus
#endif
#if COOKIESEAL_CPLUSPLUS < 202002L
#error "cookieseal needs C++20: compile with -std=c++20 (from C or older C++: cookieseal.h)"
// Not a header: stops the compiler here, so the line above is the only error
// (otherwise every C++20 construct after it reports one more).
#include <cookieseal/stop-cxx20-required>
#endif

#if defined(COOKIESEAL_STATIC)
#define COOKIESEAL_API
#elif defined(__GNUC__)
#define COOKIESEAL_API __attribute__((visibility("default")))
#else
#define COOKIESEAL_API
#endif

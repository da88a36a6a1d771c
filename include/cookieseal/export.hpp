/// @file export.hpp
/// Symbol visibility for the public API: the library is built with hidden
/// visibility, so only what carries COOKIESEAL_API is exported.
#pragma once

#if defined(COOKIESEAL_STATIC)
#define COOKIESEAL_API
#elif defined(__GNUC__)
#define COOKIESEAL_API __attribute__((visibility("default")))
#else
#define COOKIESEAL_API
#endif

// Statuses of the C ABI become JavaScript Errors here, in one place: the
// library's message, `code` (the status's stable name), `status` (its number)
// and `undecided` (cookieseal_outcome_of: the one home of that rule).
#pragma once

#include <cookieseal/cookieseal.h>
#include <napi.h>

#include <string>

namespace cookieseal_node {

/// An Error for @p status with the library's @p message (its strerror when empty).
Napi::Error make_error(Napi::Env env, cookieseal_status status, const std::string& message);

/// Takes a message the library allocated (NULL is fine) and frees it.
std::string take_message(char* message);

/// Throws make_error(...) unless @p status is COOKIESEAL_OK.
void check(Napi::Env env, cookieseal_status status, char* message);

/// The CLOSED error for a handle the caller closed from JavaScript.
Napi::Error closed_error(Napi::Env env, const char* what);

}  // namespace cookieseal_node

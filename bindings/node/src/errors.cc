#include "errors.h"

namespace cookieseal_node {

Napi::Error make_error(Napi::Env env, cookieseal_status status, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message.empty() ? cookieseal_strerror(status) : message);
  e.Set("code", Napi::String::New(env, cookieseal_status_name(status)));
  e.Set("status", Napi::Number::New(env, static_cast<double>(status)));
  e.Set("undecided", Napi::Boolean::New(env, cookieseal_outcome_of(status) == COOKIESEAL_UNDECIDED));
  return e;
}

std::string take_message(char* message) {
  std::string s = message != nullptr ? message : "";
  cookieseal_free(message);
  return s;
}

void check(Napi::Env env, cookieseal_status status, char* message) {
  std::string text = take_message(message);
  if (status != COOKIESEAL_OK) throw make_error(env, status, text);
}

Napi::Error closed_error(Napi::Env env, const char* what) {
  return make_error(env, COOKIESEAL_CLOSED, std::string("the ") + what + " was closed (close())");
}

}  // namespace cookieseal_node

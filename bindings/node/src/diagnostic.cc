#include "diagnostic.h"

#include <string>

namespace cookieseal_node {

diagnostic_sink::diagnostic_sink(Napi::Env env, Napi::Function fn)
    : state_(std::make_shared<state>()) {
  // The finalizer may run after this sink is gone (at teardown, or after
  // Release): it owns its own reference to the state.
  auto* finalizer_state = new std::shared_ptr<state>(state_);
  tsfn_ = Napi::ThreadSafeFunction::New(
      env, fn, "cookieseal diagnostic", 0, 1, finalizer_state,
      [](Napi::Env, std::shared_ptr<state>* s) {
        {
          std::lock_guard lock((*s)->mutex);
          (*s)->open = false;
        }
        delete s;
      });
  tsfn_.Unref(env);  // a diagnostic never keeps a process running
}

diagnostic_sink::~diagnostic_sink() {
  bool release;
  {
    std::lock_guard lock(state_->mutex);
    release = state_->open;
    state_->open = false;  // no call starts after this
  }
  if (release) tsfn_.Release();
}

void diagnostic_sink::trampoline(void* context, const char* message, std::size_t length) {
  auto* self = static_cast<diagnostic_sink*>(context);
  if (self == nullptr || message == nullptr) return;
  std::string* text;
  try {
    text = new std::string(message, length);
  } catch (...) {
    return;  // out of memory: the message is lost, nothing unwinds into C
  }
  std::lock_guard lock(self->state_->mutex);
  napi_status st = napi_closing;
  if (self->state_->open) {
    st = self->tsfn_.NonBlockingCall(text, [](Napi::Env env, Napi::Function fn, std::string* t) {
      std::string m = std::move(*t);
      delete t;
      if (env == nullptr || fn == nullptr) return;  // torn down
      try {
        fn.Call({Napi::String::New(env, m)});
      } catch (const Napi::Error&) {
        // The JavaScript side catches its user's errors; nothing more to do here.
      }
    });
  }
  if (st != napi_ok) delete text;
}

}  // namespace cookieseal_node

// Replays files, or every file under directories, through LLVMFuzzerTestOneInput
// so each fuzz target also builds and runs under gcc as a regression test.
// Output is TAP, so `meson test` (protocol: 'tap') counts one case per input.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace fs = std::filesystem;

namespace {
int n_run = 0;

void run_one(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> buf((std::istreambuf_iterator<char>(in)), {});
  ++n_run;
  if (!in.eof() && !in) {  // no assert(): NDEBUG would drop it
    std::printf("not ok %d - %s (unreadable)\n", n_run, p.c_str());
    return;
  }
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(buf.data()), buf.size());
  std::printf("ok %d - %s\n", n_run, p.c_str());
  std::fflush(stdout);  // the last line names the input on a crash
}
}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::printf("TAP version 13\n");
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    if (fs::is_directory(arg)) {
      for (const auto& e : fs::recursive_directory_iterator(arg))
        if (e.is_regular_file()) run_one(e.path());
    } else {
      run_one(arg);
    }
  }
  if (n_run == 0) std::printf("not ok 1 - no inputs given\n"), n_run = 1;
  std::printf("1..%d\n", n_run);
}

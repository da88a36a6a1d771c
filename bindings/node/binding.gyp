# The addon links libcookieseal-c through pkg-config: an installed one, or a
# build tree's through its meson-uninstalled directory on PKG_CONFIG_PATH (as
# test.sh does). The library directory is also the addon's rpath.
{
  "targets": [{
    "target_name": "cookieseal",
    "sources": [
      "src/addon.cc", "src/codec.cc", "src/diagnostic.cc", "src/errors.cc",
      "src/options.cc", "src/request_session.cc", "src/session_manager.cc"
    ],
    "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
    "cflags_cc": ["-std=c++20", "<!@(pkg-config --cflags cookieseal-c)"],
    "cflags_cc!": ["-std=gnu++17", "-std=c++17"],
    "libraries": [
      "<!@(pkg-config --libs cookieseal-c)",
      "<!@(pkg-config --libs-only-L cookieseal-c | sed -e 's/-L/-Wl,-rpath,/g')"
    ],
    "defines": ["NAPI_VERSION=8"]
  }]
}

#include <node_api.h>
#include <valgrind/callgrind.h>
#include <stdlib.h>
static char label[256];
static napi_value on(napi_env env, napi_callback_info info) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; CALLGRIND_TOGGLE_COLLECT; return NULL; }
static napi_value off(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_string_utf8(env, argv[0], label, sizeof label, &len);
  CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS_AT(label); return NULL; }
static napi_value init(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "on", NAPI_AUTO_LENGTH, on, NULL, &f); napi_set_named_property(env, exports, "on", f);
  napi_create_function(env, "off", NAPI_AUTO_LENGTH, off, NULL, &f); napi_set_named_property(env, exports, "off", f);
  return exports; }
NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

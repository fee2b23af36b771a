#include "value_from_js.hpp"

#include <string>

using emscripten::val;

namespace wre::bind {

Value valueFromJs(const val& v, int depth) {
  // Configs are shallow; a deeper object is a mistake (or a cycle), not something to walk.
  constexpr int kMaxDepth = 8;
  std::string type = v.typeOf().as<std::string>();
  if (type == "undefined") return Value();
  if (type == "boolean") return Value::boolean(v.as<bool>());
  if (type == "number") return Value::number(v.as<double>());
  if (type == "string") return Value::string(v.as<std::string>());
  if (type != "object") return Value::other(type);
  if (v.isNull()) return Value::null();
  if (depth >= kMaxDepth) return Value::other("object nested too deeply");
  if (val::global("Array").call<bool>("isArray", v)) {
    Value out = Value::array();
    int n = v["length"].as<int>();
    for (int i = 0; i < n; ++i) out.push(valueFromJs(v[i], depth + 1));
    return out;
  }
  Value out = Value::object();
  val keys = val::global("Object").call<val>("keys", v);
  int n = keys["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    std::string key = keys[i].as<std::string>();
    out.set(key, valueFromJs(v[key], depth + 1));
  }
  return out;
}

}  // namespace wre::bind

#include "util/value.hpp"

#include <cmath>

#include "util/text.hpp"

namespace wre {

const Value& Value::operator[](const std::string& key) const {
  static const Value kUndefined;
  auto it = fields_.find(key);
  return it == fields_.end() ? kUndefined : it->second;
}

std::string Value::typeName() const {
  switch (type_) {
    case Type::Undefined:
      return "undefined";
    case Type::Null:
      return "null";
    case Type::Bool:
      return "boolean";
    case Type::Number:
      return "number";
    case Type::String:
      return "string";
    case Type::Array:
      return "array";
    case Type::Object:
      return "object";
    case Type::Other:
      return string_;
  }
  return "unknown";
}

std::string Value::describe() const {
  switch (type_) {
    case Type::Bool:
      return bool_ ? "true" : "false";
    case Type::Number:
      if (std::isnan(number_)) return "NaN";
      if (std::isinf(number_)) return number_ > 0 ? "Infinity" : "-Infinity";
      return numberText(number_);
    case Type::String: {
      std::string shown = string_.size() > 60 ? string_.substr(0, 57) + "..." : string_;
      return format("'{}'", shown);
    }
    default:
      return typeName();
  }
}

}  // namespace wre

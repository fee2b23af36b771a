// A tiny JSON-like tree: the bindings turn the app's JS config object into one, so config
// validation lives in portable C++ and is unit-tested without a browser.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace wre {

class Value {
 public:
  enum class Type { Undefined, Null, Bool, Number, String, Array, Object, Other };

  Value() = default;
  static Value null() { return Value(Type::Null); }
  static Value boolean(bool b) {
    Value v(Type::Bool);
    v.bool_ = b;
    return v;
  }
  static Value number(double n) {
    Value v(Type::Number);
    v.number_ = n;
    return v;
  }
  static Value string(std::string s) {
    Value v(Type::String);
    v.string_ = std::move(s);
    return v;
  }
  static Value array(std::vector<Value> items = {}) {
    Value v(Type::Array);
    v.items_ = std::move(items);
    return v;
  }
  static Value object() { return Value(Type::Object); }
  // Something JS has that JSON does not (function, symbol, bigint): named for error messages.
  static Value other(std::string jsType) {
    Value v(Type::Other);
    v.string_ = std::move(jsType);
    return v;
  }

  Type type() const { return type_; }
  bool isUndefined() const { return type_ == Type::Undefined; }
  bool asBool() const { return bool_; }
  double asNumber() const { return number_; }
  const std::string& asString() const { return string_; }
  const std::vector<Value>& items() const { return items_; }
  const std::map<std::string, Value>& fields() const { return fields_; }

  Value& set(const std::string& key, Value v) {
    fields_[key] = std::move(v);
    return *this;
  }
  void push(Value v) { items_.push_back(std::move(v)); }
  // Missing fields read as Undefined, like JS.
  const Value& operator[](const std::string& key) const;

  // JS-style name of the type, for messages ("number", "string", "array", ...).
  std::string typeName() const;
  // Short JS-like rendering of the value, for messages.
  std::string describe() const;

 private:
  explicit Value(Type t) : type_(t) {}
  Type type_ = Type::Undefined;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Value> items_;
  std::map<std::string, Value> fields_;
};

}  // namespace wre

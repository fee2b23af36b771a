#include "transfer/file_runs.hpp"

#include <algorithm>

namespace wre {

void FileRuns::reset(uint64_t from) {
  runs_.clear();
  from_ = end_ = from;
}

bool FileRuns::add(uint64_t start, uint32_t count, uint32_t transfer) {
  if (start > end_ || runs_.size() >= kMaxRuns) return false;
  uint64_t stop = start + count;
  if (stop <= from_) return true;  // all before classification began: the app's, as assumed
  start = std::max(start, from_);
  while (!runs_.empty() && runs_.back().start >= start) runs_.pop_back();
  if (!runs_.empty() && runs_.back().end > start) runs_.back().end = start;
  end_ = stop;
  if (!runs_.empty() && runs_.back().end == start && runs_.back().transfer == transfer) {
    runs_.back().end = stop;
    return true;
  }
  runs_.push_back({start, stop, transfer});
  return true;
}

std::optional<uint32_t> FileRuns::classify(uint64_t index) const {
  if (index < from_) return 0;
  if (index >= end_) return std::nullopt;
  auto after =
      std::upper_bound(runs_.begin(), runs_.end(), index, [](uint64_t i, const Run& r) { return i < r.start; });
  if (after == runs_.begin()) return 0;  // dropped: processed already (never asked)
  return std::prev(after)->transfer;
}

void FileRuns::dropBefore(uint64_t index) {
  while (!runs_.empty() && runs_.front().end <= index) runs_.pop_front();
}

}  // namespace wre

// getStats(), copied without choosing: from every entry its type and id, and the fields the core
// names for that type (src/metrics/stats_entry.hpp), numbers into one Float64Array (NaN where
// missing, a boolean 1/0) and strings into one string, each followed by the separator. Two values
// cross into WASM per sweep; src/metrics/stats_summary.cpp decides what counts.
export function flattenStats(report, { byType, numberCount, stringCount, separator }) {
  const values = new Float64Array(report.size * numberCount).fill(NaN);
  const strings = new Array(report.size * stringCount).fill('');
  let n = 0;
  let t = 0;
  for (const s of report.values()) {
    strings[t] = s.type;
    strings[t + 1] = s.id;
    const f = byType.get(s.type);
    if (f) {
      for (const [column, name] of f.numbers) values[n + column] = s[name];
      for (const [column, name] of f.strings) strings[t + column] = s[name] ?? '';
    }
    n += numberCount;
    t += stringCount;
  }
  return { values, strings: strings.join(separator) + separator };
}

-- wrk's summary as one JSON line, for benchmarks/run.py: requests, duration, p50/p99 latency
-- (microseconds) and errors (socket errors, timeouts and non-2xx/3xx answers).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
